/**
 * The SSH host keys Homeport trusts: its own known_hosts file in the data directory (0600, written
 * atomically, OpenSSH format) and, read only, the user's ~/.ssh/known_hosts. A key listed in either
 * file is trusted; a key that differs from one listed in either file is refused.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HomeportError } from '../errors';
import { writeFileAtomic } from '../storage/atomic-file';
import { readUserText, UserFileError } from '../storage/user-file';
import {
  entryMatchesHost,
  fingerprintSha256,
  keysForHost,
  keyTypesForHost,
  keyTypeOf,
  knownHostName,
  lookup,
  parseKnownHosts,
  type LookupVerdict,
} from './known-hosts';

export interface HostKeyCheck {
  verdict: LookupVerdict;
  /** `SHA256:...`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  keyType: string;
  /** The known_hosts file that decided a `match`, `changed` or `revoked` verdict. */
  source?: string;
  /** For `changed`: the fingerprints recorded for the host in `source`. */
  expected?: string[];
  /** `source` is Homeport's own file (which Homeport may rewrite), not the user's. */
  ownFile?: boolean;
}

export interface HostKeyStore {
  check(host: string, port: number, key: Buffer): Promise<HostKeyCheck>;
  /** The key types either file records for host:port, so the connection can ask the host for one of them. */
  knownKeyTypes(host: string, port: number): Promise<string[]>;
  /**
   * Trusts this key for host:port from now on: appends an OpenSSH line to Homeport's own file,
   * replacing the lines of that file that gave the host a different key of the same type. The
   * user's ~/.ssh/known_hosts is never written.
   */
  accept(host: string, port: number, key: Buffer): Promise<void>;
  /**
   * Trusts this key for host:port in place of the different key of its type Homeport's own file
   * records (the user confirmed the new fingerprint after a changed-key warning), and returns the
   * fingerprints it removed. Refused when the user's ~/.ssh/known_hosts records another key for the
   * host (Homeport never writes that file) or marks this one @revoked.
   */
  replace(host: string, port: number, key: Buffer): Promise<string[]>;
  /** Homeport's own known_hosts file. */
  readonly file: string;
}

export interface HostKeyStoreOptions {
  /** Homeport's own file, normally <dataDir>/known_hosts. */
  file: string;
  /** The user's file, normally ~/.ssh/known_hosts; read, never written. */
  userKnownHosts?: string;
}

const rank: Record<LookupVerdict, number> = { unknown: 0, match: 1, changed: 2, revoked: 3 };

export function createHostKeyStore(opts: HostKeyStoreOptions): HostKeyStore {
  let queue: Promise<unknown> = Promise.resolve();

  async function check(host: string, port: number, key: Buffer): Promise<HostKeyCheck> {
    const keyType = keyTypeOf(key);
    const fingerprint = fingerprintSha256(key);
    const keyBase64 = key.toString('base64');
    let result: HostKeyCheck = { verdict: 'unknown', fingerprint, keyType };
    const files = [opts.file, ...(opts.userKnownHosts ? [opts.userKnownHosts] : [])];
    for (const file of files) {
      const text = await readIfExists(file);
      if (text === undefined) continue;
      const entries = parseKnownHosts(text);
      const verdict = lookup(entries, host, port, keyType, keyBase64);
      if (rank[verdict] > rank[result.verdict]) {
        result = { verdict, fingerprint, keyType, source: file, ownFile: file === opts.file };
        if (verdict === 'changed') {
          result.expected = keysForHost(entries, host, port, keyType).map((k) =>
            fingerprintSha256(Buffer.from(k, 'base64')),
          );
        }
      }
    }
    return result;
  }

  async function knownKeyTypes(host: string, port: number): Promise<string[]> {
    const types: string[] = [];
    for (const file of [opts.file, ...(opts.userKnownHosts ? [opts.userKnownHosts] : [])]) {
      const text = await readIfExists(file);
      if (text !== undefined) types.push(...keyTypesForHost(parseKnownHosts(text), host, port));
    }
    return [...new Set(types)];
  }

  /** Runs one write of Homeport's file at a time. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = queue.then(fn);
    queue = next.catch(() => {});
    return next;
  }

  function accept(host: string, port: number, key: Buffer): Promise<void> {
    return serial(async () => {
      await write(host, port, key);
    });
  }

  function replace(host: string, port: number, key: Buffer): Promise<string[]> {
    return serial(async () => {
      assertPlainHost(host, port);
      const keyType = keyTypeOf(key);
      if (opts.userKnownHosts) {
        const text = await readIfExists(opts.userKnownHosts);
        const verdict =
          text === undefined ? 'unknown' : lookup(parseKnownHosts(text), host, port, keyType, key.toString('base64'));
        if (verdict === 'changed' || verdict === 'revoked') {
          const name = knownHostName(host, port);
          throw new HomeportError(
            'FORBIDDEN',
            verdict === 'revoked'
              ? `${opts.userKnownHosts} marks the host key ${fingerprintSha256(key)} of ${name} as @revoked; Homeport will not trust it.`
              : `${opts.userKnownHosts} records another ${keyType} key for ${name}, and Homeport never writes that file. ` +
                  `Remove the old entry there (ssh-keygen -R "${name}"), then connect again; nothing was replaced.`,
          );
        }
      }
      return write(host, port, key);
    });
  }

  /** Writes the key for host:port into Homeport's file; returns the fingerprints of the lines it dropped. */
  async function write(host: string, port: number, key: Buffer): Promise<string[]> {
    assertPlainHost(host, port);
    const keyType = keyTypeOf(key);
    const keyBase64 = key.toString('base64');
    const verdict = (await check(host, port, key)).verdict;
    if (verdict === 'revoked') {
      throw new HomeportError(
        'FORBIDDEN',
        `The host key ${fingerprintSha256(key)} of ${knownHostName(host, port)} is marked @revoked in a known_hosts file; Homeport will not trust it.`,
      );
    }
    const text = (await readIfExists(opts.file)) ?? '';
    const entries = parseKnownHosts(text);
    // Drop this file's lines that give the host a different key of the same type: the user has
    // just confirmed the new one.
    const staleEntries = entries.filter(
      (e) =>
        !e.revoked &&
        e.keyType === keyType &&
        e.keyBase64 !== keyBase64 &&
        entryMatchesHost(e, host, port) &&
        (e.hashed !== undefined || e.patterns.length === 1),
    );
    const stale = new Set(staleEntries.map((e) => e.line));
    const kept = text.split(/\r?\n/).filter((line, i) => line !== '' && !stale.has(i + 1));
    if (lookup(parseKnownHosts(kept.join('\n')), host, port, keyType, keyBase64) !== 'match') {
      kept.push(`${knownHostName(host, port)} ${keyType} ${keyBase64}`);
    }
    await mkdir(dirname(opts.file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(opts.file, `${kept.join('\n')}\n`);
    return staleEntries.map((e) => fingerprintSha256(Buffer.from(e.keyBase64, 'base64')));
  }

  return { check, knownKeyTypes, accept, replace, file: opts.file };
}

/** A host name that cannot break the line format: no whitespace, commas, brackets, `#`, `|`, `*`, `?` or `!`. */
function assertPlainHost(host: string, port: number): void {
  if (!/^[A-Za-z0-9._:%-]+$/.test(host) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new HomeportError('INVALID_INPUT', `"${host}:${port}" is not a host name and port Homeport can record.`);
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readUserText(file, { kind: 'knownHosts', field: 'known_hosts file' });
  } catch (err) {
    if (err instanceof UserFileError && err.errno === 'ENOENT') return undefined;
    throw new HomeportError('INTERNAL', `${(err as Error).message}. Fix it or move it aside.`);
  }
}
