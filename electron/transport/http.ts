import { timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { isChannel } from '@shared/contract';
import type { Dispatch, Subscribe } from '../api/dispatch';
import { createBatcher, createSubscriptionTable } from './batcher';
import { CONTENT_SECURITY_POLICY } from './csp';

export interface WebServerOptions {
  dispatch: Dispatch;
  subscribe: Subscribe;
  token: string;
  /** The built renderer (index.html and assets). */
  staticDir: string;
  host?: string;
  port?: number;
  batchIntervalMs?: number;
}

const MAX_BODY = 1024 * 1024;
export const TOKEN_PROTOCOL_PREFIX = 'homeport.token.';
export const WS_PROTOCOL = 'homeport.v1';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), id: z.string().min(1).max(100), topic: z.string(), params: z.unknown() }),
  z.object({ type: z.literal('unsubscribe'), id: z.string().min(1).max(100) }),
]);

export function tokensMatch(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Web mode: the same handlers as the desktop app, over HTTP (calls) and one WebSocket
 * (subscriptions). Every API request and the WebSocket need the session token; the WebSocket
 * also needs the page's own Origin; the Host header must name this server (DNS rebinding).
 * Static renderer files carry no secrets and load without the token, which the page reads from
 * its URL fragment (never sent to a server).
 */
export async function startWebServer(opts: WebServerOptions) {
  const host = opts.host ?? '127.0.0.1';
  let port = 0;
  const allowedHosts = () => {
    const names = new Set([host, '127.0.0.1', 'localhost', '[::1]']);
    if (host.includes(':') && !host.startsWith('[')) names.add(`[${host}]`);
    return new Set([...names].map((n) => `${n}:${port}`));
  };
  const ownOrigins = () => new Set([...allowedHosts()].map((h) => `http://${h}`));

  const server = http.createServer((req, res) => {
    void handleRequest(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { ok: false, error: { code: 'INTERNAL', message: 'Request failed' } });
      else res.destroy();
    });
  });

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse) {
    if (!allowedHosts().has(req.headers.host ?? '')) {
      return send(res, 421, { ok: false, error: { code: 'FORBIDDEN', message: 'Unknown Host header' } });
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/api/')) return handleApi(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' });
    return serveStatic(res, url.pathname);
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    const auth = req.headers.authorization ?? '';
    const given = auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (!tokensMatch(opts.token, given)) {
      return send(res, 401, { ok: false, error: { code: 'UNAUTHORIZED', message: 'Missing or wrong session token' } });
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !ownOrigins().has(origin)) {
      return send(res, 403, { ok: false, error: { code: 'FORBIDDEN', message: `Origin ${origin} is not allowed` } });
    }
    const match = /^\/api\/invoke\/([\w:.-]+)$/.exec(safeDecode(url.pathname));
    if (!match || req.method !== 'POST' || !isChannel(match[1] ?? '')) {
      return send(res, 404, {
        ok: false,
        error: { code: 'NOT_FOUND', message: `No API route ${req.method} ${url.pathname}` },
      });
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return send(res, 415, {
        ok: false,
        error: { code: 'INVALID_INPUT', message: 'Send the input as application/json' },
      });
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req)) || '{}');
    } catch (err) {
      const message =
        err instanceof BodyTooLarge ? 'Request body is larger than 1 MB' : 'Request body is not valid JSON';
      return send(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message } });
    }
    const input = typeof body === 'object' && body !== null && 'input' in body ? body.input : undefined;
    // Errors from handlers travel in the envelope with status 200; only transport problems use
    // HTTP statuses.
    return send(res, 200, await opts.dispatch(match[1] ?? '', input));
  }

  async function serveStatic(res: http.ServerResponse, pathname: string) {
    const rel = normalize(safeDecode(pathname)).replace(/^([/\\])+/, '');
    const file = join(opts.staticDir, rel === '' ? 'index.html' : rel);
    if (!file.startsWith(opts.staticDir + sep) && file !== opts.staticDir)
      return send(res, 404, { error: 'not found' });
    let target = file;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      // Client-side routes fall back to the app shell; missing assets are 404s.
      if (extname(rel) !== '') return send(res, 404, { error: 'not found' });
      target = join(opts.staticDir, 'index.html');
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(target)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    createReadStream(target).pipe(res);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 256 * 1024,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  server.on('upgrade', (req, socket, head) => {
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/ws') return reject(404, 'Not Found');
    if (!allowedHosts().has(req.headers.host ?? '')) return reject(421, 'Misdirected Request');
    if (!ownOrigins().has(req.headers.origin ?? '')) return reject(403, 'Forbidden');
    const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const offered = protocols.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length);
    if (!tokensMatch(opts.token, offered)) return reject(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  function serveSocket(ws: WebSocket) {
    const table = createSubscriptionTable();
    const batcher = createBatcher((messages) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(messages));
    }, opts.batchIntervalMs);
    ws.on('message', (data) => {
      let msg;
      try {
        msg = clientMessage.parse(JSON.parse(String(data)));
      } catch {
        ws.close(1008, 'Malformed message');
        return;
      }
      if (msg.type === 'unsubscribe') {
        table.remove(msg.id);
        batcher.drop(msg.id);
        return;
      }
      const id = msg.id;
      const started = opts.subscribe(msg.topic, msg.params, (event) => batcher.push(id, event));
      if (started.ok) table.add(id, started.stop);
      else ws.send(JSON.stringify([{ type: 'error', id, error: started.error }]));
    });
    ws.on('close', () => {
      table.clear();
      batcher.close();
    });
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolvePromise());
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    port,
    url: `http://${urlHost}:${port}/`,
    close: () =>
      new Promise<void>((r) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

class BodyTooLarge extends Error {}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolvePromise(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}
