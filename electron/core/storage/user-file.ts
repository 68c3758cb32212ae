/**
 * Reading files the user names (a values file, a kubeconfig and the certificate, key and token
 * files it points at, Docker TLS files, SSH keys, a Prometheus CA). Such a path can be anything:
 * a FIFO that never delivers (a plain read would hang forever, and in web mode hold one of libuv's
 * four file-I/O threads, so unrelated calls hang too), /dev/zero (memory grows without end), or a
 * 200 MB file. Only regular files are read, up to a size fitting their kind, within a deadline.
 */
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { HomeportError } from '../errors';

const MiB = 1024 * 1024;

/** The most Homeport reads of each kind of file: far above any real one, far below harm. */
export const USER_FILE_LIMITS = {
  values: 4 * MiB,
  kubeconfig: 16 * MiB,
  /** PEM certificates and CA bundles, client keys, SSH private keys. */
  pem: 1 * MiB,
  token: 64 * 1024,
  knownHosts: 16 * MiB,
} as const;

export type UserFileKind = keyof typeof USER_FILE_LIMITS;

export interface UserFileSpec {
  kind: UserFileKind;
  /**
   * Which setting named the file, as the user knows it; starts the error message, which goes on
   * with the path and the reason: "--values:", "Kubeconfig file", "Endpoint 'nas': 'tls.caFile'".
   */
  field: string;
  /** Default 10 s: a local file is read in milliseconds; a hung network mount is not waited for. */
  timeoutMs?: number;
  /** Default: the limit of `kind`. */
  maxBytes?: number;
}

/** A user-named file that cannot be used; the message names the setting, the path and why. */
export class UserFileError extends HomeportError {
  constructor(
    readonly field: string,
    readonly path: string,
    readonly reason: string,
    /** The errno code when the file system refused (ENOENT, EACCES, ...). */
    readonly errno?: string,
  ) {
    super(errno === 'ENOENT' ? 'NOT_FOUND' : 'INVALID_INPUT', `${field} ${path} ${reason}`);
    this.name = 'UserFileError';
  }
}

// Opening a FIFO for reading blocks until a writer appears; O_NONBLOCK makes open return at once
// so fstat can refuse it. O_NOCTTY: a terminal device never becomes our controlling terminal.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

const sizeText = (bytes: number) =>
  bytes >= MiB ? `${Math.round(bytes / MiB)} MiB` : `${Math.round(bytes / 1024)} KiB`;

function fsReason(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'does not exist; check the path';
    case 'EACCES':
    case 'EPERM':
      return 'is not readable by Homeport; check its permissions';
    case 'ELOOP':
      return 'is a loop of symbolic links';
    case 'ENOTDIR':
      return 'is not a valid path (a part of it is not a directory)';
    default:
      return `cannot be read (${err.code ?? err.message})`;
  }
}

async function readBounded(path: string, spec: UserFileSpec, maxBytes: number): Promise<Buffer> {
  const refuse = (reason: string, errno?: string) => new UserFileError(spec.field, path, reason, errno);
  const regularOrRefuse = (info: Stats) => {
    if (!info.isFile()) throw refuse(`is ${kindOf(info)}, not a regular file; name a regular file`);
    if (info.size > maxBytes) {
      throw refuse(
        `is ${sizeText(info.size)}, more than the ${sizeText(maxBytes)} Homeport reads for this file; check that it is the right file`,
      );
    }
  };
  // Refuse devices and pipes before opening them at all (opening some devices has effects).
  let info: Stats;
  try {
    info = await stat(path);
  } catch (err) {
    throw refuse(fsReason(err as NodeJS.ErrnoException), (err as NodeJS.ErrnoException).code);
  }
  regularOrRefuse(info);
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (err) {
    throw refuse(fsReason(err as NodeJS.ErrnoException), (err as NodeJS.ErrnoException).code);
  }
  try {
    // The path may have been swapped between stat and open: judge what was actually opened.
    info = await handle.stat();
    regularOrRefuse(info);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(Math.max(info.size - total, 64 * 1024), maxBytes + 1 - total);
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(want), 0, want, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) {
        throw refuse(`grew past the ${sizeText(maxBytes)} Homeport reads for this file while being read`);
      }
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof UserFileError) throw err;
    throw refuse(fsReason(err as NodeJS.ErrnoException), (err as NodeJS.ErrnoException).code);
  } finally {
    await handle.close().catch(() => {});
  }
}

/** Reads a file the user named, as bytes. Throws UserFileError. */
export function readUserFile(path: string, spec: UserFileSpec): Promise<Buffer> {
  const maxBytes = spec.maxBytes ?? USER_FILE_LIMITS[spec.kind];
  const timeoutMs = spec.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new UserFileError(
            spec.field,
            path,
            `could not be read within ${Math.round(timeoutMs / 1000)} s; is it on a network mount that stopped answering?`,
          ),
        ),
      timeoutMs,
    );
  });
  return Promise.race([readBounded(path, spec, maxBytes), timeout]).finally(() => clearTimeout(timer));
}

/** Reads a file the user named, as UTF-8 text. Throws UserFileError. */
export async function readUserText(path: string, spec: UserFileSpec): Promise<string> {
  return (await readUserFile(path, spec)).toString('utf8');
}
