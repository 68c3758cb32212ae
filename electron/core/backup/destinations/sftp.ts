/**
 * A backup destination in a directory on a saved NAS host, over SFTP on the host's SSH connection
 * (so the same host-key trust applies as for every other NAS operation). Homeport creates the
 * directory (mkdir -p); files are written 0600 under a hidden temporary name and renamed
 * (posix-rename where the server offers it) once the server has closed them.
 */
import { addAbortSignal, type Readable } from 'node:stream';
import type { Attributes, FileEntry, SFTPWrapper, Stats } from 'ssh2';
import { errorMessage, HomeportError } from '../../errors';
import { dropInPath, parseDropIn } from '../../nas/exports';
import type { NasConnector } from '../../nas/connector';
import type { SshSession } from '../../ssh/connect';
import type { BackupDestination, DestinationEntry } from '../destination';
import { holdErrors, isTempName, pathSegments, tempNameFor, writeFailure } from './paths';

/** SFTP status codes (draft-ietf-secsh-filexfer-02) the destination tells apart. */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

/** Bytes the write stream may hold before the source is paused: several SFTP writes in flight. */
const WRITE_WINDOW = 1024 * 1024;

export interface SftpDestinationOptions {
  /** The host's SSH connection; the destination closes it on close(). */
  session: SshSession;
  sftp: SFTPWrapper;
  /** Absolute directory on the host. */
  root: string;
  label: string;
}

const statusOf = (err: unknown) => (err as { code?: unknown }).code;

type Answer<T> = (cb: (err: Error | undefined | null, value: T) => void) => void;

export function createSftpDestination(opts: SftpDestinationOptions): BackupDestination {
  const { session, sftp, root, label } = opts;
  if (!root.startsWith('/')) {
    throw new HomeportError('INVALID_INPUT', `${label}: the directory must be absolute, like /srv/backups`);
  }
  const base = root.replace(/\/+$/, '');
  const full = (segments: string[]) => [base, ...segments].join('/') || '/';
  // ssh2 never answers a request sent after the SFTP channel closed: every call races the close.
  let gone: Error | undefined;
  let rejectGone: (err: Error) => void = () => undefined;
  const whenGone = new Promise<never>((_, reject) => (rejectGone = reject));
  whenGone.catch(() => undefined);
  const markGone = () => {
    gone ??= new Error('the SSH connection closed');
    rejectGone(gone);
  };
  sftp.once('close', markGone);
  void session.closed.then(markGone);
  const call = <T>(fn: Answer<T>): Promise<T> =>
    gone
      ? Promise.reject(gone)
      : Promise.race([new Promise<T>((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v)))), whenGone]);
  /** An SFTP call that answers only with an error or nothing. */
  const done = (fn: (cb: (err?: Error | null) => void) => void): Promise<void> =>
    call<undefined>((cb) => fn((err) => cb(err, undefined)));

  const fail = (what: string, err: unknown) => {
    const status = statusOf(err);
    if (status === PERMISSION_DENIED) {
      return new HomeportError(
        'FORBIDDEN',
        `${label}: ${what}: permission denied; give the SSH user write access there, or choose another directory`,
      );
    }
    return new HomeportError('UNAVAILABLE', `${label}: ${what}: ${errorMessage(err)}`);
  };

  async function lstat(path: string): Promise<Stats | undefined> {
    try {
      return await call<Stats>((cb) => sftp.lstat(path, cb));
    } catch (err) {
      if (statusOf(err) === NO_SUCH_FILE) return undefined;
      throw err;
    }
  }

  /** mkdir -p: each missing directory from / down, 0700; one made meanwhile by someone else is fine. */
  async function makeDirs(dir: string): Promise<void> {
    const parts = dir.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const path = `/${parts.slice(0, i).join('/')}`;
      const st = await call<Stats>((cb) => sftp.stat(path, cb)).catch((err: unknown) => {
        if (statusOf(err) === NO_SUCH_FILE) return undefined;
        throw fail(`cannot look at ${path}`, err);
      });
      if (st?.isDirectory()) continue;
      if (st)
        throw new HomeportError('CONFLICT', `${label}: cannot create the directory ${path}: a file is in the way`);
      try {
        await done((cb) => sftp.mkdir(path, { mode: 0o700 }, cb));
      } catch (err) {
        const again = await call<Stats>((cb) => sftp.stat(path, cb)).catch(() => undefined);
        if (!again?.isDirectory()) throw fail(`cannot create the directory ${path}`, err);
      }
    }
  }

  async function rename(from: string, to: string): Promise<void> {
    try {
      await done((cb) => sftp.ext_openssh_rename(from, to, cb));
      return;
    } catch (err) {
      // ssh2 throws at once when the server lacks the extension; a refusal by the server is final.
      if (statusOf(err) !== undefined) throw err;
    }
    // Plain SFTP rename refuses an existing target: the old file goes first (a window without it).
    if (await lstat(to)) await done((cb) => sftp.unlink(to, cb));
    await done((cb) => sftp.rename(from, to, cb));
  }

  /**
   * Streams `data` into a new file with up to WRITE_WINDOW bytes in flight: the source is read only
   * as fast as the server acknowledges. A dropped connection or the signal stops it at once (ssh2
   * never answers requests sent after its channel closed, so they are not waited for).
   */
  async function streamTo(file: string, data: Readable, signal: AbortSignal | undefined): Promise<number> {
    let failure: Error | undefined;
    let active = true;
    let wake: (() => void) | undefined;
    let rejectFailed: (err: Error) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (rejectFailed = reject));
    failed.catch(() => undefined);
    const stop = (err: Error) => {
      if (!active || failure) return;
      failure = err;
      rejectFailed(err);
      wake?.();
      // Ends a read of the source that is waiting for bytes.
      data.destroy(err);
    };
    const onDrop = () => stop(gone ?? new Error('the SSH connection closed'));
    whenGone.catch(onDrop);
    const onAbort = () => stop(new Error('cancelled'));
    signal?.addEventListener('abort', onAbort);
    let inFlight = 0;
    let position = 0;
    const settled = async (limit: number) => {
      while (inFlight > limit && !failure) await new Promise<void>((resolve) => (wake = resolve));
      if (failure) throw failure;
    };
    let handle: Buffer | undefined;
    try {
      signal?.throwIfAborted();
      handle = await Promise.race([call<Buffer>((cb) => sftp.open(file, 'w', { mode: 0o600 }, cb)), failed]);
      for await (const piece of data) {
        const chunk = piece as Buffer;
        await settled(Math.max(0, WRITE_WINDOW - chunk.length));
        inFlight += chunk.length;
        sftp.write(handle, chunk, 0, chunk.length, position, (err) => {
          inFlight -= chunk.length;
          if (err) stop(err);
          wake?.();
        });
        position += chunk.length;
      }
      await settled(0);
      const open = handle;
      handle = undefined;
      // The server has all the bytes once it has closed the file.
      await Promise.race([done((cb) => sftp.close(open, cb)), failed]);
      return position;
    } catch (err) {
      throw failure ?? err;
    } finally {
      active = false;
      signal?.removeEventListener('abort', onAbort);
      if (handle && !gone) sftp.close(handle, () => undefined);
    }
  }

  async function write(path: string, data: Readable, wopts: { signal?: AbortSignal } = {}) {
    const segments = pathSegments(path, label, 'refused');
    const dir = full(segments.slice(0, -1));
    const target = full(segments);
    const temp = `${dir}/${tempNameFor(segments[segments.length - 1]!)}`;
    const { signal } = wopts;
    holdErrors(data);
    let bytes: number;
    try {
      signal?.throwIfAborted();
      if (gone) throw gone;
      await makeDirs(dir);
      bytes = await streamTo(temp, data, signal);
      signal?.throwIfAborted();
      await rename(temp, target);
    } catch (err) {
      data.destroy();
      if (!gone) await done((cb) => sftp.unlink(temp, cb)).catch(() => undefined);
      const cause = statusOf(err) === PERMISSION_DENIED ? fail(`cannot write ${dir}`, err) : err;
      throw writeFailure(label, path, cause, signal);
    }
    return { bytes };
  }

  async function read(path: string, ropts: { signal?: AbortSignal } = {}): Promise<Readable> {
    const file = full(pathSegments(path, label, 'refused'));
    let st: Stats | undefined;
    try {
      st = await call<Stats>((cb) => sftp.stat(file, cb));
    } catch (err) {
      if (statusOf(err) !== NO_SUCH_FILE) throw fail(`cannot read ${path}`, err);
    }
    if (!st || st.isDirectory()) {
      throw new HomeportError('NOT_FOUND', `${label}: ${path} does not exist (looked for the file ${file})`);
    }
    const stream = sftp.createReadStream(file, { highWaterMark: 256 * 1024 });
    whenGone.catch(() => {
      if (!stream.destroyed) stream.destroy(new Error(`${label}: the SSH connection closed while reading ${path}`));
    });
    return ropts.signal ? addAbortSignal(ropts.signal, stream) : stream;
  }

  const kindOf = (attrs: Attributes) =>
    (attrs.mode & S_IFMT) === S_IFDIR ? 'dir' : (attrs.mode & S_IFMT) === S_IFREG ? 'file' : undefined;

  async function readdir(dir: string): Promise<FileEntry[] | undefined> {
    try {
      return await call<FileEntry[]>((cb) => sftp.readdir(dir, cb));
    } catch (err) {
      if (statusOf(err) === NO_SUCH_FILE) return undefined;
      throw err;
    }
  }

  async function list(dir: string): Promise<DestinationEntry[]> {
    const folder = full(pathSegments(dir, label, 'allowed'));
    let found;
    try {
      found = (await readdir(folder)) ?? [];
    } catch (err) {
      throw fail(`cannot list ${dir || 'the directory'}`, err);
    }
    const entries: DestinationEntry[] = [];
    for (const { filename, attrs } of found) {
      if (filename === '.' || filename === '..' || isTempName(filename)) continue;
      const kind = kindOf(attrs);
      if (kind === 'dir') entries.push({ name: filename, kind });
      else if (kind === 'file') entries.push({ name: filename, kind, bytes: attrs.size });
    }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async function removeTree(path: string): Promise<void> {
    const st = await lstat(path);
    if (!st) return;
    if (!st.isDirectory()) {
      await done((cb) => sftp.unlink(path, cb));
      return;
    }
    for (const entry of (await readdir(path)) ?? []) {
      if (entry.filename !== '.' && entry.filename !== '..') await removeTree(`${path}/${entry.filename}`);
    }
    await done((cb) => sftp.rmdir(path, cb));
  }

  async function remove(path: string): Promise<void> {
    const target = full(pathSegments(path, label, 'refused'));
    try {
      await removeTree(target);
    } catch (err) {
      throw fail(`cannot remove ${path}`, err);
    }
  }

  return {
    label,
    write,
    read,
    list,
    remove,
    async close() {
      sftp.end();
      await session.close();
    },
  };
}

/**
 * The directory of one of Homeport's NFS exports on the host, from its drop-in file (readable
 * without root on most systems; with `sudo -n` otherwise).
 */
export async function exportDirectory(session: SshSession, hostLabel: string, name: string): Promise<string> {
  const file = dropInPath(name);
  for (const prefix of [[], ['sudo', '-n']]) {
    const cat = await session.exec([...prefix, 'cat', '--', file], { timeoutMs: 10_000 });
    if (cat.code !== 0) continue;
    const dropIn = parseDropIn(name, cat.stdout);
    if (dropIn) return dropIn.path;
  }
  throw new HomeportError(
    'NOT_FOUND',
    `${hostLabel} has no Homeport export named '${name}' (${file} is missing or unreadable); give an absolute directory like nas:HOST/srv/backups, or create the export first`,
  );
}

/** Opens `dir` (absolute, or an export's name) on a saved NAS host; the connection is the destination's. */
export async function openNasDestination(hosts: NasConnector, host: string, dir: string): Promise<BackupDestination> {
  const session = await hosts.connect(host);
  try {
    const hostLabel = `NAS host '${host}'`;
    const root = dir.startsWith('/') ? dir : await exportDirectory(session, hostLabel, dir);
    const label = dir.startsWith('/') ? `NAS '${host}' ${root}` : `NAS '${host}' export '${dir}' (${root})`;
    return createSftpDestination({ session, sftp: await session.sftp(), root, label });
  } catch (err) {
    await session.close().catch(() => undefined);
    throw err;
  }
}
