import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { processAlive } from './dir-lock';

/** The file operations an atomic write needs; tests pass a version that fails part-way. */
export interface AtomicFs {
  open: typeof fs.open;
  rename: typeof fs.rename;
  rm: typeof fs.rm;
}

/**
 * Writes a file so that a reader (or a restart after a crash) sees either the old content or the
 * new, never a torn mix: write a sibling temp file created 0600, fsync it, rename it over the
 * target, fsync the directory.
 */
export async function writeFileAtomic(path: string, data: string, io: AtomicFs = fs): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await io.open(tmp, 'wx', 0o600);
    await handle.writeFile(data, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    await io.rename(tmp, path);
  } catch (err) {
    await handle?.close().catch(() => {});
    await io.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  await syncDirectory(dirname(path));
}

/** A temp file whose writer is gone this long is left over from a crash. */
const STALE_TEMP_MS = 10 * 60_000;

/**
 * Deletes the temp files writeFileAtomic left beside `path` when a process died mid-write:
 * those of processes no longer running, and any older than ten minutes.
 */
export async function removeStaleTempFiles(path: string): Promise<void> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const match = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : '');
    if (!match) continue;
    const file = join(dir, name);
    const info = await fs.stat(file).catch(() => undefined);
    if (!info) continue;
    if (!processAlive(Number(match[1])) || Date.now() - info.mtimeMs > STALE_TEMP_MS) {
      await fs.rm(file, { force: true });
    }
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; the rename is still atomic there.
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
