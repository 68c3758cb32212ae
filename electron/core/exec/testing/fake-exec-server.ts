/**
 * An API server for exec tests that answers what a real one answers to kubectl and Homeport:
 * discovery (/api, /apis, /api/v1), GET of a pod, and the `pods/{name}/exec` subresource over a
 * WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io`) with the API server's refusals in its own
 * words (404 pods "x" not found, 400 container x is not valid for pod y, 403 from RBAC, 401).
 *
 * The "container" is this machine: the command runs as a local process (argument array, no shell)
 * in a scratch directory, so stdin, stdout, stderr, exit codes and death by signal are real. It
 * has no pseudo-terminal: with tty=true stderr goes to channel 1, as it does on a terminal, and the
 * resize messages are recorded. The sandbox (electron/sandbox) has the runtime-backed server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { constants, tmpdir } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { answerJson, failureStatus, recordHeaders, refuseUpgrade } from '../../../testing/fake-apiserver';
import type { TestPki } from '../../../testing/tls';

export interface FakePod {
  name: string;
  namespace?: string;
  containers: string[];
  phase?: string;
  annotations?: Record<string, string>;
  /** Container states as the kubelet reports them; absent ones are running. */
  waiting?: Record<string, string>;
}

export interface RecordedExec {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Sec-WebSocket-Protocol as the client offered it. */
  offered: string[];
  protocol?: string;
  headers: Record<string, string[]>;
  resizes: { Width: number; Height: number }[];
  /** The client closed stdin (v5 channel 255). */
  stdinClosed: boolean;
}

export interface FakeExecOptions {
  tls?: TestPki;
  /** The bearer token accepted; others get 401. */
  token?: string;
  /** Subprotocols this server speaks, best first (an API server before 1.29 speaks no v5). */
  protocols?: string[];
  /** RBAC refuses pods/exec to the user. */
  forbidExec?: boolean;
}

const PODS = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/exec)?$/;

export async function startFakeExecServer(opts: FakeExecOptions = {}) {
  const pods = new Map<string, FakePod>();
  const execs: RecordedExec[] = [];
  const children = new Set<ChildProcess>();
  const sockets = new Set<WebSocket>();
  const speaks = opts.protocols ?? ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
  const key = (ns: string, name: string) => `${ns}/${name}`;
  const authorized = (req: http.IncomingMessage) => !opts.token || req.headers.authorization === `Bearer ${opts.token}`;

  const handler: http.RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (!authorized(req)) return answerJson(res, 401, failureStatus(401, 'Unauthorized', 'Unauthorized'));
    if (url.pathname === '/version') return answerJson(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0' });
    if (url.pathname === '/api') return answerJson(res, 200, { kind: 'APIVersions', versions: ['v1'] });
    if (url.pathname === '/apis') return answerJson(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    if (url.pathname === '/api/v1') {
      return answerJson(res, 200, {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [
          { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'] },
          { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
        ],
      });
    }
    const m = PODS.exec(url.pathname);
    if (!m)
      return answerJson(res, 404, failureStatus(404, 'NotFound', 'the server could not find the requested resource'));
    const pod = pods.get(key(m[1]!, m[2]!));
    if (!pod) return answerJson(res, 404, failureStatus(404, 'NotFound', `pods "${m[2]}" not found`));
    if (m[3]) return answerJson(res, 400, failureStatus(400, 'BadRequest', 'Upgrade request required'));
    answerJson(res, 200, podObject(pod));
  };

  const server = opts.tls
    ? https.createServer({ cert: opts.tls.serverCert, key: opts.tls.serverKey }, handler)
    : http.createServer(handler);
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 64 * 1024 * 1024,
    handleProtocols: (offered) => speaks.find((p) => offered.has(p)) ?? false,
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const record: RecordedExec = {
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      offered: offered.filter(Boolean),
      headers: recordHeaders(req.rawHeaders),
      resizes: [],
      stdinClosed: false,
    };
    execs.push(record);
    const refusal = refusalFor(req, url);
    if (refusal) return refuseUpgrade(socket, refusal.code, refusal);
    if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
      // kubectl falls back to SPDY only when the WebSocket upgrade fails; this server speaks none.
      return refuseUpgrade(socket, 400, failureStatus(400, 'BadRequest', 'this test server speaks only WebSocket'));
    }
    if (!offered.some((p) => speaks.includes(p))) {
      return refuseUpgrade(
        socket,
        400,
        failureStatus(
          400,
          'BadRequest',
          `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${speaks.join(' ')}]`,
        ),
      );
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      record.protocol = ws.protocol;
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      runCommand(ws, url.searchParams, record);
    });
  });

  function refusalFor(req: http.IncomingMessage, url: URL) {
    if (!authorized(req)) return failureStatus(401, 'Unauthorized', 'Unauthorized');
    const m = PODS.exec(url.pathname);
    if (!m?.[3]) return failureStatus(404, 'NotFound', 'the server could not find the requested resource');
    const pod = pods.get(key(m[1]!, m[2]!));
    if (opts.forbidExec) {
      return failureStatus(
        403,
        'Forbidden',
        `pods "${m[2]}" is forbidden: User "homeport-test" cannot create resource "pods/exec" in API group "" in the namespace "${m[1]}"`,
      );
    }
    if (!pod) return failureStatus(404, 'NotFound', `pods "${m[2]}" not found`);
    const q = url.searchParams;
    const container = q.get('container') ?? '';
    if (!container && pod.containers.length > 1) {
      return failureStatus(
        400,
        'BadRequest',
        `a container name must be specified for pod ${pod.name}, choose one of: [${pod.containers.join(' ')}]`,
      );
    }
    if (container && !pod.containers.includes(container)) {
      return failureStatus(400, 'BadRequest', `container ${container} is not valid for pod ${pod.name}`);
    }
    if (q.getAll('command').length === 0)
      return failureStatus(400, 'BadRequest', 'you must specify at least 1 command');
    if (!['stdin', 'stdout', 'stderr'].some((s) => q.get(s) === 'true')) {
      return failureStatus(400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr');
    }
    return undefined;
  }

  function runCommand(ws: WebSocket, q: URLSearchParams, record: RecordedExec) {
    const [program, ...args] = q.getAll('command');
    const tty = q.get('tty') === 'true';
    const sendStatus = (body: unknown) => {
      ws.send(Buffer.concat([Buffer.of(3), Buffer.from(JSON.stringify(body))]), () => ws.close(1000));
    };
    // The API server first sends an empty message on the lowest output channel: the streams are open.
    ws.send(Buffer.of(1));
    const child = spawn(program!, args, { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    children.add(child);
    const relay = (channel: number, stream: NodeJS.ReadableStream & { pause(): void; resume(): void }) => {
      stream.on('data', (chunk: Buffer) => {
        stream.pause();
        ws.send(Buffer.concat([Buffer.of(channel), chunk]), () => stream.resume());
      });
    };
    relay(1, child.stdout);
    relay(tty ? 1 : 2, child.stderr);
    ws.on('message', (data: Buffer) => {
      if (data.length === 0) return;
      const payload = data.subarray(1);
      if (data[0] === 0 && q.get('stdin') === 'true') {
        if (!child.stdin.write(payload)) {
          ws.pause();
          child.stdin.once('drain', () => ws.resume());
        }
      } else if (data[0] === 4) {
        record.resizes.push(JSON.parse(payload.toString('utf8')) as { Width: number; Height: number });
      } else if (data[0] === 255 && payload[0] === 0 && ws.protocol === 'v5.channel.k8s.io') {
        record.stdinClosed = true;
        child.stdin.end();
      }
    });
    if (q.get('stdin') !== 'true') child.stdin.end();
    child.stdin.on('error', () => undefined);
    ws.on('close', () => child.kill('SIGKILL'));
    child.on('error', (err: NodeJS.ErrnoException) => {
      children.delete(child);
      const why =
        err.code === 'ENOENT'
          ? `exec: "${program}": executable file not found in $PATH`
          : `exec: "${program}": permission denied`;
      const message = `error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: ${why}: unknown`;
      sendStatus({
        ...failureStatus(500, 'InternalError', `Internal error occurred: ${message}`),
        details: { causes: [{ message }] },
      });
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      const rc = signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 0);
      if (rc === 0) return sendStatus({ metadata: {}, status: 'Success' });
      sendStatus({
        metadata: {},
        status: 'Failure',
        message: `command terminated with non-zero exit code: command terminated with exit code ${rc}`,
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: String(rc) }] },
      });
    });
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    execs,
    addPod(pod: FakePod) {
      pods.set(key(pod.namespace ?? 'default', pod.name), pod);
    },
    /** Drops every open exec connection without a status, as a lost network would. */
    dropConnections() {
      for (const ws of sockets) ws.terminate();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const c of children) c.kill('SIGKILL');
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export type FakeExecServer = Awaited<ReturnType<typeof startFakeExecServer>>;

function podObject(pod: FakePod) {
  const running = pod.phase === undefined || pod.phase === 'Running';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod.name, namespace: pod.namespace ?? 'default', annotations: pod.annotations ?? {} },
    spec: { containers: pod.containers.map((name) => ({ name, image: 'test' })) },
    status: {
      phase: pod.phase ?? 'Running',
      containerStatuses: pod.containers.map((name) => ({
        name,
        state: pod.waiting?.[name]
          ? { waiting: { reason: pod.waiting[name] } }
          : running
            ? { running: { startedAt: '2025-01-01T00:00:00Z' } }
            : { terminated: { reason: 'Completed', exitCode: 0 } },
      })),
    },
  };
}
