/**
 * Port-forwards from 127.0.0.1 to pods and Services: each forward listens on one loopback port and
 * opens one port-forward WebSocket per accepted connection, with the context's credentials, TLS,
 * proxy and impersonation (the kube gateway). A forward to a Service keeps the pod it chose until a
 * connection to it fails, then moves new connections to the Service's next ready pod.
 */
import * as net from 'node:net';
import type WebSocket from 'ws';
import { errorMessage, HomeportError } from '../errors';
import { KubeAbortError, KubeRequestError, type KubeGateway } from '../kube/kube-gateway';
import { PORTFORWARD_PROTOCOL, portForwardPath, relayConnection } from './k8s-portforward';
import type { ForwardOptions } from '@shared/portforward-schemas';
import { forwardOptions } from './pod-options';
import { resolvePod, resolveService, type ForwardTarget, type Resolved } from './targets';

/** Forwards listen here only: a forward is a door into the cluster, for this machine alone. */
export const LOOPBACK = '127.0.0.1';

export interface ForwardSpec {
  context: string;
  namespace: string;
  target: ForwardTarget;
  /** The pod's port, or the Service's port: a number or a port name. */
  remote: number | string;
  /** 0 picks a free port. */
  localPort: number;
}

export interface ForwardInfo {
  id: string;
  context: string;
  namespace: string;
  target: ForwardTarget;
  remotePort: number | string;
  localPort: number;
  url: string;
  /** The pod new connections go to, and its port (unknown until a Service's pod is chosen again). */
  pod?: string;
  podPort?: number;
  connections: number;
  startedAt: string;
  /** The last connection that failed, and why (the kubelet's words, or the API server's). */
  lastError?: string;
}

export interface ForwardDeps {
  openGateway(context: string): Promise<KubeGateway>;
  /** Told of each accepted connection, and of each that could not be forwarded (the CLI prints both, as kubectl does). */
  onConnection?(forward: ForwardInfo): void;
  onConnectionError?(forward: ForwardInfo, message: string): void;
  now?: () => Date;
}

const describe = (s: Pick<ForwardSpec, 'target' | 'namespace'>) =>
  `${s.target.kind} ${s.target.name} in namespace ${s.namespace}`;

/**
 * A refused upgrade that says the pod is gone (404), has no node (400), or its node's kubelet
 * cannot be reached (the API server's 5xx "error dialing backend"): another pod may do.
 */
const podGone = (err: unknown) =>
  err instanceof KubeRequestError && (err.status === 404 || err.status === 400 || (err.status ?? 0) >= 500);

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new HomeportError(
            'CONFLICT',
            `local port ${port} on ${LOOPBACK} is already in use; choose another local port, or 0 for a free one`,
          ),
        );
      } else if (err.code === 'EACCES') {
        reject(
          new HomeportError(
            'FORBIDDEN',
            `local port ${port} on ${LOOPBACK} needs privileges this user lacks; choose a port of 1024 or above`,
          ),
        );
      } else reject(new HomeportError('UNAVAILABLE', `cannot listen on ${LOOPBACK}:${port}: ${err.message}`));
    };
    server.once('error', onError);
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

interface Forward {
  info: ForwardInfo;
  stop(): Promise<void>;
}

async function openForward(id: string, spec: ForwardSpec, deps: ForwardDeps): Promise<Forward> {
  const gateway = await deps.openGateway(spec.context);
  const stopper = new AbortController();
  const sockets = new Set<net.Socket>();
  /** Each connection's WebSocket: a stop ends them at once, whatever their close handshake waits for. */
  const streams = new Set<WebSocket>();
  const what = describe(spec);
  let current: Resolved | undefined;
  let resolving: Promise<Resolved> | undefined;

  const resolve = (avoid?: Set<string>) =>
    spec.target.kind === 'pod'
      ? resolvePod(gateway, spec.namespace, spec.target.name, spec.remote, stopper.signal)
      : resolveService(gateway, spec.namespace, spec.target.name, spec.remote, avoid, stopper.signal);

  /** The pod new connections use; concurrent connections share one lookup. */
  const choose = (avoid?: Set<string>): Promise<Resolved> => {
    if (current && !avoid) return Promise.resolve(current);
    resolving ??= resolve(avoid)
      .then((r) => (current = r))
      .finally(() => (resolving = undefined));
    return resolving;
  };

  const upgrade = (to: Resolved) =>
    gateway.websocket(portForwardPath(spec.namespace, to.pod, to.port), {
      protocols: [PORTFORWARD_PROTOCOL],
      signal: stopper.signal,
      // The port prefixes (and an error) may arrive with the handshake, before the relay listens.
      onOpen: (ws) => ws.pause(),
    });

  async function connect() {
    const first = await choose();
    try {
      return { ws: await upgrade(first), to: first };
    } catch (err) {
      if (spec.target.kind !== 'service' || !podGone(err)) throw err;
      // The Service's pod went away: the next ready one takes this and later connections.
      if (current === first) current = undefined;
      const next = await choose(new Set([first.pod]));
      return { ws: await upgrade(next), to: next };
    }
  }

  const failed = (message: string) => {
    info.lastError = `${(deps.now?.() ?? new Date()).toISOString()} ${message}`;
    deps.onConnectionError?.({ ...info }, message);
  };

  async function handle(socket: net.Socket) {
    sockets.add(socket);
    info.connections = sockets.size;
    deps.onConnection?.({ ...info });
    socket.once('close', () => {
      sockets.delete(socket);
      info.connections = sockets.size;
    });
    socket.on('error', () => undefined);
    let opened;
    try {
      opened = await connect();
    } catch (err) {
      socket.destroy();
      if (err instanceof KubeAbortError || stopper.signal.aborted) return;
      // The API server's words need the object named; a lookup's own error already names it.
      const named = err instanceof HomeportError && !(err instanceof KubeRequestError);
      return failed(named ? err.message : `${what}: ${errorMessage(err)}`);
    }
    if (stopper.signal.aborted || socket.destroyed) return opened.ws.terminate();
    streams.add(opened.ws);
    opened.ws.once('close', () => streams.delete(opened.ws));
    info.pod = opened.to.pod;
    info.podPort = opened.to.port;
    const end = await relayConnection(socket, opened.ws, opened.to.port);
    if (!end.error || stopper.signal.aborted) return;
    // Nothing came back: the pod may be on its way out; a Service's next connection looks again.
    if (spec.target.kind === 'service' && end.received === 0 && current === opened.to) current = undefined;
    failed(`pod ${opened.to.pod} port ${opened.to.port}: ${end.error}`);
  }

  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
  let info: ForwardInfo;
  try {
    current = await choose();
    const localPort = await listen(server, spec.localPort);
    info = {
      id,
      context: spec.context,
      namespace: spec.namespace,
      target: spec.target,
      remotePort: spec.remote,
      localPort,
      url: `http://${LOOPBACK}:${localPort}`,
      pod: current.pod,
      podPort: current.port,
      connections: 0,
      startedAt: (deps.now?.() ?? new Date()).toISOString(),
    };
  } catch (err) {
    server.close();
    gateway.close();
    throw err;
  }
  server.on('connection', (socket) => void handle(socket));

  let stopped: Promise<void> | undefined;
  return {
    info,
    stop: () =>
      (stopped ??= new Promise<void>((done) => {
        stopper.abort();
        server.close(() => {
          gateway.close();
          done();
        });
        for (const s of sockets) s.destroy();
        for (const ws of streams) ws.terminate();
      })),
  };
}

/** The forwards of this process: started, listed, stopped; all stopped when Homeport closes. */
export function createForwardManager(deps: ForwardDeps) {
  const forwards = new Map<string, Forward>();
  let next = 1;
  let closed = false;

  return {
    async start(spec: ForwardSpec): Promise<ForwardInfo> {
      if (closed) throw new HomeportError('UNAVAILABLE', 'Homeport is shutting down; no new forwards');
      const id = `pf-${next++}`;
      const forward = await openForward(id, spec, deps);
      forwards.set(id, forward);
      return { ...forward.info };
    },
    list(): ForwardInfo[] {
      return [...forwards.values()].map((f) => ({ ...f.info }));
    },
    async stop(id: string): Promise<void> {
      const forward = forwards.get(id);
      if (!forward) throw new HomeportError('NOT_FOUND', `no active port-forward ${id}; it may have been stopped`);
      forwards.delete(id);
      await forward.stop();
    },
    /** A pod's declared ports and the Services that select it, for the UI to offer. */
    async options(ref: { context: string; namespace: string; name: string }): Promise<ForwardOptions> {
      const gateway = await deps.openGateway(ref.context);
      try {
        return await forwardOptions(gateway, ref.namespace, ref.name);
      } finally {
        gateway.close();
      }
    },
    async stopAll(): Promise<void> {
      closed = true;
      const all = [...forwards.values()];
      forwards.clear();
      await Promise.all(all.map((f) => f.stop()));
    },
  };
}

export type ForwardManager = ReturnType<typeof createForwardManager>;
