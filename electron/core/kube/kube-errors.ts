import type { ConnectionFailureReason } from '@shared/contract';
import { codeForStatus, HomeportError } from '../errors';
import { redactUrl } from '../redact-url';
import type { KubeConnection } from './kube-connection';
import { describeProxy } from './proxy';

/** A failed request to an API server, classified so the UI can say what to do. */
export class KubeRequestError extends HomeportError {
  constructor(
    readonly reason: ConnectionFailureReason,
    message: string,
    readonly status?: number,
    /** The request never reached the server (no connection, or the TLS handshake failed): safe to send again. */
    readonly notSent = false,
  ) {
    super(codeForStatus(status), message);
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
/** Failures to open a connection at all. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);
const UNREACHABLE_CODES = new Set([...CONNECT_CODES, 'ECONNRESET']);

export function classifyNetworkError(err: NodeJS.ErrnoException, server: string, proxy?: URL): KubeRequestError {
  const code = err.code ?? '';
  if (UNREACHABLE_CODES.has(code)) {
    return new KubeRequestError(
      'unreachable',
      proxy
        ? `Cannot reach ${server} through the proxy ${describeProxy(proxy)} (${code}: ${err.message}). Is the proxy running, and can it reach the API server?`
        : `Cannot reach ${server} (${code}). Is the API server running and the address right?`,
      undefined,
      CONNECT_CODES.has(code),
    );
  }
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')) {
    return new KubeRequestError(
      'tls',
      `TLS verification of ${server} failed (${code}: ${err.message}). Check the cluster's certificate-authority in the kubeconfig.`,
      undefined,
      true,
    );
  }
  return new KubeRequestError(
    'unreachable',
    `Request to ${server}${proxy ? ` through the proxy ${describeProxy(proxy)}` : ''} failed: ${err.message}`,
  );
}

/** Thrown when the caller's AbortSignal fired; callers that aborted on purpose ignore it. */
export class KubeAbortError extends Error {
  constructor() {
    super('The request was cancelled');
    this.name = 'KubeAbortError';
  }
}

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

/** A non-2xx answer of the API server, in the user's words: what was refused, and what to do. */
export function statusError(status: number, path: string, body: string, c: KubeConnection): KubeRequestError {
  if (status === 401 || status === 403) {
    return new KubeRequestError(
      'unauthorized',
      status === 401
        ? `${redactUrl(c.server)} refused the credentials of context '${c.context}' (HTTP 401${statusMessage(body)}). Check the user's token or certificate.`
        : `Context '${c.context}' is not allowed to do this (HTTP 403${statusMessage(body)}). Ask the cluster admin for the RBAC permission.`,
      status,
    );
  }
  if (status === 407 && c.proxy) {
    return new KubeRequestError(
      'unreachable',
      `The proxy ${describeProxy(c.proxy)} of context '${c.context}' asks for credentials (HTTP 407). Put them in the proxy URL (http://user:password@host:port).`,
      status,
    );
  }
  return new KubeRequestError(
    'http',
    `${redactUrl(c.server)} answered HTTP ${status} for ${path}${statusMessage(body)}${c.proxy && status === 502 ? ` (through the proxy ${describeProxy(c.proxy)})` : ''}`,
    status,
  );
}
