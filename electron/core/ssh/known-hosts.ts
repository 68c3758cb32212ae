/**
 * OpenSSH known_hosts files: parsing, host matching (plain names, patterns, `[host]:port`, hashed
 * `|1|salt|hash` entries) and key fingerprints, so Homeport verifies SSH hosts the way `ssh` does.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface KnownHostEntry {
  /** `@revoked`: the key must never be accepted for these hosts. */
  revoked: boolean;
  /** Host patterns from the line (`host`, `[host]:port`, `*.lan`, `!bad.lan`); empty when hashed. */
  patterns: string[];
  /** A hashed entry: HMAC-SHA1(salt, host) of one host name. */
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  /** The key blob, base64 as written in the file. */
  keyBase64: string;
  /** 1-based line number, for messages. */
  line: number;
}

export type LookupVerdict = 'match' | 'changed' | 'unknown' | 'revoked';

/**
 * Parses known_hosts text. Comments, blank lines, `@cert-authority` lines (Homeport does not use
 * host certificates) and lines it cannot read are skipped, as `ssh` skips them.
 */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i]!.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/[ \t]+/);
    let revoked = false;
    if (fields[0]!.startsWith('@')) {
      const marker = fields.shift()!;
      if (marker === '@revoked') revoked = true;
      else continue; // @cert-authority, or a marker this version does not know
    }
    if (fields.length < 3) continue;
    const [hosts, keyType, keyBase64] = fields as [string, string, string];
    if (!isBase64(keyBase64)) continue;
    const entry: KnownHostEntry = { revoked, patterns: [], keyType, keyBase64, line: i + 1 };
    if (hosts.startsWith('|')) {
      const hashed = parseHashed(hosts);
      if (!hashed) continue;
      entry.hashed = hashed;
    } else {
      entry.patterns = hosts.split(',').filter((p) => p !== '');
      if (entry.patterns.length === 0) continue;
    }
    entries.push(entry);
  }
  return entries;
}

function parseHashed(field: string): { salt: Buffer; hash: Buffer } | undefined {
  // |1|base64(salt)|base64(HMAC-SHA1(salt, host))
  const parts = field.split('|');
  if (parts.length !== 4 || parts[0] !== '' || parts[1] !== '1') return undefined;
  if (!isBase64(parts[2]!) || !isBase64(parts[3]!)) return undefined;
  const salt = Buffer.from(parts[2]!, 'base64');
  const hash = Buffer.from(parts[3]!, 'base64');
  if (salt.length !== 20 || hash.length !== 20) return undefined;
  return { salt, hash };
}

function isBase64(s: string): boolean {
  return s.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s);
}

/** The name known_hosts uses for a host: `host` on port 22, `[host]:port` otherwise. Lower-cased as ssh does. */
export function knownHostName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** A `|1|salt|hash` field for a host name, as `ssh-keygen -H` writes it. */
export function hashHostName(name: string, salt: Buffer): string {
  const hash = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

/** Whether the entry's hosts include this host (and port). Negated patterns (`!host`) exclude. */
export function entryMatchesHost(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostName(host, port);
  if (entry.hashed) {
    const hash = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return timingSafeEqual(hash, entry.hashed.hash);
  }
  let matched = false;
  for (const pattern of entry.patterns) {
    const negated = pattern.startsWith('!');
    const p = (negated ? pattern.slice(1) : pattern).toLowerCase();
    if (wildcardMatch(p, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** OpenSSH's match_pattern: `*` any run of characters, `?` exactly one. */
function wildcardMatch(pattern: string, s: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === s;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  );
  return re.test(s);
}

/**
 * What the entries say about a host presenting this key:
 * - `revoked`: an `@revoked` line for the host holds this key;
 * - `match`: a line for the host holds this key;
 * - `changed`: the host has lines of this key type, none with this key;
 * - `unknown`: the host has no line of this key type.
 */
export function lookup(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  keyType: string,
  keyBase64: string,
): LookupVerdict {
  const presented = Buffer.from(keyBase64, 'base64');
  let sameType = false;
  let matched = false;
  for (const entry of entries) {
    if (!entryMatchesHost(entry, host, port)) continue;
    const same = entry.keyType === keyType && Buffer.from(entry.keyBase64, 'base64').equals(presented);
    if (entry.revoked) {
      if (same) return 'revoked';
      continue;
    }
    if (entry.keyType === keyType) sameType = true;
    if (same) matched = true;
  }
  if (matched) return 'match';
  return sameType ? 'changed' : 'unknown';
}

/** The keys of this type the entries record for the host (not revoked), base64. */
export function keysForHost(entries: readonly KnownHostEntry[], host: string, port: number, keyType: string): string[] {
  return entries
    .filter((e) => !e.revoked && e.keyType === keyType && entryMatchesHost(e, host, port))
    .map((e) => e.keyBase64);
}

/** The key types the entries record for the host (not revoked), in file order, without repeats. */
export function keyTypesForHost(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const types = entries.filter((e) => !e.revoked && entryMatchesHost(e, host, port)).map((e) => e.keyType);
  return [...new Set(types)];
}

/** The key's SHA256 fingerprint exactly as `ssh-keygen -lf` prints it: `SHA256:` and unpadded base64. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new Error('SSH public key blob is too short');
  const len = keyBlob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > keyBlob.length) throw new Error('SSH public key blob is malformed');
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}
