/**
 * The one SSH trust of a data directory, shared by NAS hosts and Docker ssh:// endpoints: the known
 * hosts (Homeport's <dataDir>/known_hosts, and the user's ~/.ssh/known_hosts read only) and the
 * keys that unknown hosts presented, waiting for the user to compare their fingerprints. A key is
 * trusted only as host:port presented it: by its fingerprint, for that host:port, and only while
 * nothing else is recorded for the host. A changed key is refused, and never accepted as an unknown
 * one: it replaces the recorded key only when the user confirms its fingerprint after a warning
 * naming both keys, and the host presents that very key again just before.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HomeportError } from '../errors';
import { createHostKeyStore, type HostKeyCheck } from './host-keys';
import { knownHostName } from './known-hosts';

export interface SshTrustOptions {
  /** Homeport's data directory; its known_hosts file is the one Homeport writes. */
  dataDir: string;
  /** The user's known_hosts file, read never written; leave it out to trust Homeport's file alone. */
  userKnownHosts?: string;
}

/** A host key an unknown host presented, as the user was shown it. */
export interface ShownHostKey {
  host: string;
  port: number;
  key: Buffer;
  keyType: string;
  fingerprint: string;
}

/** A key a host presented in place of the one recorded for it. */
export interface ChangedHostKey extends ShownHostKey {
  /** The fingerprints recorded for the host. */
  previous: string[];
}

/** Whose key is being trusted, for messages: "NAS host 'nas'", and what shows the key again ("probe it"). */
export interface TrustTarget {
  host: string;
  port: number;
  label: string;
  showAgain: string;
}

export interface SshTrust {
  /** Checks a presented key (connectSsh calls it during key exchange) and remembers an unknown one. */
  check(host: string, port: number, key: Buffer): Promise<HostKeyCheck>;
  /** The key types the known_hosts files record for host:port (connectSsh asks the host for these first). */
  knownKeyTypes(host: string, port: number): Promise<string[]>;
  /** The unknown key host:port presented last, if it is still waiting. */
  shown(host: string, port: number): ShownHostKey | undefined;
  /**
   * Trusts the key target's host:port presented in its last failed connection, if `fingerprint` is
   * that key's: NOT_FOUND when no key is waiting for that host:port, CONFLICT for another fingerprint.
   */
  acceptShown(target: TrustTarget, fingerprint: string): Promise<void>;
  /** The changed key host:port presented in its last connection, if its last key was a changed one. */
  changed(host: string, port: number): ChangedHostKey | undefined;
  /** Forgets what host:port presented, so the next connection alone decides what it presents now. */
  forget(host: string, port: number): void;
  /**
   * Replaces the key recorded for target's host:port by the changed key it presented in its last
   * connection, if `fingerprint` (the one the user confirmed) is that key's: NOT_FOUND when it
   * presented no changed key, CONFLICT for another fingerprint (nothing is removed then). Returns
   * the fingerprints removed.
   */
  replaceChanged(target: TrustTarget, fingerprint: string): Promise<string[]>;
  /** Homeport's own known_hosts file. */
  readonly file: string;
}

/** The user's ~/.ssh/known_hosts. */
export function userKnownHostsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.HOME ?? homedir(), '.ssh', 'known_hosts');
}

export function createSshTrust(opts: SshTrustOptions): SshTrust {
  const store = createHostKeyStore({
    file: join(opts.dataDir, 'known_hosts'),
    ...(opts.userKnownHosts !== undefined ? { userKnownHosts: opts.userKnownHosts } : {}),
  });
  /** By known_hosts name (`host` or `[host]:port`), as ssh itself tells hosts apart. */
  const waiting = new Map<string, ShownHostKey>();
  /** The changed keys hosts presented in their last connection, by known_hosts name. */
  const changedKeys = new Map<string, ChangedHostKey>();

  async function check(host: string, port: number, key: Buffer): Promise<HostKeyCheck> {
    const result = await store.check(host, port, key);
    const name = knownHostName(host, port);
    if (result.verdict === 'unknown') {
      waiting.set(name, {
        host,
        port,
        key: Buffer.from(key),
        keyType: result.keyType,
        fingerprint: result.fingerprint,
      });
    } else {
      waiting.delete(name);
    }
    if (result.verdict === 'changed') {
      changedKeys.set(name, {
        host,
        port,
        key: Buffer.from(key),
        keyType: result.keyType,
        fingerprint: result.fingerprint,
        previous: result.expected ?? [],
      });
    } else {
      changedKeys.delete(name);
    }
    return result;
  }

  function shown(host: string, port: number): ShownHostKey | undefined {
    return waiting.get(knownHostName(host, port));
  }

  async function acceptShown(target: TrustTarget, fingerprint: string): Promise<void> {
    const { host, port, label, showAgain } = target;
    const name = knownHostName(host, port);
    const key = waiting.get(name);
    if (!key) {
      throw new HomeportError(
        'NOT_FOUND',
        `No new host key is waiting for ${label} (${host}:${port}); ${showAgain} first and check the fingerprint it shows`,
      );
    }
    if (key.fingerprint !== fingerprint) {
      throw new HomeportError(
        'CONFLICT',
        `${label} (${host}:${port}) presented host key ${key.fingerprint}, not ${fingerprint}; ${showAgain} again and check the fingerprint`,
      );
    }
    // Something may have been recorded for the host since it was shown: trusting this key then would
    // replace a known key, which only the user may do, by removing the old entry.
    const now = await store.check(host, port, key.key);
    if (now.verdict === 'changed' || now.verdict === 'revoked') {
      waiting.delete(name);
      throw new HomeportError(
        'FORBIDDEN',
        `${label} (${host}:${port}): ${now.source ?? 'a known_hosts file'} now records another host key for it, so ${fingerprint} is not trusted; ${showAgain} again`,
      );
    }
    if (now.verdict === 'unknown') await store.accept(host, port, key.key);
    if (waiting.get(name) === key) waiting.delete(name);
  }

  function changed(host: string, port: number): ChangedHostKey | undefined {
    return changedKeys.get(knownHostName(host, port));
  }

  function forget(host: string, port: number): void {
    const name = knownHostName(host, port);
    waiting.delete(name);
    changedKeys.delete(name);
  }

  async function replaceChanged(target: TrustTarget, fingerprint: string): Promise<string[]> {
    const { host, port, label, showAgain } = target;
    const name = knownHostName(host, port);
    const key = changedKeys.get(name);
    if (!key) {
      throw new HomeportError(
        'NOT_FOUND',
        `${label} (${host}:${port}) did not present a changed host key when Homeport connected just now, so nothing was replaced; ${showAgain} to see what it presents`,
      );
    }
    if (key.fingerprint !== fingerprint) {
      throw new HomeportError(
        'CONFLICT',
        `${label} (${host}:${port}) now presents host key ${key.fingerprint}, not ${fingerprint} that you confirmed; nothing was replaced. Check the fingerprint on the host itself (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub)`,
      );
    }
    const removed = await store.replace(host, port, key.key);
    if (changedKeys.get(name) === key) changedKeys.delete(name);
    return removed;
  }

  return {
    check,
    knownKeyTypes: store.knownKeyTypes,
    shown,
    acceptShown,
    changed,
    forget,
    replaceChanged,
    file: store.file,
  };
}
