/**
 * WebSocket upgrades to the API server (exec, attach, port-forward subresources), sent with exactly
 * the credentials, TLS settings, impersonation headers and proxy of the gateway's other requests.
 */
import type * as http from 'node:http';
import WebSocket from 'ws';
import { redactUrl } from '../redact-url';
import { authHeaders, type GatewaySettings, tlsOptions } from './gateway-settings';
import { classifyNetworkError, KubeAbortError, KubeRequestError, statusError } from './kube-errors';

export interface WebSocketOptions {
  /** Subprotocols in order of preference; the server picks one. */
  protocols: string[];
  signal?: AbortSignal;
  /** Time allowed for the handshake. */
  timeoutMs?: number;
  /**
   * Called the moment the socket opens, before the promise settles: a caller that attaches its
   * listeners later pauses it here, so no message sent right behind the handshake is missed.
   */
  onOpen?: (ws: WebSocket) => void;
}

/** The server URL with the WebSocket scheme and the path appended (its query kept as given). */
function socketUrl(server: string, path: string): URL {
  const base = new URL(server);
  const url = new URL(base.pathname.replace(/\/$/, '') + path, base);
  url.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => {
      // A refusal is a short Status; more than that is not worth keeping.
      if (chunks.length < 16) chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/**
 * One handshake with given settings through `agent` (the gateway's way out: direct or a proxy).
 * Resolves with the open socket; rejects with a KubeRequestError carrying the HTTP status the
 * server refused the upgrade with (its Status message included), or KubeAbortError.
 */
export function connectWebSocket(
  s: GatewaySettings,
  agent: http.Agent,
  path: string,
  opts: WebSocketOptions,
): Promise<WebSocket> {
  const url = socketUrl(s.conn.server, path);
  const shown = redactUrl(s.conn.server);
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new KubeAbortError());
    const ws = new WebSocket(url, opts.protocols, {
      agent,
      headers: { 'User-Agent': 'homeport', ...authHeaders(s) } as Record<string, string>,
      handshakeTimeout: timeoutMs,
      perMessageDeflate: false,
      // The exec streams carry arbitrary output; the API server itself has no message limit.
      maxPayload: 0,
      ...(url.protocol === 'wss:' ? tlsOptions(s) : {}),
    });
    let settled = false;
    const settle = (err: Error | undefined) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) {
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(err);
      } else resolve(ws);
    };
    const onAbort = () => settle(new KubeAbortError());
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    ws.once('open', () => {
      opts.onOpen?.(ws);
      settle(undefined);
    });
    ws.once('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      void readBody(res).then((body) => settle(statusError(status, url.pathname, body, s.conn)));
    });
    ws.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code || !/timed out/i.test(err.message)) {
        settle(err.code ? classifyNetworkError(err, shown, s.conn.proxy) : protocolError(shown, err));
      } else settle(new KubeRequestError('timeout', `${shown} did not answer the upgrade within ${timeoutMs} ms`));
    });
  });
}

/** The handshake completed at the HTTP level but not as a WebSocket (no or an unknown subprotocol). */
function protocolError(server: string, err: Error): KubeRequestError {
  return new KubeRequestError('http', `${server} did not complete the WebSocket handshake: ${err.message}`);
}
