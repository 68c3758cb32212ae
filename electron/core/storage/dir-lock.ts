/**
 * One lock per data directory, shared by every Homeport process using it (the desktop app,
 * `homeport serve`, the CLI), so a read-modify-write of its files by one cannot overwrite
 * another's. The lock is the file `.homeport.lock`, created whole with link(2), which fails
 * when the name exists (O_EXCL's guarantee, without a moment where the file is empty). It holds
 * the owner's pid and host; a lock whose process is gone, or older than any write takes, is
 * stale and taken over. Within a process the lock is re-entrant along one async call chain, so
 * an item and its secret can be written under one lock by code that also locks each write.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { HomeportError } from '../errors';

export const LOCK_FILE = '.homeport.lock';

export interface DirLockOptions {
  /** Give up waiting after this long. Default 20 s (writes under the lock take milliseconds). */
  timeoutMs?: number;
  /** A lock older than this is stale whoever holds it. Default 60 s. */
  staleMs?: number;
}

interface Held {
  path: string;
  released: boolean;
}

const held = new AsyncLocalStorage<Held[]>();
/** The tail of each lock's in-process queue: waiters in one process queue here, not on the file. */
const queues = new Map<string, Promise<void>>();

/** True unless the process certainly does not exist (EPERM: it exists, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

interface Owner {
  pid: number;
  host: string;
  token: string;
}

function parseOwner(text: string): Owner | undefined {
  try {
    const o = JSON.parse(text) as Partial<Owner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.token === 'string'
      ? (o as Owner)
      : undefined;
  } catch {
    return undefined;
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<string | false> {
  let text: string;
  let mtimeMs: number;
  try {
    [text, { mtimeMs }] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const owner = parseOwner(text);
  const deadOwner = owner !== undefined && owner.host === hostname() && !processAlive(owner.pid);
  return deadOwner || Date.now() - mtimeMs > staleMs ? text : false;
}

/** Moves a stale lock away, then checks it moved the one it judged (not a fresh one since). */
async function breakStale(lockPath: string, staleText: string): Promise<void> {
  const aside = `${lockPath}.stale.${randomBytes(6).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await readFile(aside, 'utf8').catch(() => staleText);
  if (moved !== staleText) await link(aside, lockPath).catch(() => {});
  await unlink(aside).catch(() => {});
}

async function acquireFile(dir: string, opts: DirLockOptions): Promise<() => Promise<void>> {
  const lockPath = join(dir, LOCK_FILE);
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const staleMs = opts.staleMs ?? 60_000;
  const owner: Owner = { pid: process.pid, host: hostname(), token: randomBytes(12).toString('hex') };
  const ownerText = JSON.stringify(owner);
  const tmp = `${lockPath}.${owner.token}.tmp`;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(tmp, ownerText, { mode: 0o600, flag: 'wx' });
  const deadline = Date.now() + timeoutMs;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(tmp, lockPath);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const stale = await isStale(lockPath, staleMs);
      if (stale !== false) {
        await breakStale(lockPath, stale);
        continue;
      }
      if (Date.now() > deadline) {
        const holder = parseOwner(await readFile(lockPath, 'utf8').catch(() => ''));
        throw new HomeportError(
          'UNAVAILABLE',
          `The data directory ${dir} is locked by another Homeport process${holder ? ` (pid ${holder.pid} on ${holder.host})` : ''} for more than ${Math.round(timeoutMs / 1000)} s. Try again; if no Homeport is running, delete ${lockPath}.`,
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(100, 2 + attempt * 3) * (0.5 + Math.random())));
    }
  } finally {
    await unlink(tmp).catch(() => {});
  }
  return async () => {
    // Remove the lock only while it is still ours (a stalled holder may have been taken over).
    const current = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (current === ownerText) await unlink(lockPath).catch(() => {});
  };
}

/**
 * Runs `fn` holding the lock of `dir` (which must exist). Nested calls for the same directory in
 * the same async call chain run at once; other callers, in this process or another, wait.
 */
export async function withDirLock<T>(dir: string, fn: () => Promise<T>, opts: DirLockOptions = {}): Promise<T> {
  const key = join(dir, LOCK_FILE);
  const chain = held.getStore() ?? [];
  if (chain.some((h) => h.path === key && !h.released)) return fn();

  const previous = queues.get(key) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((r) => (done = r));
  const tail = previous.then(() => mine);
  queues.set(key, tail);
  await previous;
  const entry: Held = { path: key, released: false };
  try {
    const release = await acquireFile(dir, opts);
    try {
      return await held.run([...chain, entry], fn);
    } finally {
      entry.released = true;
      await release();
    }
  } finally {
    done();
    if (queues.get(key) === tail) queues.delete(key);
  }
}
