/** Large-stream helpers for exec tests: a generated input, a hashing sink, and peak memory while they run. */
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';

const CHUNK = 64 * 1024;

/** `bytes` of varied data, generated as it is read (nothing held), and its SHA-256 once read to the end. */
export function generatedInput(bytes: number) {
  const hash = createHash('sha256');
  // One random block, varied per chunk by its index: cheap to make, and no two chunks alike.
  const block = randomBytes(CHUNK);
  let sent = 0;
  let index = 0;
  let resolveDigest: (d: string) => void = () => {};
  const digest = new Promise<string>((r) => (resolveDigest = r));
  const stream = new Readable({
    highWaterMark: CHUNK,
    read() {
      if (sent >= bytes) {
        resolveDigest(hash.digest('hex'));
        this.push(null);
        return;
      }
      const chunk = Buffer.from(block.subarray(0, Math.min(CHUNK, bytes - sent)));
      chunk.writeUInt32BE(index++ >>> 0, 0);
      hash.update(chunk);
      sent += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, digest };
}

/** A sink that hashes what it gets, optionally slowly (a consumer that is behind). */
export function hashingSink(opts: { delayEveryBytes?: number; delayMs?: number } = {}) {
  const hash = createHash('sha256');
  let bytes = 0;
  let sinceDelay = 0;
  let resolveDone: (r: { digest: string; bytes: number }) => void = () => {};
  const done = new Promise<{ digest: string; bytes: number }>((r) => (resolveDone = r));
  const stream = new Writable({
    highWaterMark: CHUNK,
    write(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      sinceDelay += chunk.length;
      if (opts.delayEveryBytes && sinceDelay >= opts.delayEveryBytes) {
        sinceDelay = 0;
        setTimeout(cb, opts.delayMs ?? 5);
      } else cb();
    },
    final(cb) {
      resolveDone({ digest: hash.digest('hex'), bytes });
      cb();
    },
  });
  return { stream, done };
}

/** Runs fn while sampling this process's resident memory; the growth over the start, at its peak. */
export async function peakRssGrowth<T>(fn: () => Promise<T>): Promise<{ value: T; growthBytes: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, growthBytes: peak - start };
  } finally {
    clearInterval(timer);
  }
}

export const MB = 1024 * 1024;
