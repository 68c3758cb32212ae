/**
 * Probing a NAS host: connects over SSH (host key verified first) and reports its OS, whether an NFS
 * server (exportfs) is installed, whether Homeport can act as root, and the free space of the usual
 * export locations. Failures are classified so the UI can say what to fix.
 */
import type { NasProbe } from '@shared/storage-schemas';
import { errorMessage, HomeportError } from '../errors';
import type { SshSession } from '../ssh/connect';
import { SshError, SshTimeoutError } from '../ssh/errors';
import { readHomeportExports } from './exports';
import type { NasConnector } from './connector';
import { detectPrivilege, findExportfs, parseExportfsVerbose, type Privilege } from './remote';
import { createDeadline } from '../deadline';

export const CANDIDATE_PATHS = ['/srv', '/export', '/mnt', '/volume1', '/home'];

/** PRETTY_NAME of an os-release file, unquoted. */
export function parseOsRelease(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const m = /^PRETTY_NAME=(.*)$/.exec(line.trim());
    if (!m) continue;
    let value = m[1]!.trim();
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    value = value.replace(/\\(["\\$`])/g, '$1');
    return value || undefined;
  }
  return undefined;
}

/** The size and free space of the file system of one path, from `df -P -B1 <path>`. */
export function parseDf(text: string): { totalBytes: number; freeBytes: number } | undefined {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  for (const line of lines.slice(1)) {
    const tokens = line.trim().split(/\s+/);
    for (let i = 1; i + 3 < tokens.length; i++) {
      const [total, used, avail, capacity] = tokens.slice(i, i + 4);
      if (/^\d+$/.test(total!) && /^\d+$/.test(used!) && /^\d+$/.test(avail!) && /^(\d+%|-)$/.test(capacity!)) {
        return { totalBytes: Number(total), freeBytes: Number(avail) };
      }
    }
  }
  return undefined;
}

async function osName(session: SshSession): Promise<string> {
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    const r = await session.exec(['cat', file], { timeoutMs: 10_000 });
    const pretty = r.code === 0 ? parseOsRelease(r.stdout) : undefined;
    if (pretty) return pretty;
  }
  const uname = await session.exec(['uname', '-sr'], { timeoutMs: 10_000 });
  return uname.code === 0 && uname.stdout.trim() ? uname.stdout.trim() : 'unknown';
}

/** Paths of the exports the host already has: Homeport's drop-ins and, when readable, `exportfs -v`. */
async function exportedPaths(session: SshSession, exportfs: string, privilege: Privilege): Promise<string[]> {
  const paths = new Set<string>();
  const prefix = privilege === 'sudo' ? ['sudo', '-n'] : [];
  if (privilege !== 'none') {
    const own = await readHomeportExports(session, prefix).catch(() => []);
    for (const e of own) paths.add(e.path);
    const v = await session.exec([...prefix, exportfs, '-v'], { timeoutMs: 10_000 }).catch(() => undefined);
    if (v?.code === 0) for (const e of parseExportfsVerbose(v.stdout, [...paths])) paths.add(e.path);
  }
  return [...paths];
}

export async function probeSession(
  session: SshSession,
  host: string,
): Promise<Extract<NasProbe, { status: 'connected' }>> {
  const os = await osName(session);
  const exportfs = await findExportfs(session);
  const privilege = await detectPrivilege(session);
  const candidates = [...CANDIDATE_PATHS];
  if (exportfs) {
    for (const p of await exportedPaths(session, exportfs, privilege)) if (!candidates.includes(p)) candidates.push(p);
  }
  const paths: Extract<NasProbe, { status: 'connected' }>['paths'] = [];
  for (const path of candidates) {
    const df = await session.exec(['df', '-P', '-B1', '--', path], { timeoutMs: 10_000 });
    if (df.code !== 0) continue; // the path does not exist (or df cannot read it)
    const sizes = parseDf(df.stdout);
    if (sizes) paths.push({ path, ...sizes });
  }
  return { status: 'connected', host, os, nfsServer: exportfs !== undefined, privilege, paths };
}

export function classifyProbeFailure(host: string, err: unknown): Extract<NasProbe, { status: 'failed' }> {
  // A remote command's timeout does not know the host's name; a connection error does.
  const message = errorMessage(err).includes(`'${host}'`)
    ? errorMessage(err)
    : `NAS host '${host}': ${errorMessage(err)}`;
  if (err instanceof SshError) return { status: 'failed', host, ...err.toFailure(), message };
  if (err instanceof HomeportError && err.code === 'INVALID_INPUT') {
    return { status: 'failed', host, reason: 'config', message };
  }
  return { status: 'failed', host, reason: 'unreachable', message };
}

/** Connects to a saved host and probes it; never throws for connection problems (NOT_FOUND still throws). */
export async function probeNas(hosts: NasConnector, name: string, timeoutMs = 30_000): Promise<NasProbe> {
  let session: SshSession | undefined;
  const deadline = createDeadline(
    timeoutMs,
    () =>
      new SshTimeoutError(
        `NAS host '${name}' did not answer the probe within ${timeoutMs} ms; check the address and that the host is up`,
        timeoutMs,
      ),
  );
  try {
    // A session that opens after the deadline is closed at once.
    session = await deadline.race(hosts.connect(name, timeoutMs), (s) => void s.close().catch(() => undefined));
    return await deadline.race(probeSession(session, name));
  } catch (err) {
    if (err instanceof HomeportError && err.code === 'NOT_FOUND') throw err; // no such saved host
    return classifyProbeFailure(name, err);
  } finally {
    deadline.clear();
    await session?.close().catch(() => undefined);
  }
}
