import * as http from 'node:http';
import { ApiError, notFound } from './http-util';
import { RESOURCES, type ResourceType } from './resources';
import type { KObject, Store } from './store';

/**
 * The Service `proxy` subresource: `/api/v1/namespaces/{ns}/services/{[scheme:]name[:port]}/proxy/{path}`.
 * A real API server forwards to one of the Service's endpoints; the sandbox has no pod network, so
 * a Service names a loopback address to forward to with the sandbox-only annotation below. Without
 * it the Service has no endpoints, and the answer is the API server's 503.
 */
export const PROXY_TARGET_ANNOTATION = 'homeport.dev/sandbox-proxy-target';

const SERVICES = RESOURCES.find((r) => r.plural === 'services') as ResourceType;
const PROXY_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/;

interface ServicePort {
  name?: string;
  port: number;
}

export function isServiceProxy(pathname: string): boolean {
  return PROXY_PATH.test(pathname);
}

/** Parses '[scheme:]name[:port]' as the API server does. */
function parseServiceRef(ref: string): { name: string; port?: string } {
  const parts = ref.split(':');
  if (parts.length === 3 && (parts[0] === 'http' || parts[0] === 'https' || parts[0] === ''))
    return { name: parts[1] ?? '', port: parts[2] || undefined };
  if (parts.length === 2) return { name: parts[0] ?? '', port: parts[1] || undefined };
  return { name: ref };
}

export function serveServiceProxy(
  store: Store,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const m = PROXY_PATH.exec(url.pathname) as RegExpExecArray;
  const namespace = decodeURIComponent(m[1] ?? '');
  const { name, port } = parseServiceRef(decodeURIComponent(m[2] ?? ''));
  if (req.method !== 'GET' && req.method !== 'HEAD')
    throw new ApiError(
      405,
      'MethodNotAllowed',
      `${req.method} through the service proxy is not supported by the sandbox`,
    );
  const svc = store.get(SERVICES, namespace, name);
  if (!svc) throw notFound('services', name);
  const noEndpoints = () => new ApiError(503, 'ServiceUnavailable', `no endpoints available for service "${name}"`);
  const ports = ((svc.spec?.ports as ServicePort[] | undefined) ?? []).filter(Boolean);
  if (port !== undefined && !ports.some((p) => p.name === port || String(p.port) === port)) throw noEndpoints();
  if (port === undefined && ports.length > 1) throw noEndpoints();
  const target = targetOf(svc);
  if (!target) throw noEndpoints();
  const forwardTo = new URL(target.pathname.replace(/\/$/, '') + (m[3] ?? '/') + url.search, target);
  return new Promise((resolve) => {
    const upstream = http.request(
      forwardTo,
      { method: req.method, headers: { accept: req.headers.accept ?? '*/*', 'user-agent': 'homeport-sandbox-proxy' } },
      (up) => {
        const headers: http.OutgoingHttpHeaders = {};
        for (const h of ['content-type', 'content-length', 'content-encoding', 'cache-control'])
          if (up.headers[h] !== undefined) headers[h] = up.headers[h];
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
        up.on('end', () => resolve());
        up.on('error', () => {
          res.destroy();
          resolve();
        });
      },
    );
    upstream.setTimeout(30_000, () => upstream.destroy(new Error('i/o timeout')));
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      // The API server's answer when the endpoint does not take the connection.
      const text = JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `error trying to reach service: dial tcp ${forwardTo.host}: ${err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message}`,
        reason: 'ServiceUnavailable',
        code: 503,
      });
      if (!res.headersSent) res.writeHead(503, { 'Content-Type': 'application/json' });
      res.end(text);
      resolve();
    });
    upstream.end();
  });
}

function targetOf(svc: KObject): URL | undefined {
  const raw = svc.metadata.annotations?.[PROXY_TARGET_ANNOTATION];
  if (!raw) return undefined;
  try {
    const u = new URL(raw);
    // Loopback only: the sandbox never forwards off the machine.
    if (u.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) return undefined;
    return u;
  } catch {
    return undefined;
  }
}
