/**
 * An API server for port-forward tests that answers what a real one (and the kubelet behind it)
 * answers: GET of pods and Services, pod lists by labelSelector, and the `pods/{name}/portforward`
 * subresource over a WebSocket (`v4.channel.k8s.io`) relayed to a real TCP port on this machine —
 * the port prefix on both channels, the data, and containerd's words on the error channel when
 * nothing listens on the pod's port. Refusals as the API server words them: 404 pods "x" not found,
 * 400 for a pod without a node or without a port, 401 for a wrong token.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { answerJson, failureStatus, recordHeaders, refuseUpgrade } from '../../../testing/fake-apiserver';
import type { TestPki } from '../../../testing/tls';

export interface FakeForwardPod {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  /** Ready unless false. */
  ready?: boolean;
  phase?: string;
  /** Unscheduled pods have none. */
  nodeName?: string | null;
  /** The pod's ports: container port -> the port on 127.0.0.1 that plays it. */
  ports?: Record<number, number>;
  /** Named container ports: name -> container port. */
  namedPorts?: Record<string, number>;
  readySince?: string;
  /** Deleted but not gone yet: its processes are being stopped. */
  terminating?: boolean;
  /** Its node's kubelet cannot be reached (a node that went down before the pod was marked). */
  nodeDown?: boolean;
}

export interface FakeService {
  name: string;
  namespace?: string;
  selector?: Record<string, string>;
  clusterIP?: string;
  ports: { name?: string; port: number; targetPort?: number | string; protocol?: string }[];
}

export interface RecordedForward {
  path: string;
  pod: string;
  query: URLSearchParams;
  offered: string[];
  protocol?: string;
  headers: Record<string, string[]>;
}

const ROUTE = /^\/api\/v1\/namespaces\/([^/]+)\/(pods|services)(?:\/([^/]+))?(\/portforward)?$/;
const PROTOCOL = 'v4.channel.k8s.io';

/** containerd's account of a port nothing listens on, as the kubelet sends it on the error channel. */
const refusedMessage = (port: number, pod: string) => {
  const sandbox = Buffer.from(pod).toString('hex').padEnd(64, '0').slice(0, 64);
  return (
    `error forwarding port ${port} to pod ${sandbox}, uid : failed to execute portforward in network namespace ` +
    `"/var/run/netns/cni-${sandbox.slice(0, 8)}": failed to connect to localhost:${port} inside namespace "${sandbox}", ` +
    `IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `
  );
};

export async function startFakePortForwardServer(opts: { tls?: TestPki; token?: string } = {}) {
  const pods = new Map<string, FakeForwardPod>();
  const services = new Map<string, FakeService>();
  const forwards: RecordedForward[] = [];
  const live = new Map<WebSocket, { pod: string; tcp?: net.Socket }>();
  const key = (ns: string | undefined, name: string) => `${ns ?? 'default'}/${name}`;
  const authorized = (req: http.IncomingMessage) => !opts.token || req.headers.authorization === `Bearer ${opts.token}`;
  const matches = (pod: FakeForwardPod, selector: string) =>
    selector
      .split(',')
      .filter(Boolean)
      .every((term) => {
        const [k, v] = term.split('=');
        return pod.labels?.[k!] === v;
      });

  const handler: http.RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (!authorized(req)) return answerJson(res, 401, failureStatus(401, 'Unauthorized', 'Unauthorized'));
    const m = ROUTE.exec(url.pathname);
    if (!m)
      return answerJson(res, 404, failureStatus(404, 'NotFound', 'the server could not find the requested resource'));
    const [, ns, resource, name, sub] = m as unknown as [string, string, string, string | undefined, string?];
    if (resource === 'services') {
      if (!name) {
        const items = [...services.values()].filter((x) => (x.namespace ?? 'default') === ns).map(serviceObject);
        return answerJson(res, 200, {
          kind: 'ServiceList',
          apiVersion: 'v1',
          metadata: { resourceVersion: '1' },
          items,
        });
      }
      const svc = services.get(key(ns, name));
      if (!svc) return answerJson(res, 404, failureStatus(404, 'NotFound', `services "${name}" not found`));
      return answerJson(res, 200, serviceObject(svc));
    }
    if (!name) {
      const selector = url.searchParams.get('labelSelector') ?? '';
      const items = [...pods.values()].filter((p) => (p.namespace ?? 'default') === ns && matches(p, selector));
      return answerJson(res, 200, {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '1' },
        items: items.map(podObject),
      });
    }
    const pod = pods.get(key(ns, name));
    if (!pod) return answerJson(res, 404, failureStatus(404, 'NotFound', `pods "${name}" not found`));
    if (sub) return answerJson(res, 400, failureStatus(400, 'BadRequest', 'Upgrade request required'));
    answerJson(res, 200, podObject(pod));
  };

  const server = opts.tls
    ? https.createServer({ cert: opts.tls.serverCert, key: opts.tls.serverKey }, handler)
    : http.createServer(handler);
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false),
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const m = ROUTE.exec(url.pathname);
    if (!authorized(req)) return refuseUpgrade(socket, 401, failureStatus(401, 'Unauthorized', 'Unauthorized'));
    if (!m || m[2] !== 'pods' || !m[3] || !m[4]) {
      return refuseUpgrade(
        socket,
        404,
        failureStatus(404, 'NotFound', 'the server could not find the requested resource'),
      );
    }
    const record: RecordedForward = {
      path: url.pathname,
      pod: m[3],
      query: url.searchParams,
      offered: offered.filter(Boolean),
      headers: recordHeaders(req.rawHeaders),
    };
    forwards.push(record);
    const pod = pods.get(key(m[1], m[3]));
    if (!pod) return refuseUpgrade(socket, 404, failureStatus(404, 'NotFound', `pods "${m[3]}" not found`));
    if (pod.nodeName === null) {
      return refuseUpgrade(
        socket,
        400,
        failureStatus(400, 'BadRequest', `pod ${pod.name} does not have a host assigned`),
      );
    }
    if (pod.nodeDown) {
      return refuseUpgrade(
        socket,
        500,
        failureStatus(
          500,
          'InternalError',
          'error dialing backend: dial tcp 10.0.0.9:10250: connect: no route to host',
        ),
      );
    }
    // The API server passes `ports` on to the kubelet as `port`, which refuses a missing or bad one.
    const ports = (url.searchParams.get('ports') ?? '').split(',').filter(Boolean);
    if (ports.length === 0)
      return refuseUpgrade(socket, 400, failureStatus(400, 'BadRequest', 'query parameter "port" is required'));
    const port = Number(ports[0]);
    if (ports.length !== 1 || !Number.isInteger(port) || port < 1 || port > 65535) {
      return refuseUpgrade(
        socket,
        400,
        failureStatus(400, 'BadRequest', `unable to parse "${ports.join(',')}" as a port`),
      );
    }
    if (!offered.includes(PROTOCOL)) {
      return refuseUpgrade(
        socket,
        400,
        failureStatus(
          400,
          'BadRequest',
          `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${PROTOCOL}]`,
        ),
      );
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      record.protocol = ws.protocol;
      forward(ws, pod, port);
    });
  });

  function forward(ws: WebSocket, pod: FakeForwardPod, port: number) {
    const entry: { pod: string; tcp?: net.Socket } = { pod: key(pod.namespace, pod.name) };
    live.set(ws, entry);
    ws.once('close', () => live.delete(ws));
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    ws.send(Buffer.concat([Buffer.of(0), prefix]));
    ws.send(Buffer.concat([Buffer.of(1), prefix]));
    // The client may send before the pod's port answers; it waits in the stream as in the kubelet's pipe.
    ws.pause();
    const target = pod.ports?.[port];
    const fail = () => {
      ws.resume();
      ws.send(Buffer.concat([Buffer.of(1), Buffer.from(refusedMessage(port, pod.name))]), () => ws.close(1000));
    };
    if (target === undefined) return fail();
    const tcp = net.connect({ host: '127.0.0.1', port: target });
    entry.tcp = tcp;
    tcp.once('error', () => {
      if (!connected) fail();
      else ws.terminate();
    });
    let connected = false;
    tcp.once('connect', () => {
      connected = true;
      ws.resume();
    });
    ws.on('message', (data: Buffer) => {
      if (data.length === 0 || data[0] !== 0) return;
      if (!tcp.write(data.subarray(1))) {
        ws.pause();
        tcp.once('drain', () => ws.resume());
      }
    });
    tcp.on('data', (chunk: Buffer) => {
      tcp.pause();
      ws.send(Buffer.concat([Buffer.of(0), chunk]), () => tcp.resume());
    });
    // Either direction ending ends the forward, as containerd's relay does.
    tcp.once('end', () => ws.close(1000));
    ws.once('close', () => {
      tcp.end();
      setTimeout(() => tcp.destroy(), 1000).unref();
    });
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    forwards,
    /** Open port-forward connections, by pod. */
    openConnections: (pod?: string) => [...live.values()].filter((e) => !pod || e.pod.endsWith(`/${pod}`)).length,
    addPod(pod: FakeForwardPod) {
      pods.set(key(pod.namespace, pod.name), pod);
    },
    addService(svc: FakeService) {
      services.set(key(svc.namespace, svc.name), svc);
    },
    /** Deletes the pod: it is gone from the API, and its connections end as its processes die. */
    deletePod(name: string, namespace = 'default') {
      pods.delete(key(namespace, name));
      for (const [ws, e] of live) {
        if (e.pod === key(namespace, name)) {
          e.tcp?.destroy();
          ws.terminate();
        }
      }
    },
    close: () =>
      new Promise<void>((r) => {
        for (const ws of live.keys()) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export type FakePortForwardServer = Awaited<ReturnType<typeof startFakePortForwardServer>>;

function podObject(pod: FakeForwardPod) {
  const ready = pod.ready !== false;
  const named = Object.entries(pod.namedPorts ?? {}).map(([name, containerPort]) => ({ name, containerPort }));
  const unnamed = Object.keys(pod.ports ?? {})
    .map(Number)
    .filter((p) => !named.some((n) => n.containerPort === p))
    .map((containerPort) => ({ containerPort }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      namespace: pod.namespace ?? 'default',
      labels: pod.labels ?? {},
      creationTimestamp: '2026-01-01T00:00:00Z',
      ...(pod.terminating ? { deletionTimestamp: '2026-01-01T01:00:00Z', deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: {
      ...(pod.nodeName === null ? {} : { nodeName: pod.nodeName ?? 'node-1' }),
      containers: [{ name: 'main', image: 'test', ports: [...named, ...unnamed] }],
    },
    status: {
      phase: pod.phase ?? 'Running',
      conditions: [
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          lastTransitionTime: pod.readySince ?? '2026-01-01T00:00:10Z',
        },
      ],
      containerStatuses: [{ name: 'main', ready, restartCount: 0 }],
    },
  };
}

function serviceObject(svc: FakeService) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: svc.name, namespace: svc.namespace ?? 'default' },
    spec: {
      selector: svc.selector,
      clusterIP: svc.clusterIP ?? '10.43.0.10',
      ports: svc.ports.map((p) => ({ protocol: 'TCP', targetPort: p.targetPort ?? p.port, ...p })),
    },
  };
}
