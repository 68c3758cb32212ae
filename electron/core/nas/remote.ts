/**
 * Commands on a NAS host over SSH: always argv arrays (the SSH layer quotes every argument), with
 * `sudo -n` in front of the ones that need root when the login user is not root.
 */
import { HomeportError } from '../errors';
import type { ExecResult, SshSession } from '../ssh/connect';

export type Privilege = 'root' | 'sudo' | 'none';

const EXPORTFS_CANDIDATES = ['/usr/sbin/exportfs', '/sbin/exportfs', '/usr/local/sbin/exportfs'];

export async function detectPrivilege(session: SshSession): Promise<Privilege> {
  const id = await session.exec(['id', '-u'], { timeoutMs: 10_000 });
  if (id.code === 0 && id.stdout.trim() === '0') return 'root';
  const sudo = await session.exec(['sudo', '-n', 'true'], { timeoutMs: 10_000 }).catch(() => undefined);
  return sudo?.code === 0 ? 'sudo' : 'none';
}

/** The absolute path of exportfs on the host, or undefined when no NFS server is installed. */
export async function findExportfs(session: SshSession): Promise<string | undefined> {
  // `command` is a shell builtin; the quoted word still names it.
  const found = await session.exec(['command', '-v', 'exportfs'], { timeoutMs: 10_000 }).catch(() => undefined);
  const path = found?.code === 0 ? found.stdout.trim().split('\n')[0] : undefined;
  if (path && path.startsWith('/')) return path;
  for (const candidate of EXPORTFS_CANDIDATES) {
    const test = await session.exec(['test', '-x', candidate], { timeoutMs: 10_000 });
    if (test.code === 0) return candidate;
  }
  return undefined;
}

/** Runs commands on one host, as root (directly or through `sudo -n`). */
export interface RootRunner {
  readonly privilege: Exclude<Privilege, 'none'>;
  /** Runs argv as root; resolves with the result whatever the exit status. */
  exec(argv: string[], opts?: { stdin?: string; timeoutMs?: number }): Promise<ExecResult>;
  /** Runs argv as root; throws a HomeportError saying `what` failed unless it exits 0. */
  check(argv: string[], what: string, opts?: { stdin?: string; timeoutMs?: number }): Promise<ExecResult>;
}

export async function rootRunner(session: SshSession, hostLabel: string): Promise<RootRunner> {
  const privilege = await detectPrivilege(session);
  if (privilege === 'none') {
    throw new HomeportError(
      'FORBIDDEN',
      `${hostLabel}: managing NFS exports needs root. Log in as root, or give the SSH user passwordless sudo ` +
        `(a line like "<user> ALL=(ALL) NOPASSWD: ALL" in /etc/sudoers.d/), then try again.`,
    );
  }
  const prefix = privilege === 'root' ? [] : ['sudo', '-n'];
  const exec: RootRunner['exec'] = (argv, opts = {}) =>
    session.exec([...prefix, ...argv], {
      timeoutMs: opts.timeoutMs ?? 60_000,
      ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    });
  return {
    privilege,
    exec,
    async check(argv, what, opts) {
      const result = await exec(argv, opts);
      if (result.code !== 0) {
        const detail = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' ');
        throw new HomeportError(
          'UNAVAILABLE',
          `${hostLabel}: ${what} failed (exit ${result.code ?? result.signal})${detail ? `: ${detail}` : ''}`,
        );
      }
      return result;
    },
  };
}

export interface ExportfsEntry {
  path: string;
  client: string;
  options: string;
}

const CLIENT_AND_OPTIONS = /^(\S+?)\(([^()]*)\)$/;

/**
 * Parses `exportfs -v`: `<path><padding><client>(<options>)` per line, or the path alone on a line
 * (when it is long) followed by indented `<client>(<options>)` lines. Paths are printed raw, so the
 * ones in `knownPaths` (Homeport's exports) are matched exactly first; other lines are split at the
 * last run of whitespace.
 */
export function parseExportfsVerbose(text: string, knownPaths: readonly string[] = []): ExportfsEntry[] {
  const known = [...new Set(knownPaths)].sort((a, b) => b.length - a.length);
  const entries: ExportfsEntry[] = [];
  let pending: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (/^\s/.test(line)) {
      const m = CLIENT_AND_OPTIONS.exec(line.trim());
      if (m && pending !== undefined) entries.push({ path: pending, client: m[1]!, options: m[2]! });
      continue;
    }
    let path: string | undefined;
    let rest: string | undefined;
    for (const p of known) {
      if (line === p || line.trimEnd() === p) {
        path = p;
        rest = '';
        break;
      }
      if (line.startsWith(p) && /^\s/.test(line.slice(p.length))) {
        const tail = line.slice(p.length).trim();
        if (CLIENT_AND_OPTIONS.test(tail)) {
          path = p;
          rest = tail;
          break;
        }
      }
    }
    if (path === undefined) {
      const m = /^(.*\S)\s+(\S+?\([^()]*\))$/.exec(line);
      if (m) {
        path = m[1]!;
        rest = m[2]!;
      } else {
        path = line.trimEnd();
        rest = '';
      }
    }
    if (rest === '') {
      pending = path;
      continue;
    }
    pending = undefined;
    const m = CLIENT_AND_OPTIONS.exec(rest!)!;
    entries.push({ path, client: m[1]!, options: m[2]! });
  }
  return entries;
}
