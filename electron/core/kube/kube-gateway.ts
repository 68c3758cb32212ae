import * as http from 'node:http';
import * as https from 'node:https';
import type { ConnectionFailureReason } from '@shared/contract';
import type { ExecCredential } from './exec-credential';
import type { KubeConnection } from './kube-connection';
import { splitLines, type WatchEvent, parseWatchEvent } from './kube-stream';
import { redactUrl } from '../redact-url';

/** A failed request to an API server, classified so the UI can say what to do. */
export class KubeRequestError extends Error {
  constructor(
    readonly reason: ConnectionFailureReason,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'KubeRequestError';
  }
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

export function classifyNetworkError(err: NodeJS.ErrnoException, server: string): KubeRequestError {
  const code = err.code ?? '';
  if (UNREACHABLE_CODES.has(code)) {
    return new KubeRequestError(
      'unreachable',
      `Cannot reach ${server} (${code}). Is the API server running and the address right?`,
    );
  }
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')) {
    return new KubeRequestError(
      'tls',
      `TLS verification of ${server} failed (${code}: ${err.message}). Check the cluster's certificate-authority in the kubeconfig.`,
    );
  }
  return new KubeRequestError('unreachable', `Request to ${server} failed: ${err.message}`);
}

export interface RequestOptions {
  timeoutMs?: number;
  method?: string;
  /** Sent as JSON unless it is already a string. */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

export interface StreamOptions {
  signal?: AbortSignal;
  /** Give up when the server sends nothing at all (not even a bookmark) for this long. */
  idleTimeoutMs?: number;
  /** Time allowed for the response headers. */
  connectTimeoutMs?: number;
  /** Called once the server has answered 2xx and the body starts. */
  onOpen?: () => void;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

/** What a list of any kind looks like on the wire, as far as paging needs. */
interface KubeList<T> {
  items?: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** Thrown when the caller's AbortSignal fired; callers that aborted on purpose ignore it. */
export class KubeAbortError extends Error {
  constructor() {
    super('The request was cancelled');
    this.name = 'KubeAbortError';
  }
}

/**
 * The narrow door to one API server: plain HTTP(S) with the context's TLS settings and
 * credentials. Everything Kubernetes-specific above it goes through request, listAll, stream
 * and watch.
 */
export function createKubeGateway(conn: KubeConnection, credential?: ExecCredential) {
  const url = new URL(conn.server);
  // What messages show: a password in the server URL stays out of them.
  const shown = redactUrl(conn.server);
  const isHttps = url.protocol === 'https:';
  const agentOptions: https.AgentOptions = {
    keepAlive: true,
    ca: conn.ca,
    cert: credential?.clientCertificateData ?? conn.cert,
    key: credential?.clientKeyData ?? conn.key,
    rejectUnauthorized: !conn.insecureSkipTlsVerify,
    servername: conn.tlsServerName,
  };
  const agent = isHttps ? new https.Agent(agentOptions) : new http.Agent({ keepAlive: true });
  const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'homeport' };
  const token = credential?.token ?? conn.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  else if (conn.basic) {
    headers.Authorization = `Basic ${Buffer.from(`${conn.basic.username}:${conn.basic.password}`).toString('base64')}`;
  }

  const target = (path: string) => new URL(url.pathname.replace(/\/$/, '') + path, url);

  function statusError(status: number, path: string, body: string): KubeRequestError {
    if (status === 401 || status === 403) {
      return new KubeRequestError(
        'unauthorized',
        status === 401
          ? `${shown} refused the credentials of context '${conn.context}' (HTTP 401${statusMessage(body)}). Check the user's token or certificate.`
          : `Context '${conn.context}' is not allowed to do this (HTTP 403${statusMessage(body)}). Ask the cluster admin for the RBAC permission.`,
        status,
      );
    }
    return new KubeRequestError('http', `${shown} answered HTTP ${status} for ${path}${statusMessage(body)}`, status);
  }

  /**
   * Sends one request and hands back the response once its headers arrive; rejects on network
   * errors, on abort and when the headers take longer than timeoutMs.
   */
  function open(path: string, opts: RequestOptions): Promise<{ res: http.IncomingMessage; req: http.ClientRequest }> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const reqHeaders = { ...headers };
    let payload: string | undefined;
    if (opts.body !== undefined) {
      payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      reqHeaders['Content-Type'] = opts.contentType ?? 'application/json';
    }
    return new Promise((resolvePromise, reject) => {
      if (opts.signal?.aborted) {
        reject(new KubeAbortError());
        return;
      }
      const req = (isHttps ? https : http).request(target(path), {
        method: opts.method ?? 'GET',
        agent,
        headers: reqHeaders,
      });
      const onAbort = () => {
        req.destroy();
        reject(new KubeAbortError());
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new KubeRequestError('timeout', `${shown} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        reject(opts.signal?.aborted ? new KubeAbortError() : classifyNetworkError(err, shown));
      });
      req.on('response', (res) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        resolvePromise({ res, req });
      });
      req.end(payload);
    });
  }

  /** Reads a whole body, within the time left of timeoutMs, honouring abort. */
  function readBody(res: http.IncomingMessage, req: http.ClientRequest, opts: RequestOptions): Promise<string> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise((resolvePromise, reject) => {
      const chunks: string[] = [];
      const done = (err?: Error) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolvePromise(chunks.join(''));
      };
      const onAbort = () => {
        req.destroy();
        done(new KubeAbortError());
      };
      const timer = setTimeout(() => {
        req.destroy();
        done(new KubeRequestError('timeout', `${shown} did not finish answering within ${timeoutMs} ms`));
      }, timeoutMs);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => chunks.push(chunk));
      res.on('error', (err: NodeJS.ErrnoException) => done(classifyNetworkError(err, shown)));
      res.on('aborted', () => done(new KubeRequestError('unreachable', `${shown} dropped the connection`)));
      res.on('end', () => done());
    });
  }

  /** Any request with a JSON answer; non-2xx statuses become KubeRequestError with the status. */
  async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    const { res, req } = await open(path, opts);
    const body = await readBody(res, req, opts);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw statusError(status, path, body);
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new KubeRequestError('http', `${shown} answered ${path} with something that is not JSON`, status);
    }
  }

  function getJson<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return request<T>(path, { ...opts, method: opts.method ?? 'GET' });
  }

  /**
   * Lists every item of a collection in pages (limit + continue), so a 5,000-pod cluster never
   * arrives as one giant response. An expired continue token surfaces as HTTP 410.
   */
  async function listAll<T>(path: string, opts: RequestOptions & { pageSize?: number } = {}): Promise<ListResult<T>> {
    const items: T[] = [];
    let cont = '';
    let resourceVersion = '';
    const sep = path.includes('?') ? '&' : '?';
    do {
      const page = await getJson<KubeList<T>>(
        `${path}${sep}limit=${opts.pageSize ?? 500}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
        opts,
      );
      for (const item of page.items ?? []) items.push(item);
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      cont = page.metadata?.continue ?? '';
    } while (cont);
    return { items, resourceVersion };
  }

  /**
   * A streaming GET (logs, watches): calls onData with each chunk of text and resolves when the
   * server ends the response. Rejects on HTTP errors, dropped connections, abort and silence
   * longer than idleTimeoutMs.
   */
  async function stream(path: string, onData: (text: string) => void, opts: StreamOptions = {}): Promise<void> {
    const { res, req } = await open(path, { signal: opts.signal, timeoutMs: opts.connectTimeoutMs ?? 15_000 });
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const body = await readBody(res, req, { signal: opts.signal });
      throw statusError(status, path, body);
    }
    await new Promise<void>((resolvePromise, reject) => {
      let idle: NodeJS.Timeout | undefined;
      let settled = false;
      const done = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) {
          req.destroy();
          reject(err);
        } else resolvePromise();
      };
      const armIdle = () => {
        if (!opts.idleTimeoutMs) return;
        clearTimeout(idle);
        idle = setTimeout(
          () =>
            done(
              new KubeRequestError(
                'timeout',
                `${shown} sent nothing for ${Math.round(opts.idleTimeoutMs! / 1000)} s; the connection looks dead`,
              ),
            ),
          opts.idleTimeoutMs,
        );
      };
      const onAbort = () => done(new KubeAbortError());
      if (opts.signal?.aborted) return done(new KubeAbortError());
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      armIdle();
      opts.onOpen?.();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (settled) return;
        armIdle();
        // A consumer that cannot take a chunk (malformed event, in-stream error) ends the stream.
        try {
          onData(chunk);
        } catch (err) {
          done(err instanceof Error ? err : new Error(String(err)));
        }
      });
      res.on('aborted', () => done(new KubeRequestError('unreachable', `${shown} dropped the connection`)));
      res.on('error', (err: NodeJS.ErrnoException) => done(classifyNetworkError(err, shown)));
      res.on('end', () => done());
      res.on('close', () => {
        // A socket destroyed mid-body shows up as close without end on some Node versions.
        if (!res.complete) done(new KubeRequestError('unreachable', `${shown} dropped the connection`));
      });
    });
  }

  /** A watch: newline-delimited JSON events over one streaming GET. */
  function watch(path: string, onEvent: (event: WatchEvent) => void, opts: StreamOptions = {}): Promise<void> {
    const lines = splitLines((line) => onEvent(parseWatchEvent(line)));
    return stream(path, lines.push, opts).then(lines.end);
  }

  return { getJson, request, listAll, stream, watch, server: shown, close: () => agent.destroy() };
}

export type KubeGateway = ReturnType<typeof createKubeGateway>;

export function statusMessage(body: string): string {
  try {
    // Kubernetes Status objects say `message`; services behind the API server's proxy (Prometheus) say `error`.
    const parsed = JSON.parse(body) as { message?: unknown; error?: unknown };
    const msg = typeof parsed.message === 'string' && parsed.message ? parsed.message : parsed.error;
    return typeof msg === 'string' && msg ? `: ${msg}` : '';
  } catch {
    return '';
  }
}
