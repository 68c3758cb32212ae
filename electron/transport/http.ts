import { timingSafeEqual } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, relative, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import { isChannel } from '@shared/contract';
import type { Dispatch, Subscribe } from '../api/dispatch';
import { errorMessage } from '../core/errors';
import { CONTENT_SECURITY_POLICY } from './csp';
import { serveSocket, type SocketLimits } from './ws-session';

export interface WebServerOptions {
  dispatch: Dispatch;
  subscribe: Subscribe;
  token: string;
  /** The built renderer (index.html and assets), read once when the server starts. */
  staticDir: string;
  host?: string;
  port?: number;
  batchIntervalMs?: number;
  /** Per-client WebSocket limits (queued bytes, open subscriptions); defaults suit the UI. */
  socketLimits?: Partial<SocketLimits>;
}

const MAX_BODY = 1024 * 1024;
/** Past this much, a client that keeps sending after its 400 is cut off. */
const MAX_DISCARD = 64 * MAX_BODY;
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
  const { files, unread } = await readStaticFiles(opts.staticDir);
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
      if (err instanceof BodyTooLarge) {
        const message = `Request body is larger than ${MAX_BODY / (1024 * 1024)} MB; send a smaller input`;
        return send(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message } });
      }
      return send(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message: 'Request body is not valid JSON' } });
    }
    const input = typeof body === 'object' && body !== null && 'input' in body ? body.input : undefined;
    // Errors from handlers travel in the envelope with status 200; only transport problems use
    // HTTP statuses.
    return send(res, 200, await opts.dispatch(match[1] ?? '', input));
  }

  function serveStatic(res: http.ServerResponse, pathname: string) {
    // Run from source (no build), the API and the WebSocket still work; pages say what is missing.
    if (unread) return send(res, 404, { error: unread });
    // Only names of files read at start are served, so no path can reach outside the folder.
    const rel = slashed(normalize(safeDecode(pathname)).replace(/^([/\\])+/, ''));
    let file = files.get(rel === '' ? 'index.html' : rel);
    if (!file) {
      // Client-side routes fall back to the app shell; missing assets are 404s.
      if (extname(rel) !== '') return send(res, 404, { error: 'not found' });
      file = files.get('index.html');
      if (!file) return send(res, 404, { error: 'not found' });
    }
    res.writeHead(200, {
      'Content-Type': file.type,
      'Content-Length': file.body.length,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    res.end(file.body);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 256 * 1024,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  server.on('upgrade', (req, socket, head) => {
    // Node leaves an upgraded socket without an error listener; a client resetting it mid-way
    // must not take the process down.
    socket.on('error', () => socket.destroy());
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
    wss.handleUpgrade(req, socket, head, (ws) =>
      serveSocket(ws, opts.subscribe, { batchIntervalMs: opts.batchIntervalMs, limits: opts.socketLimits }),
    );
  });

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

interface StaticFile {
  body: Buffer;
  type: string;
}

/**
 * Every file of the built renderer, by its path relative to the folder ('/'-separated). Read
 * once at start (1.4 MB in 32 files): a page load then costs no file system calls, which at a
 * fresh start compete with the first list of a cluster for the main process (about 30 ms of
 * stat, open, read and close while a 5,000-pod list came in, in its CPU profile). A rebuild
 * while the server runs is served after a restart, whole, never half old and half new.
 */
async function readStaticFiles(dir: string): Promise<{ files: Map<string, StaticFile>; unread?: string }> {
  const files = new Map<string, StaticFile>();
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (err) {
    return {
      files,
      unread: `The web page's files cannot be read from ${dir} (${errorMessage(err)}); run npm run build`,
    };
  }
  await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => {
        const path = join(e.parentPath, e.name);
        files.set(slashed(relative(dir, path)), {
          body: await readFile(path),
          type: MIME[extname(e.name)] ?? 'application/octet-stream',
        });
      }),
  );
  return { files };
}

/** A relative file path as the URL names it: '/'-separated on every system. */
const slashed = (path: string) => path.split(sep).join('/');

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Reads a request body of at most MAX_BODY bytes. Past that it keeps reading and discarding (up
 * to a bound) instead of dropping the socket, so the client, still sending, gets the 400.
 */
function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DISCARD) {
        req.destroy();
        return;
      }
      if (size > MAX_BODY) {
        chunks.length = 0;
        reject(new BodyTooLarge());
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
