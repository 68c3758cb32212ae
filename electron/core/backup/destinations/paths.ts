/**
 * The rules every destination applies to the paths the backup engine gives it: relative to the
 * destination's root, '/'-separated, never leaving the root. And the temporary names files are
 * written under before the rename that makes them appear.
 */
import { randomBytes } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { HomeportError } from '../../errors';

/**
 * Checks a destination path and returns its segments. '' is the root, allowed only where
 * `root` says so (list). Refuses absolute paths, '.', '..', empty segments and control characters.
 */
export function pathSegments(path: string, label: string, root: 'allowed' | 'refused'): string[] {
  const refuse = (why: string) =>
    new HomeportError(
      'INVALID_INPUT',
      `${label}: the path ${JSON.stringify(path)} ${why}; use a path relative to the destination, like revenge-20261130T193000Z-a1b2/manifest.json`,
    );
  if (typeof path !== 'string') throw refuse('is not text');
  if (path === '') {
    if (root === 'allowed') return [];
    throw refuse('names the destination itself');
  }
  if (path.startsWith('/')) throw refuse('is absolute');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(path)) throw refuse("contains a control character or '\\'");
  const segments = path.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '..')) throw refuse("contains '..'");
  if (segments.some((s) => s === '' || s === '.')) throw refuse("contains an empty or '.' segment");
  if (segments.some((s) => isTempName(s))) throw refuse('is a name Homeport keeps for unfinished writes');
  return segments;
}

const TEMP = /^\.homeport-partial-[0-9a-f]{12}-/;

/** Where a file is written before it is renamed to `name`: hidden, and never listed. */
export function tempNameFor(name: string): string {
  return `.homeport-partial-${randomBytes(6).toString('hex')}-${name}`;
}

/** A file an unfinished (or interrupted) write left; lists leave it out. */
export function isTempName(name: string): boolean {
  return TEMP.test(name);
}

/** The message of a write that did not complete: what failed, and that nothing was left. */
export function writeFailure(label: string, path: string, err: unknown, signal?: AbortSignal): HomeportError {
  if (signal?.aborted) {
    return new HomeportError('UNAVAILABLE', `${label}: writing ${path} was cancelled; nothing was written at ${path}`);
  }
  const why = err instanceof Error ? err.message : String(err);
  const code = err instanceof HomeportError ? err.code : 'UNAVAILABLE';
  return new HomeportError(code, `${label}: writing ${path} failed (${why}); nothing was written at ${path}`);
}

/** A pass-through that counts the bytes going through it (for the { bytes } a write resolves with). */
export class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/**
 * Keeps an error the source emits before the copy starts (while folders are made) from crashing
 * the process: the stream stays errored, and the copy then rejects with that error.
 */
export function holdErrors(data: Readable): void {
  if (data.listenerCount('error') === 0) data.on('error', () => undefined);
}
