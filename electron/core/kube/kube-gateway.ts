import * as http from 'node:http';
import * as https from 'node:https';
import type { ConnectionFailureReason } from '../../../shared/contract';
import type { ExecCredential } from './exec-credential';
import type { KubeConnection } from './kube-connection';

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
}

/**
 * The narrow door to one API server: plain HTTP(S) with the context's TLS settings and
 * credentials. Everything Kubernetes-specific above it goes through getJson.
 */
export function createKubeGateway(conn: KubeConnection, credential?: ExecCredential) {
  const url = new URL(conn.server);
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

  function getJson<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const target = new URL(url.pathname.replace(/\/$/, '') + path, url);
    return new Promise<T>((resolvePromise, reject) => {
      const req = (isHttps ? https : http).request(target, { method: opts.method ?? 'GET', agent, headers });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new KubeRequestError('timeout', `${conn.server} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(classifyNetworkError(err, conn.server));
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('error', (err: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          reject(classifyNetworkError(err, conn.server));
        });
        res.on('end', () => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          if (status === 401 || status === 403) {
            reject(
              new KubeRequestError(
                'unauthorized',
                `${conn.server} refused the credentials of context '${conn.context}' (HTTP ${status}${statusMessage(body)}). Check the user's token or certificate.`,
                status,
              ),
            );
            return;
          }
          if (status < 200 || status >= 300) {
            reject(
              new KubeRequestError(
                'http',
                `${conn.server} answered HTTP ${status} for ${path}${statusMessage(body)}`,
                status,
              ),
            );
            return;
          }
          try {
            resolvePromise(JSON.parse(body) as T);
          } catch {
            reject(
              new KubeRequestError('http', `${conn.server} answered ${path} with something that is not JSON`, status),
            );
          }
        });
      });
      req.end();
    });
  }

  return { getJson, close: () => agent.destroy() };
}

export type KubeGateway = ReturnType<typeof createKubeGateway>;

function statusMessage(body: string): string {
  try {
    const msg = (JSON.parse(body) as { message?: unknown }).message;
    return typeof msg === 'string' && msg ? `: ${msg}` : '';
  } catch {
    return '';
  }
}
