/**
 * A small Prometheus HTTP API client (query and query_range), either straight to a Prometheus
 * base URL or through the Kubernetes API server's Service proxy. Failures are classified so the
 * Metrics screen can say what to do.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { codeForStatus, HomeportError } from '../errors';
import { KubeAbortError, KubeRequestError, type KubeGateway } from '../kube/kube-gateway';

export type PrometheusFailure = 'unreachable' | 'tls' | 'auth' | 'bad-query' | 'timeout' | 'http' | 'not-prometheus';

export class PrometheusError extends HomeportError {
  constructor(
    readonly reason: PrometheusFailure,
    message: string,
    readonly status?: number,
  ) {
    super(reason === 'bad-query' ? 'INVALID_INPUT' : codeForStatus(status), message);
    this.name = 'PrometheusError';
  }
}

export type PrometheusAuth =
  { kind: 'none' } | { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };

export type PrometheusTarget =
  | { kind: 'url'; url: string; auth?: PrometheusAuth; /** PEM of a private CA. */ ca?: string; timeoutMs?: number }
  | {
      kind: 'service';
      gateway: Pick<KubeGateway, 'getJson' | 'server'>;
      namespace: string;
      service: string;
      port: number | string;
      timeoutMs?: number;
    };

/** One series of an instant query: labels and the value at the evaluation time. */
export interface InstantSample {
  metric: Record<string, string>;
  value: [number, number];
}
/** One series of a range query. */
export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, number][];
}

export interface PrometheusClient {
  /** 'https://prom.lan' or 'service monitoring/prometheus-operated:9090 (through the API server)'. */
  readonly describe: string;
  query(expr: string, time?: number): Promise<InstantSample[]>;
  queryRange(expr: string, start: number, end: number, stepSeconds: number): Promise<RangeSeries[]>;
  close(): void;
}

interface ApiAnswer {
  status?: 'success' | 'error';
  data?: { resultType?: string; result?: unknown };
  errorType?: string;
  error?: string;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN']);

const num = (v: unknown) => {
  const n = Number(v);
  return Number.isFinite(n) ? n : Number.NaN;
};

/** Prometheus sends values as strings, including 'NaN' and '+Inf'; those points are dropped. */
function toInstant(answer: ApiAnswer): InstantSample[] {
  const { resultType, result } = answer.data ?? {};
  if (resultType === 'scalar' && Array.isArray(result))
    return [{ metric: {}, value: [num(result[0]), num(result[1])] }];
  if (resultType !== 'vector' || !Array.isArray(result)) return [];
  return (result as { metric?: Record<string, string>; value?: [number, string] }[])
    .map((r) => ({ metric: r.metric ?? {}, value: [num(r.value?.[0]), num(r.value?.[1])] as [number, number] }))
    .filter((s) => Number.isFinite(s.value[1]));
}

function toRange(answer: ApiAnswer): RangeSeries[] {
  const { resultType, result } = answer.data ?? {};
  if (resultType !== 'matrix' || !Array.isArray(result)) return [];
  return (result as { metric?: Record<string, string>; values?: [number, string][] }[]).map((r) => ({
    metric: r.metric ?? {},
    values: (r.values ?? [])
      .map(([t, v]) => [num(t), num(v)] as [number, number])
      .filter(([, v]) => Number.isFinite(v)),
  }));
}

function badQuery(expr: string, answer: ApiAnswer, status?: number): PrometheusError {
  return new PrometheusError(
    'bad-query',
    `Prometheus refused the query ${expr} (${answer.errorType ?? `HTTP ${status}`}): ${answer.error ?? 'no reason given'}`,
    status,
  );
}

export function createPrometheusClient(target: PrometheusTarget): PrometheusClient {
  return target.kind === 'url' ? urlClient(target) : serviceClient(target);
}

function urlClient(target: Extract<PrometheusTarget, { kind: 'url' }>): PrometheusClient {
  let base: URL;
  try {
    base = new URL(target.url);
  } catch {
    throw new PrometheusError('unreachable', `'${target.url}' is not a URL; write it like https://prometheus.lan:9090`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new PrometheusError('unreachable', `${target.url} is not an http(s) URL`);
  const isHttps = base.protocol === 'https:';
  const agent = isHttps
    ? new https.Agent({ keepAlive: true, ...(target.ca ? { ca: target.ca } : {}) })
    : new http.Agent({ keepAlive: true });
  const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'homeport' };
  const auth = target.auth ?? { kind: 'none' };
  if (auth.kind === 'basic')
    headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  if (auth.kind === 'bearer') headers.Authorization = `Bearer ${auth.token}`;
  const where = base.origin + base.pathname.replace(/\/$/, '');
  const timeoutMs = target.timeoutMs ?? 15_000;

  function call(endpoint: string, params: URLSearchParams, expr: string): Promise<ApiAnswer> {
    const u = new URL(`${base.pathname.replace(/\/$/, '')}/api/v1/${endpoint}?${params}`, base);
    return new Promise((resolve, reject) => {
      const req = (isHttps ? https : http).request(u, { agent, headers, method: 'GET' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) =>
          reject(new PrometheusError('unreachable', `${where} dropped the answer: ${err.message}`)),
        );
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status === 401 || status === 403) {
            return reject(
              new PrometheusError(
                'auth',
                status === 401
                  ? `${where} refused the credentials (HTTP 401)${auth.kind === 'none' ? ': it needs a username and password or a token' : ': check the username and password or token'}`
                  : `${where} does not allow these credentials to query (HTTP 403)`,
                status,
              ),
            );
          }
          let answer: ApiAnswer;
          try {
            answer = JSON.parse(text) as ApiAnswer;
          } catch {
            return reject(
              new PrometheusError(
                status >= 200 && status < 300 ? 'not-prometheus' : 'http',
                `${where} answered HTTP ${status} with something that is not the Prometheus API; is this the Prometheus base URL?`,
                status,
              ),
            );
          }
          if (answer.status === 'error' && (status === 400 || status === 422))
            return reject(badQuery(expr, answer, status));
          if (answer.status !== 'success')
            return reject(
              new PrometheusError(
                'http',
                `${where} answered HTTP ${status}${answer.error ? `: ${answer.error}` : ''}`,
                status,
              ),
            );
          resolve(answer);
        });
      });
      req.setTimeout(timeoutMs, () =>
        req.destroy(new PrometheusError('timeout', `${where} did not answer within ${timeoutMs} ms`)),
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof PrometheusError) return reject(err);
        const code = err.code ?? '';
        if (UNREACHABLE.has(code))
          return reject(
            new PrometheusError(
              'unreachable',
              `Cannot reach Prometheus at ${where} (${code}). Is it running and the URL right?`,
            ),
          );
        if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'EPROTO')
          return reject(
            new PrometheusError(
              'tls',
              `TLS verification of ${where} failed (${code}). Give the CA file of its certificate.`,
            ),
          );
        reject(new PrometheusError('unreachable', `Request to ${where} failed: ${err.message}`));
      });
      req.end();
    });
  }

  return {
    describe: where,
    query: async (expr, time) =>
      toInstant(
        await call('query', new URLSearchParams({ query: expr, ...(time ? { time: String(time) } : {}) }), expr),
      ),
    queryRange: async (expr, start, end, step) =>
      toRange(
        await call(
          'query_range',
          new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) }),
          expr,
        ),
      ),
    close: () => agent.destroy(),
  };
}

function serviceClient(target: Extract<PrometheusTarget, { kind: 'service' }>): PrometheusClient {
  const ref = `${target.namespace}/${target.service}:${target.port}`;
  const prefix = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/services/${encodeURIComponent(`${target.service}:${target.port}`)}/proxy`;
  const timeoutMs = target.timeoutMs ?? 15_000;

  async function call(endpoint: string, params: URLSearchParams, expr: string): Promise<ApiAnswer> {
    let answer: ApiAnswer;
    try {
      answer = await target.gateway.getJson<ApiAnswer>(`${prefix}/api/v1/${endpoint}?${params}`, { timeoutMs });
    } catch (err) {
      if (err instanceof KubeAbortError) throw err;
      if (!(err instanceof KubeRequestError)) throw err;
      const via = `service ${ref} through ${target.gateway.server}`;
      if (err.status === 400 || err.status === 422)
        throw new PrometheusError(
          'bad-query',
          `Prometheus (${via}) refused the query ${expr} (HTTP ${err.status}); check the PromQL`,
          err.status,
        );
      if (err.status === 503)
        throw new PrometheusError('unreachable', `Prometheus ${via} is not reachable: ${err.message}`, 503);
      if (err.status === 404)
        throw new PrometheusError(
          'unreachable',
          `There is no service ${ref} (HTTP 404 from ${target.gateway.server})`,
          404,
        );
      if (err.reason === 'unauthorized')
        throw new PrometheusError('auth', `${err.message} (the service proxy needs get on services/proxy)`, err.status);
      if (err.reason === 'timeout') throw new PrometheusError('timeout', `Prometheus ${via}: ${err.message}`);
      throw new PrometheusError(
        err.reason === 'tls' ? 'tls' : err.status ? 'http' : 'unreachable',
        err.message,
        err.status,
      );
    }
    if (answer?.status === 'error') throw badQuery(expr, answer);
    if (answer?.status !== 'success')
      throw new PrometheusError('not-prometheus', `service ${ref} answered something that is not the Prometheus API`);
    return answer;
  }

  return {
    describe: `service ${ref} (through the API server)`,
    query: async (expr, time) =>
      toInstant(
        await call('query', new URLSearchParams({ query: expr, ...(time ? { time: String(time) } : {}) }), expr),
      ),
    queryRange: async (expr, start, end, step) =>
      toRange(
        await call(
          'query_range',
          new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) }),
          expr,
        ),
      ),
    close: () => {},
  };
}
