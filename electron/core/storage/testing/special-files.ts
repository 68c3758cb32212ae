import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'homeport-userfile-'));
const fifos: string[] = [];

/** A named pipe nobody writes to: a plain read of it never returns. */
export function makeFifo(name: string): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  fifos.push(path);
  return path;
}

/** A file that claims `bytes` without using the disk. */
export function sparseFile(name: string, bytes: number): string {
  const path = join(dir, name);
  writeFileSync(path, '');
  truncateSync(path, bytes);
  return path;
}

/** Rejects when `promise` has not settled within `ms`: a hang is a failure, not a stuck run. */
export function within<T>(promise: Promise<T>, ms = 3000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms)),
  ]);
}

/** Gives any reader still blocked on one of the FIFOs its end of file, so no thread stays stuck. */
export function releaseFifos(): void {
  for (const fifo of fifos) closeSync(openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK));
}
