import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { ExecCredential } from './exec-credential';
import { authHeaders, createSettingsHolder, type GatewaySettings, type Renew, tlsOptions } from './gateway-settings';
import type { KubeConnection } from './kube-connection';
import { createProxyAgent } from './proxy';
import { classifyNetworkError, KubeAbortError, KubeRequestError, statusError } from './kube-errors';
import {
  createBodyText,
  pacedReading,
  parseWatchEvent,
  splitLines,
  type StreamPace,
  type WatchEvent,
} from './kube-stream';
import { cutManagedFields, cutManagedFieldsText } from './managed-fields';
import { connectWebSocket, type WebSocketOptions } from './kube-websocket';
import { listPages, type ListResult, type PagingOptions } from './list-pages';
import { redactUrl } from '../redact-url';

export type { ListResult } from './list-pages';

// The errors live in their own file; callers keep importing them from the gateway.
export { classifyNetworkError, KubeAbortError, KubeRequestError, statusMessage } from './kube-errors';

export interface RequestOptions {
  timeoutMs?: number;
  method?: string;
  /** Sent as JSON unless it is already a string. */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /**
   * Leaves every object's metadata.managedFields out of the answer before it is parsed (see
   * managed-fields.ts): for callers that summarise objects and never read it.
   */
  dropManagedFields?: boolean;
}

export interface StreamOptions {
  signal?: AbortSignal;
  /** Give up when the server sends nothing at all (not even a bookmark) for this long. */
  idleTimeoutMs?: number;
  /** Time allowed for the response headers. */
  connectTimeoutMs?: number;
  /** Called once the server has answered 2xx and the body starts. */
  onOpen?: () => void;
  /** Reads the body in bursts while `pace.ms()` is above 0 (see StreamPace). */
  pace?: StreamPace;
  /** For watches: each event's object comes without metadata.managedFields (see RequestOptions). */
  dropManagedFields?: boolean;
}

export interface GatewayOptions {
  /**
   * Fresh settings when a request fails in a way new settings can fix (401, TLS, unreachable) or
   * the plugin's credential has expired. Each request is retried at most once, and only when the
   * settings did change. Without it, a gateway still re-reads its tokenFile after a 401.
   */
  renew?: Renew;
}

/**
 * The narrow door to one API server: plain HTTP(S) with the context's TLS settings, proxy and
 * credentials, taken per request so that renewed ones apply at once. Everything
 * Kubernetes-specific above it goes through request, listAll, stream and watch.
 */
export function createKubeGateway(conn: KubeConnection, credential?: ExecCredential, options: GatewayOptions = {}) {
  const settings = createSettingsHolder({ conn, credential }, options.renew);
  const agents = new Map<string, http.Agent>();
  const server = () => settings.current.conn.server;
  // What messages show: a password in the server URL stays out of them.
  const shown = () => redactUrl(server());

  /** One keep-alive agent per way out (direct or a proxy); TLS options pool within it. */
  function agentFor(s: GatewaySettings, isHttps: boolean): http.Agent {
    const proxy = s.conn.proxy;
    const key = `${isHttps ? 'https' : 'http'} ${proxy?.href ?? 'direct'}`;
    let agent = agents.get(key);
    if (!agent) {
      agent = proxy
        ? createProxyAgent(proxy, isHttps)
        : isHttps
          ? new https.Agent({ keepAlive: true })
          : new http.Agent({ keepAlive: true });
      agents.set(key, agent);
    }
    return agent;
  }

  /** One attempt with given settings: resolves once the response headers arrive. */
  function send(
    s: GatewaySettings,
    path: string,
    opts: RequestOptions,
    payload: string | undefined,
  ): Promise<{ res: http.IncomingMessage; req: http.ClientRequest }> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const url = new URL(s.conn.server);
    const isHttps = url.protocol === 'https:';
    const headers: http.OutgoingHttpHeaders = {
      Accept: 'application/json',
      'User-Agent': 'homeport',
      ...authHeaders(s),
    };
    if (payload !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
    return new Promise((resolvePromise, reject) => {
      if (opts.signal?.aborted) {
        reject(new KubeAbortError());
        return;
      }
      const req = (isHttps ? https : http).request(new URL(url.pathname.replace(/\/$/, '') + path, url), {
        method: opts.method ?? 'GET',
        agent: agentFor(s, isHttps),
        headers,
        ...(isHttps ? tlsOptions(s) : {}),
      });
      const onAbort = () => {
        req.destroy();
        reject(new KubeAbortError());
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new KubeRequestError('timeout', `${redactUrl(s.conn.server)} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        reject(
          opts.signal?.aborted
            ? new KubeAbortError()
            : classifyNetworkError(err, redactUrl(s.conn.server), s.conn.proxy),
        );
      });
      req.on('response', (res) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        resolvePromise({ res, req });
      });
      req.end(payload);
    });
  }

  /**
   * Sends one request and hands back the response once its headers arrive; rejects on network
   * errors, on abort and when the headers take longer than timeoutMs. A 401, a TLS failure or an
   * unreachable server gets one more attempt when fresh settings differ from the ones that failed.
   */
  async function open(
    path: string,
    opts: RequestOptions,
  ): Promise<{ res: http.IncomingMessage; req: http.ClientRequest; used: GatewaySettings }> {
    const payload =
      opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const used = await settings.ready();
    let first;
    try {
      first = await send(used, path, opts, payload);
    } catch (err) {
      // Only a request the server never saw is sent again: the kubeconfig may point elsewhere now.
      if (!(err instanceof KubeRequestError) || !err.notSent || (err.reason !== 'tls' && err.reason !== 'unreachable'))
        throw err;
      const next = await settings.after(used, err.reason).catch(() => undefined);
      if (!next) throw err;
      return { ...(await send(next, path, opts, payload)), used: next };
    }
    if (first.res.statusCode !== 401) return { ...first, used };
    let next;
    try {
      next = await settings.after(used, 'unauthorized');
    } catch (err) {
      // The renewal failed (the plugin, the consent, the kubeconfig): that says more than the 401.
      first.res.resume();
      throw err;
    }
    if (!next) return { ...first, used };
    first.res.resume();
    return { ...(await send(next, path, opts, payload)), used: next };
  }

  /** Reads a whole body, within the time left of timeoutMs, honouring abort. */
  function readBody(
    res: http.IncomingMessage,
    req: http.ClientRequest,
    opts: RequestOptions,
    onFirstChunk?: (chunk: Buffer) => void,
  ): Promise<string> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise((resolvePromise, reject) => {
      const body = createBodyText(opts.dropManagedFields ? cutManagedFields : undefined);
      const done = (err?: Error) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolvePromise(body.text());
      };
      const onAbort = () => {
        req.destroy();
        done(new KubeAbortError());
      };
      const timer = setTimeout(() => {
        req.destroy();
        done(new KubeRequestError('timeout', `${shown()} did not finish answering within ${timeoutMs} ms`));
      }, timeoutMs);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      res.on('data', (chunk: Buffer) => {
        if (onFirstChunk) {
          onFirstChunk(chunk);
          onFirstChunk = undefined;
        }
        body.write(chunk);
      });
      res.on('error', (err: NodeJS.ErrnoException) => done(classifyNetworkError(err, shown())));
      res.on('aborted', () => done(new KubeRequestError('unreachable', `${shown()} dropped the connection`)));
      res.on('end', () => done());
    });
  }

  /** Any request with a JSON answer; non-2xx statuses become KubeRequestError with the status. */
  async function request<T>(
    path: string,
    opts: RequestOptions = {},
    onFirstChunk?: (chunk: Buffer) => void,
  ): Promise<T> {
    const { res, req, used } = await open(path, opts);
    const body = await readBody(res, req, opts, onFirstChunk);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw statusError(status, path, body, used.conn);
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new KubeRequestError('http', `${shown()} answered ${path} with something that is not JSON`, status);
    }
  }

  function getJson<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return request<T>(path, { ...opts, method: opts.method ?? 'GET' });
  }

  /** Every item of a collection, in pages (see listPages). */
  function listAll<T>(path: string, opts: RequestOptions & PagingOptions = {}): Promise<ListResult<T>> {
    return listPages<T>(
      (pagePath, onFirstChunk) => request(pagePath, { ...opts, method: 'GET' }, onFirstChunk),
      path,
      opts,
    );
  }

  /**
   * A streaming GET (logs, watches): calls onData with each chunk of text and resolves when the
   * server ends the response. Rejects on HTTP errors, dropped connections, abort and silence
   * longer than idleTimeoutMs.
   */
  async function stream(path: string, onData: (text: string) => void, opts: StreamOptions = {}): Promise<void> {
    const { res, req, used } = await open(path, { signal: opts.signal, timeoutMs: opts.connectTimeoutMs ?? 15_000 });
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const body = await readBody(res, req, { signal: opts.signal });
      throw statusError(status, path, body, used.conn);
    }
    await new Promise<void>((resolvePromise, reject) => {
      let idle: NodeJS.Timeout | undefined;
      let settled = false;
      // A pause never outlasts a quarter of the silence that counts as a dead link.
      const pacing = opts.pace && pacedReading(res, opts.pace, (opts.idleTimeoutMs ?? Infinity) / 4);
      const done = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        pacing?.stop();
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) {
          req.destroy();
          reject(err);
        } else resolvePromise();
      };
      const armIdle = () => {
        if (!opts.idleTimeoutMs) return;
        // A watch re-arms on every chunk: restarting the one timer costs less than a new one.
        if (idle) {
          idle.refresh();
          return;
        }
        idle = setTimeout(
          () =>
            done(
              new KubeRequestError(
                'timeout',
                `${shown()} sent nothing for ${Math.round(opts.idleTimeoutMs! / 1000)} s; the connection looks dead`,
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
        pacing?.afterData();
      });
      res.on('aborted', () => done(new KubeRequestError('unreachable', `${shown()} dropped the connection`)));
      res.on('error', (err: NodeJS.ErrnoException) => done(classifyNetworkError(err, shown())));
      res.on('end', () => done());
      res.on('close', () => {
        // A socket destroyed mid-body shows up as close without end on some Node versions.
        if (!res.complete) done(new KubeRequestError('unreachable', `${shown()} dropped the connection`));
      });
    });
  }

  /** A watch: newline-delimited JSON events over one streaming GET. */
  function watch(path: string, onEvent: (event: WatchEvent) => void, opts: StreamOptions = {}): Promise<void> {
    const lines = splitLines((line) =>
      onEvent(parseWatchEvent(opts.dropManagedFields ? cutManagedFieldsText(line) : line)),
    );
    return stream(path, lines.push, opts).then(lines.end);
  }

  /**
   * A WebSocket upgrade (exec, attach, port-forward), retried once like any request when the
   * server refused the credentials or could not be reached and fresh settings differ.
   */
  async function websocket(path: string, opts: WebSocketOptions) {
    const used = await settings.ready();
    const attempt = (s: GatewaySettings) =>
      connectWebSocket(s, agentFor(s, new URL(s.conn.server).protocol === 'https:'), path, opts);
    try {
      return await attempt(used);
    } catch (err) {
      if (!(err instanceof KubeRequestError)) throw err;
      const network = err.notSent && (err.reason === 'tls' || err.reason === 'unreachable');
      if (err.status !== 401 && !network) throw err;
      const next =
        err.status === 401
          ? await settings.after(used, 'unauthorized')
          : await settings.after(used, err.reason as 'tls' | 'unreachable').catch(() => undefined);
      if (!next) throw err;
      return attempt(next);
    }
  }

  const gateway = {
    getJson,
    request,
    listAll,
    stream,
    watch,
    websocket,
    /** The server requests go to now (the kubeconfig may have moved it). */
    get server() {
      return server();
    },

    close() {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
  clusters.set(gateway, () => {
    const { conn: c } = settings.current;
    return `${c.server} ${c.ca ? createHash('sha256').update(c.ca).digest('hex') : ''} ${c.tlsServerName ?? ''}`;
  });
  return gateway;
}

const clusters = new WeakMap<object, () => string>();

/**
 * Which cluster a gateway's requests reach now: the server and the CA that vouches for it. When it
 * changes (a reinstalled cluster, an edited kubeconfig), resourceVersions from before mean nothing.
 */
export function clusterOf(gateway: Pick<KubeGateway, 'server'>): string {
  return clusters.get(gateway)?.() ?? gateway.server;
}

export type KubeGateway = ReturnType<typeof createKubeGateway>;
