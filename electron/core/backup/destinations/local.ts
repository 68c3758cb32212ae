/**
 * A backup destination in a folder on this machine. Files are private to the user (0600, folders
 * 0700): a backup holds database contents. Each file is written under a hidden temporary name in
 * its folder, flushed to disk, then renamed, so a file at its real name is always whole.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { addAbortSignal, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorMessage, HomeportError } from '../../errors';
import type { BackupDestination, DestinationEntry } from '../destination';
import { ByteCounter, holdErrors, isTempName, pathSegments, tempNameFor, writeFailure } from './paths';

export function createLocalDestination(root: string, label = `folder ${root}`): BackupDestination {
  if (!root.startsWith('/')) {
    throw new HomeportError('INVALID_INPUT', `${label}: the folder must be an absolute path, like /mnt/usb/backups`);
  }
  const full = (segments: string[]) => join(root, ...segments);

  async function ensureDir(dir: string): Promise<void> {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'EACCES' || code === 'EPERM'
          ? 'Homeport may not create it; choose a folder you can write to'
          : code === 'ENOTDIR' || code === 'EEXIST'
            ? 'a file is in the way'
            : errorMessage(err);
      throw new HomeportError('UNAVAILABLE', `${label}: cannot create the folder ${dir}: ${why}`);
    }
  }

  async function write(path: string, data: Readable, opts: { signal?: AbortSignal } = {}) {
    const segments = pathSegments(path, label, 'refused');
    const dir = full(segments.slice(0, -1));
    const target = full(segments);
    const temp = join(dir, tempNameFor(segments[segments.length - 1]!));
    const counter = new ByteCounter();
    holdErrors(data);
    try {
      opts.signal?.throwIfAborted();
      await ensureDir(dir);
      const out = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
      await pipeline(data, counter, out, ...(opts.signal ? [{ signal: opts.signal }] : []));
      // The rename must not land before the bytes do: a power cut would leave a whole-looking file.
      const handle = await open(temp, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      opts.signal?.throwIfAborted();
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true }).catch(() => undefined);
      data.destroy();
      throw writeFailure(label, path, err, opts.signal);
    }
    return { bytes: counter.bytes };
  }

  async function read(path: string, opts: { signal?: AbortSignal } = {}): Promise<Readable> {
    const file = full(pathSegments(path, label, 'refused'));
    let handle;
    try {
      handle = await open(file, 'r');
      if ((await handle.stat()).isDirectory()) {
        await handle.close();
        throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
        throw new HomeportError('NOT_FOUND', `${label}: ${path} does not exist (looked for the file ${file})`);
      }
      throw new HomeportError('UNAVAILABLE', `${label}: cannot read ${path}: ${errorMessage(err)}`);
    }
    const stream = handle.createReadStream();
    return opts.signal ? addAbortSignal(opts.signal, stream) : stream;
  }

  async function list(dir: string): Promise<DestinationEntry[]> {
    const folder = full(pathSegments(dir, label, 'allowed'));
    let names;
    try {
      names = await readdir(folder, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw new HomeportError('UNAVAILABLE', `${label}: cannot list ${dir || 'the folder'}: ${errorMessage(err)}`);
    }
    const entries: DestinationEntry[] = [];
    for (const entry of names) {
      if (isTempName(entry.name)) continue;
      if (entry.isDirectory()) entries.push({ name: entry.name, kind: 'dir' });
      else if (entry.isFile()) {
        const bytes = (await stat(join(folder, entry.name)).catch(() => undefined))?.size;
        if (bytes !== undefined) entries.push({ name: entry.name, kind: 'file', bytes });
      }
    }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async function remove(path: string): Promise<void> {
    const target = full(pathSegments(path, label, 'refused'));
    try {
      await rm(target, { recursive: true, force: true });
    } catch (err) {
      throw new HomeportError('UNAVAILABLE', `${label}: cannot remove ${path}: ${errorMessage(err)}`);
    }
  }

  return {
    label,
    write,
    read,
    list,
    remove,
    close: async () => undefined,
  };
}
