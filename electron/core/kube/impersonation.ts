import type { KubeUser } from '../clusters/kubeconfig';

/** Header name -> values; a name with several values is sent once per value. */
export type HeaderValues = Record<string, string[]>;

/**
 * The impersonation headers kubectl sends for a user's `as`, `as-uid`, `as-groups` and
 * `as-user-extra` (client-go's impersonatingRoundTripper): one Impersonate-Group per group and one
 * Impersonate-Extra-<key> per value, the key percent-escaped and the names in Go's canonical case.
 */
export function impersonationHeaders(user: KubeUser): HeaderValues | undefined {
  if (!user.as) return undefined;
  const headers: HeaderValues = { 'Impersonate-User': [wire(user.as)] };
  if (user['as-uid']) headers['Impersonate-Uid'] = [wire(user['as-uid'])];
  const groups = user['as-groups'] ?? [];
  if (groups.length) headers['Impersonate-Group'] = groups.map(wire);
  for (const [key, values] of Object.entries(user['as-user-extra'] ?? {})) {
    if (!values?.length) continue;
    const name = canonicalHeaderKey(`Impersonate-Extra-${escapeHeaderKey(key)}`);
    headers[name] = [...(headers[name] ?? []), ...values.map(wire)];
  }
  return headers;
}

/** RFC 7230 token characters, except '%', which is escaped so the server can unescape the key. */
const TOKEN = /^[A-Za-z0-9!#$&'*+\-.^_`|~]$/;

function escapeHeaderKey(key: string): string {
  let out = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += TOKEN.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Go's textproto.CanonicalMIMEHeaderKey for a key made of token characters. */
function canonicalHeaderKey(key: string): string {
  let upper = true;
  let out = '';
  for (const c of key) {
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === '-';
  }
  return out;
}

/** Go writes header values as their UTF-8 bytes; Node writes a string's characters as Latin-1 bytes. */
const wire = (value: string) => Buffer.from(value, 'utf8').toString('latin1');
