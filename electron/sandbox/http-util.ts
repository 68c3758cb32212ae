import type * as http from 'node:http';
import type { KObject } from './store';
import { k8sName } from '@shared/names';

/** An error the sandbox answers with a Kubernetes Status object. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (resource: string, name: string, group = '') =>
  new ApiError(404, 'NotFound', `${resource}${group ? `.${group}` : ''} "${name}" not found`, {
    name,
    group,
    kind: resource,
  });

export function statusBody(err: ApiError) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: err.message,
    reason: err.reason,
    ...(err.details ? { details: err.details } : {}),
    code: err.code,
  };
}

export function sendJson(res: http.ServerResponse, code: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

export function readBody(req: http.IncomingMessage, limit = 3 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new ApiError(413, 'RequestEntityTooLarge', 'request is too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Label selectors: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`. */
export function labelMatcher(selector: string | null): (labels: Record<string, string> | undefined) => boolean {
  if (!selector) return () => true;
  const parts = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  const tests = parts.map((raw) => {
    const p = raw.trim();
    let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p);
    if (m) {
      const values = (m[3] ?? '').split(',').map((v) => v.trim());
      const [, key = '', op] = m;
      return (l: Record<string, string>) =>
        op === 'in' ? values.includes(l[key] ?? '\0') : !values.includes(l[key] ?? '\0');
    }
    m = /^(\S+?)\s*(==|=|!=)\s*(\S*)$/.exec(p);
    if (m) {
      const [, key = '', op, value = ''] = m;
      return (l: Record<string, string>) => (op === '!=' ? l[key] !== value : l[key] === value);
    }
    if (p.startsWith('!')) return (l: Record<string, string>) => !(p.slice(1) in l);
    return (l: Record<string, string>) => p in l;
  });
  return (labels) => tests.every((t) => t(labels ?? {}));
}

const FIELD_PATHS: Record<string, (o: KObject) => unknown> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace,
  'spec.nodeName': (o) => o.spec?.nodeName ?? '',
  'status.phase': (o) => o.status?.phase,
  'involvedObject.name': (o) => (o.involvedObject as KObject['metadata'] | undefined)?.name,
  'involvedObject.namespace': (o) => (o.involvedObject as KObject['metadata'] | undefined)?.namespace,
  'involvedObject.kind': (o) => (o.involvedObject as { kind?: string } | undefined)?.kind,
  'involvedObject.uid': (o) => (o.involvedObject as KObject['metadata'] | undefined)?.uid,
  type: (o) => o.type,
  reason: (o) => o.reason,
};

/** Field selectors over the fields the API server indexes: `a=b`, `a==b`, `a!=b`. */
export function fieldMatcher(selector: string | null): (o: KObject) => boolean {
  if (!selector) return () => true;
  const tests = selector.split(',').map((raw) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(raw.trim());
    const field = m?.[1] ?? '';
    const read = FIELD_PATHS[field];
    if (!m || !read)
      throw new ApiError(
        400,
        'BadRequest',
        `"${raw}" is not a known field selector: only ${Object.keys(FIELD_PATHS).join(', ')}`,
      );
    const value = m[3] ?? '';
    return (o: KObject) => (m[2] === '!=' ? String(read(o) ?? '') !== value : String(read(o) ?? '') === value);
  });
  return (o) => tests.every((t) => t(o));
}

export function validateName(kind: string, name: unknown): string {
  if (typeof name !== 'string' || name === '') {
    throw new ApiError(
      422,
      'Invalid',
      `${kind} is invalid: metadata.name: Required value: name or generateName is required`,
    );
  }
  // The same rule Homeport checks Kubernetes names with (shared/names.ts), as the real API server has it.
  if (k8sName.safeParse(name).error) {
    throw new ApiError(
      422,
      'Invalid',
      `${kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    );
  }
  return name;
}
