/**
 * The narrow door to one Docker engine: JSON requests and streams over the engine's HTTP API,
 * through a unix socket, TCP with TLS client certificates, or any socket a transport opens (SSH).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import { codeForStatus, HomeportError } from '../errors';
import { chooseApiVersion, isVersionRefusal, MAX_DOCKER_API_VERSION, MIN_DOCKER_API_VERSION } from './api-version';

export type DockerFailureReason = 'unreachable' | 'tls' | 'timeout' | 'http' | 'auth';

/** A failed engine request; status is the HTTP status when the engine answered. */
export class DockerRequestError extends HomeportError {
  constructor(
    readonly reason: DockerFailureReason,
    message: string,
    readonly status?: number,
  ) {
    super(codeForStatus(status), message);
    this.name = 'DockerRequestError';
  }

  /** The engine refused a service update made from an outdated version index. */
  get outOfSequence(): boolean {
    return this.status !== undefined && /update out of sequence/i.test(this.message);
  }
}

/** How to reach the engine's HTTP API. */
export type DockerTransport =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls?: { ca?: string; cert?: string; key?: string } }
  /** A ready-made byte stream per connection, e.g. an SSH channel to the remote socket. */
  | { kind: 'custom'; connect: () => Promise<Duplex>; close?: () => void };

export interface DockerRequestOptions {
  method?: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface DockerClientOptions {
  /** The API version negotiated with this engine before (a cache): no `/_ping` unless the engine refuses it. */
  apiVersion?: string;
  /** Called with the version each negotiation settles on, to be cached per endpoint. */
  onApiVersion?(version: string): void;
}

/** A hijacked connection (exec, attach): the raw socket after HTTP 101 and what came with the headers. */
export interface UpgradedStream {
  socket: Duplex;
  /** Bytes the engine sent right after the headers. */
  head: Buffer;
  /**
   * What the engine says the stream is: `application/vnd.docker.multiplexed-stream` (8-byte frame
   * headers) or `.raw-stream`. Engines before API 1.42 say raw-stream either way; like the docker
   * CLI, read the framing from whether a TTY was asked for.
   */
  contentType: string;
}

interface Opened {
  res: http.IncomingMessage;
  req: http.ClientRequest;
  upgraded?: { socket: Duplex; head: Buffer };
}

export interface DockerClient {
  /** Where the engine is, for messages ('unix:///var/run/docker.sock'). */
  readonly address: string;
  request<T>(path: string, opts?: DockerRequestOptions): Promise<T>;
  /** A streaming GET (events, logs): onData gets raw bytes until the engine ends or signal aborts. */
  stream(path: string, onData: (chunk: Buffer) => void, opts?: DockerRequestOptions): Promise<void>;
  /**
   * A POST that hijacks the connection (Connection: Upgrade, Upgrade: tcp), as exec start and attach
   * do; the body is sent as JSON. Non-101 answers reject with the engine's message and status.
   * Every client createDockerClient makes has it; test doubles of the JSON API may leave it out.
   */
  upgrade?(path: string, opts?: DockerRequestOptions): Promise<UpgradedStream>;
  close(): void;
}

function engineMessage(body: string): string {
  try {
    const msg = (JSON.parse(body) as { message?: unknown }).message;
    return typeof msg === 'string' ? msg : body.trim();
  } catch {
    return body.trim();
  }
}

export function classifyDockerError(err: NodeJS.ErrnoException, address: string): DockerRequestError {
  const code = err.code ?? '';
  if (
    ['ENOENT', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET'].includes(code)
  ) {
    const hint =
      code === 'ENOENT'
        ? 'no socket there; is Docker running, and is this the right path?'
        : 'is the Docker engine running and the address right?';
    return new DockerRequestError('unreachable', `Cannot reach the Docker engine at ${address} (${code}): ${hint}`);
  }
  if (code === 'EACCES') {
    return new DockerRequestError(
      'auth',
      `Permission denied on ${address}: add your user to the 'docker' group or use an endpoint you may access`,
    );
  }
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SELF_SIGNED|UNABLE_TO/.test(code)) {
    return new DockerRequestError(
      'tls',
      `TLS with ${address} failed (${code}: ${err.message}); check the CA, client certificate and key`,
    );
  }
  return new DockerRequestError('unreachable', `Request to the Docker engine at ${address} failed: ${err.message}`);
}

function describe(t: DockerTransport, label?: string): string {
  if (label) return label;
  if (t.kind === 'unix') return `unix://${t.socketPath}`;
  if (t.kind === 'tcp') return `tcp://${t.host}:${t.port}`;
  return 'the engine';
}

/**
 * Builds a client; `address` names the endpoint in every error message. The Engine API version is
 * negotiated on the first request (GET /_ping) and kept for the client's life.
 */
export function createDockerClient(
  transport: DockerTransport,
  address = describe(transport),
  options: DockerClientOptions = {},
): DockerClient {
  let agent: http.Agent;
  let secure = false;
  if (transport.kind === 'unix') {
    agent = new http.Agent({ keepAlive: true });
  } else if (transport.kind === 'tcp' && transport.tls) {
    secure = true;
    agent = new https.Agent({ keepAlive: true, ...transport.tls, rejectUnauthorized: true });
  } else if (transport.kind === 'tcp') {
    agent = new http.Agent({ keepAlive: true });
  } else {
    const connect = transport.connect;
    // Each HTTP connection is a fresh stream from the transport (an SSH channel, for example).
    class StreamAgent extends http.Agent {
      override createConnection(
        _options: unknown,
        callback?: (err: Error | null, socket: Duplex) => void,
      ): Duplex | undefined {
        connect().then(
          (socket) => callback?.(null, socket),
          (err: Error) => callback?.(err, undefined as unknown as Duplex),
        );
        return undefined;
      }
    }
    agent = new StreamAgent({ keepAlive: false });
  }

  function open(path: string, opts: DockerRequestOptions): Promise<Opened> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) query.set(k, String(v));
    const qs = query.toString();
    const fullPath = `${path}${qs ? `?${qs}` : ''}`;
    // Over TCP the Host header names the real host: TLS checks the engine's certificate against it.
    const hostHeader =
      transport.kind === 'tcp'
        ? `${transport.host.includes(':') ? `[${transport.host}]` : transport.host}:${transport.port}`
        : 'docker';
    const headers: Record<string, string> = { Host: hostHeader, ...opts.headers };
    let payload: string | undefined;
    if (opts.body !== undefined) {
      payload = JSON.stringify(opts.body);
      headers['Content-Type'] = 'application/json';
    }
    const base: http.RequestOptions = { method: opts.method ?? 'GET', path: fullPath, headers, agent };
    if (transport.kind === 'unix') base.socketPath = transport.socketPath;
    if (transport.kind === 'tcp') Object.assign(base, { host: transport.host, port: transport.port });
    const timeoutMs = opts.timeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new DockerRequestError('timeout', 'The request was cancelled'));
      const req = (secure ? https : http).request(base);
      const timer = setTimeout(() => {
        req.destroy();
        reject(
          new DockerRequestError('timeout', `The Docker engine at ${address} did not answer within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      const onAbort = () => {
        clearTimeout(timer);
        req.destroy();
        reject(new DockerRequestError('timeout', 'The request was cancelled'));
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (secure && err.code === 'ECONNRESET') {
          // With TLS 1.3 an engine that refuses the client certificate just closes the connection.
          reject(
            new DockerRequestError(
              'tls',
              `${address} closed the TLS connection before answering (ECONNRESET): the engine may not accept the client certificate; check that the CA, client certificate and key belong to this engine`,
            ),
          );
          return;
        }
        reject(classifyDockerError(err, address));
      });
      req.on('upgrade', (res, socket, head) => {
        clearTimeout(timer);
        // The hijacked stream belongs to the caller from now on, cancellation included.
        opts.signal?.removeEventListener('abort', onAbort);
        resolve({ res, req, upgraded: { socket, head } });
      });
      req.on('response', (res) => {
        clearTimeout(timer);
        // Abort still ends the body; the listener goes with the response, so a long-lived signal
        // shared by many requests does not collect listeners.
        res.once('close', () => opts.signal?.removeEventListener('abort', onAbort));
        resolve({ res, req });
      });
      req.end(payload);
    });
  }

  const timeoutOf = (opts: DockerRequestOptions) => (opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {});

  function readAll(res: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
      res.on('close', () => {
        if (!res.complete)
          reject(new DockerRequestError('unreachable', `The Docker engine at ${address} dropped the connection`));
      });
    });
  }

  let version: Promise<string> | undefined;
  let cached = options.apiVersion;

  async function negotiate(opts: DockerRequestOptions): Promise<string> {
    const { res } = await open('/_ping', { ...(opts.signal ? { signal: opts.signal } : {}), ...timeoutOf(opts) });
    const body = await readAll(res);
    const header = res.headers['api-version'];
    const advertised = Array.isArray(header) ? header[0] : header;
    const status = res.statusCode ?? 0;
    if (advertised === undefined && (status < 200 || status >= 300)) {
      throw new DockerRequestError('http', `${address}: /_ping: ${engineMessage(body) || `HTTP ${status}`}`, status);
    }
    const chosen = chooseApiVersion(advertised);
    if ('refused' in chosen) throw new DockerRequestError('http', `${address}: ${chosen.refused}`, status);
    options.onApiVersion?.(chosen.version);
    return chosen.version;
  }

  /** The version to put in request paths: negotiated once, shared by concurrent requests. */
  function apiVersion(opts: DockerRequestOptions): Promise<string> {
    if (cached !== undefined) return Promise.resolve(cached);
    version ??= negotiate(opts).catch((err: unknown) => {
      version = undefined;
      throw err;
    });
    return version;
  }

  /**
   * Opens a versioned request. An engine refusing a cached version (upgraded since) is asked again
   * once; one refusing the negotiated version is named with the range Homeport speaks.
   */
  async function openVersioned(path: string, opts: DockerRequestOptions) {
    for (let attempt = 0; ; attempt++) {
      const fromCache = cached !== undefined;
      const v = await apiVersion(opts);
      const opened = await open(`/v${v}${path}`, opts);
      const status = opened.res.statusCode ?? 0;
      if (status !== 400) return opened;
      const body = await readAll(opened.res);
      const message = engineMessage(body);
      if (isVersionRefusal(status, message)) {
        if (fromCache && attempt === 0) {
          cached = undefined;
          continue;
        }
        throw new DockerRequestError(
          'http',
          `${address} refused Engine API ${v} (${message}); Homeport speaks ${MIN_DOCKER_API_VERSION} to ${MAX_DOCKER_API_VERSION}: use a Homeport release that speaks this engine's API`,
          status,
        );
      }
      throw new DockerRequestError('http', `${address}: ${message || `HTTP ${status}`}`, status);
    }
  }

  async function request<T>(path: string, opts: DockerRequestOptions = {}): Promise<T> {
    const { res } = await openVersioned(path, opts);
    const body = await readAll(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      throw new DockerRequestError('http', `${address}: ${engineMessage(body) || `HTTP ${status}`}`, status);
    }
    if (body === '') return undefined as T;
    try {
      return JSON.parse(body) as T;
    } catch {
      return body as T;
    }
  }

  async function upgrade(path: string, opts: DockerRequestOptions = {}): Promise<UpgradedStream> {
    const headers = { ...opts.headers, Connection: 'Upgrade', Upgrade: 'tcp' };
    const { res, upgraded } = await openVersioned(path, { ...opts, headers });
    const status = res.statusCode ?? 0;
    if (upgraded) {
      return { ...upgraded, contentType: res.headers['content-type'] ?? '' };
    }
    const body = await readAll(res);
    if (status >= 200 && status < 300) {
      // Engines before API 1.42 may answer 200 and still hijack: Homeport does not speak that.
      throw new DockerRequestError('http', `${address}: the engine did not switch protocols for ${path}`, status);
    }
    throw new DockerRequestError('http', `${address}: ${engineMessage(body) || `HTTP ${status}`}`, status);
  }

  async function stream(path: string, onData: (chunk: Buffer) => void, opts: DockerRequestOptions = {}) {
    const { res, req } = await openVersioned(path, { ...opts, timeoutMs: opts.timeoutMs ?? 15_000 });
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const body = await readAll(res);
      throw new DockerRequestError('http', `${address}: ${engineMessage(body) || `HTTP ${status}`}`, status);
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        req.destroy();
        resolve();
      };
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      res.once('close', () => opts.signal?.removeEventListener('abort', onAbort));
      res.on('data', (c: Buffer) => onData(c));
      res.on('end', () => resolve());
      res.on('close', () =>
        res.complete || opts.signal?.aborted
          ? resolve()
          : reject(new DockerRequestError('unreachable', `The Docker engine at ${address} dropped the connection`)),
      );
      res.on('error', (err: NodeJS.ErrnoException) =>
        opts.signal?.aborted ? resolve() : reject(classifyDockerError(err, address)),
      );
    });
  }

  return {
    address,
    request,
    stream,
    upgrade,
    close() {
      agent.destroy();
      if (transport.kind === 'custom') transport.close?.();
    },
  };
}
