/**
 * Upgraded requests to the sandbox's API server: pods/{name}/exec over WebSocket and
 * pods/{name}/portforward over WebSocket or SPDY, answered by the runtime's streams. Anything that
 * cannot be served is refused before the upgrade with a Status, as the API server does, so kubectl
 * prints the reason (the simulated runtime names `--runtime docker`).
 */
import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, statusBody } from '../http-util';
import type { ExecTarget, PodStreams } from '../runtime';
import { EXEC_PROTOCOLS, relayExec } from './exec';
import { forwardedPorts, forwardOverChannels, forwardOverSpdy } from './port-forward';

const TUNNEL = 'SPDY/3.1+portforward.k8s.io';
/** `ws` accepts only RFC 7230 tokens as subprotocols; the tunnel's name has a '/', so it travels under this one. */
const TUNNEL_TOKEN = 'homeport-spdy-tunnel';
const FORWARD_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];
const STREAMING = new Set(['exec', 'attach', 'portforward']);

/** Why a streaming subresource is refused without an upgrade (or by the simulated runtime). */
export function streamingRefusal(sub: string, hasStreams: boolean): ApiError {
  if (!hasStreams) {
    const what = sub === 'portforward' ? 'port-forward' : sub;
    return new ApiError(
      400,
      'BadRequest',
      `${what} needs pods that are real processes, and this sandbox simulates its pods: start it with --runtime docker (homeport sandbox --runtime docker, or homeport serve --sandbox --runtime docker) to run them as containers on a local Docker engine`,
    );
  }
  if (sub === 'attach') return new ApiError(400, 'BadRequest', 'the sandbox does not serve attach: use kubectl exec');
  return new ApiError(400, 'BadRequest', 'Upgrade request required');
}

export const isStreamingSubresource = (sub: string | undefined) => sub !== undefined && STREAMING.has(sub);

function refuse(socket: Duplex, err: ApiError) {
  const body = JSON.stringify(statusBody(err));
  const text = { 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error' }[err.code] ?? 'Bad Request';
  socket.end(
    `HTTP/1.1 ${err.code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const offered = (req: http.IncomingMessage) =>
  String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

function pick(req: http.IncomingMessage, supported: string[]): string {
  const wanted = offered(req);
  if (wanted.length === 0) return '';
  const chosen = wanted.find((p) => supported.includes(p));
  if (chosen === undefined) {
    throw new ApiError(
      400,
      'BadRequest',
      `unable to upgrade: unable to match client requested protocol (${wanted.join(', ')}); the sandbox speaks ${supported.join(', ')}`,
    );
  }
  return chosen;
}

/** How long a refused WebSocket exec is answered again for kubectl's SPDY fallback of it. */
export const FALLBACK_WINDOW_MS = 5000;

/** Refused WebSocket execs by request (pod and query), each kept for its fallback's window. */
function recentRefusals() {
  const kept = new Map<string, { err: ApiError; until: number }>();
  return {
    keep(key: string, err: ApiError) {
      const now = Date.now();
      for (const [k, v] of kept) if (v.until <= now) kept.delete(k);
      kept.set(key, { err, until: now + FALLBACK_WINDOW_MS });
    },
    take(key: string): ApiError | undefined {
      const hit = kept.get(key);
      kept.delete(key);
      return hit && hit.until > Date.now() ? hit.err : undefined;
    },
  };
}

export function createUpgradeHandler(deps: { token: string; streams: PodStreams | undefined }) {
  const chosen = new WeakMap<http.IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (_protocols, req) => chosen.get(req) || false,
  });
  wss.on('headers', (headers: string[], req: http.IncomingMessage) => {
    if (chosen.get(req) !== TUNNEL_TOKEN) return;
    const i = headers.findIndex((h) => h.toLowerCase().startsWith('sec-websocket-protocol:'));
    if (i >= 0) headers[i] = `Sec-WebSocket-Protocol: ${TUNNEL}`;
  });

  const accept = (
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    protocol: string,
    then: (ws: WebSocket) => void,
  ) => {
    chosen.set(req, protocol);
    wss.handleUpgrade(req, socket, head, then);
  };

  const refusals = recentRefusals();
  const open = new Set<Duplex>();
  function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer) {
    socket.on('error', () => undefined);
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    try {
      if (req.headers.authorization !== `Bearer ${deps.token}`) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      const url = new URL(req.url ?? '/', 'http://sandbox');
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
      if (!m || !STREAMING.has(m[3] as string)) {
        throw new ApiError(404, 'NotFound', 'the sandbox upgrades only pods/{name}/exec and pods/{name}/portforward');
      }
      const [namespace, name, sub] = [
        decodeURIComponent(m[1] as string),
        decodeURIComponent(m[2] as string),
        m[3] as string,
      ];
      const streams = deps.streams;
      if (!streams || sub === 'attach') throw streamingRefusal(sub, streams !== undefined);
      const websocket = String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
      const q = url.searchParams;
      if (sub === 'exec') {
        // The reason a pod cannot take the exec comes first: kubectl falls back from WebSocket to
        // SPDY on any refusal, so the fallback must be refused with the same reason, even when a
        // crash-looping container has started in between. kubectl makes both requests from one URL
        // (createExecutor in kubectl's pkg/cmd/exec/exec.go), so the pod and query name the retry.
        const key = `${namespace}/${name}${url.search}`;
        const earlier = websocket ? undefined : refusals.take(key);
        if (earlier) throw earlier;
        let target: ExecTarget;
        try {
          target = streams.execTarget(namespace, name, q.get('container'));
        } catch (err) {
          if (websocket && err instanceof ApiError) refusals.keep(key, err);
          throw err;
        }
        if (!websocket) {
          throw new ApiError(
            400,
            'BadRequest',
            'the sandbox serves exec over WebSocket only (v5.channel.k8s.io): use kubectl 1.30 or later, without KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false',
          );
        }
        const command = q.getAll('command');
        if (command.length === 0) throw new ApiError(400, 'BadRequest', 'you must specify at least 1 command');
        const protocol = pick(req, EXEC_PROTOCOLS);
        const opts = { command, stdin: q.get('stdin') === 'true', tty: q.get('tty') === 'true' };
        return accept(req, socket, head, protocol, (ws) =>
          relayExec(ws, protocol, streams.exec(target, opts), command),
        );
      }
      streams.forwardTarget(namespace, name);
      const dial = (port: number) => streams.dial(namespace, name, port);
      if (!websocket) {
        if (!String(req.headers['x-stream-protocol-version'] ?? '').includes('portforward.k8s.io')) {
          throw new ApiError(
            400,
            'BadRequest',
            'unable to upgrade: the client offers no protocol the sandbox speaks (portforward.k8s.io)',
          );
        }
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n',
        );
        const session = forwardOverSpdy(
          (bytes) => void socket.write(bytes),
          () => socket.destroy(),
          dial,
        );
        if (head.length > 0) session.receive(head);
        socket.on('data', (chunk: Buffer) => session.receive(chunk));
        socket.on('close', () => session.close());
        return;
      }
      if (offered(req).includes(TUNNEL)) {
        req.headers['sec-websocket-protocol'] = TUNNEL_TOKEN;
        return accept(req, socket, head, TUNNEL_TOKEN, (ws) => {
          const session = forwardOverSpdy(
            (bytes) => ws.readyState === ws.OPEN && ws.send(bytes, { binary: true }),
            () => ws.close(1000),
            dial,
          );
          ws.on('message', (data: Buffer) => session.receive(data));
          ws.on('close', () => session.close());
        });
      }
      const protocol = pick(req, FORWARD_PROTOCOLS);
      const ports = forwardedPorts(q);
      if (typeof ports === 'string') throw new ApiError(400, 'BadRequest', ports);
      return accept(req, socket, head, protocol, (ws) => forwardOverChannels(ws, protocol, ports, dial));
    } catch (err) {
      refuse(
        socket,
        err instanceof ApiError ? err : new ApiError(500, 'InternalError', `sandbox failed: ${String(err)}`),
      );
    }
  }
  /** Ends every exec and port-forward session (the server is closing). */
  const closeAll = () => {
    for (const s of open) s.destroy();
  };
  return { upgrade, closeAll };
}
