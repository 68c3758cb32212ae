/**
 * Test helpers for destinations: streams of random bytes with their SHA-256, a memory watcher, and
 * a TCP relay in front of a real server (sshd, s3rver) that records what passes and can cut every
 * connection, as a dropped network link would.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';

/**
 * Random bytes the streams take their chunks from: views at varying offsets, so a 64 MiB stream
 * makes almost no garbage and the memory a test measures is the code's under test.
 */
const POOL = randomBytes(4 * 1024 * 1024);

/** `bytes` random bytes in `chunk`-sized pieces, produced only as fast as they are read. */
export function randomStream(
  bytes: number,
  opts: { chunk?: number; failAfter?: number; onProduced?: (produced: number) => void } = {},
): Readable & { sha256(): string; produced(): number } {
  const chunk = opts.chunk ?? 64 * 1024;
  const hash = createHash('sha256');
  let produced = 0;
  const stream = new Readable({
    highWaterMark: chunk,
    read() {
      if (opts.failAfter !== undefined && produced >= opts.failAfter) {
        this.destroy(new Error('the source broke off'));
        return;
      }
      if (produced >= bytes) {
        this.push(null);
        return;
      }
      const size = Math.min(chunk, bytes - produced);
      const offset = (produced * 31 + (produced >>> 7) * 7919) % (POOL.length - size);
      const piece = POOL.subarray(offset, offset + size);
      produced += piece.length;
      hash.update(piece);
      this.push(piece);
      opts.onProduced?.(produced);
    },
  });
  return Object.assign(stream, { sha256: () => hash.copy().digest('hex'), produced: () => produced });
}

/** Reads a stream to its end: its SHA-256 and length. */
export async function digest(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const piece of stream) {
    hash.update(piece as Buffer);
    bytes += (piece as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Samples this process's resident memory until stopped; returns the peak growth over the start. */
export function watchRss(everyMs = 10): { stop(): { peakGrowthBytes: number } } {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return { peakGrowthBytes: peak - start };
    },
  };
}

export interface Relay {
  port: number;
  /** The first line of each connection the client opened (an HTTP request line, for S3). */
  firstLines: string[];
  /** The head of each connection (for HTTP: the request line and headers). */
  heads: string[];
  /** Cuts every open connection once `bytes` more bytes went from the client to the server. */
  cutAfter(bytes: number): Promise<void>;
  close(): Promise<void>;
}

/** A TCP relay from a loopback port to 127.0.0.1:`port`. */
export async function startRelay(port: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  const firstLines: string[] = [];
  const heads: string[] = [];
  let budget: { left: number; cut: () => void } | undefined;
  const cutAll = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  const server: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    let first = '';
    client.on('data', (data: Buffer) => {
      if (!first.includes('\r\n\r\n') && first.length < 8192) {
        const seenLine = first.includes('\n');
        first += data.toString('latin1', 0, Math.min(data.length, 8192));
        if (!seenLine && first.includes('\n')) firstLines.push(first.split(/\r?\n/)[0]!);
        if (first.includes('\r\n\r\n')) heads.push(first.split('\r\n\r\n')[0]!);
      }
      if (budget) {
        budget.left -= data.length;
        if (budget.left <= 0) {
          const { cut } = budget;
          budget = undefined;
          cut();
          return;
        }
      }
      if (!upstream.write(data)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (data: Buffer) => {
      if (!client.write(data)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    firstLines,
    heads,
    cutAfter(bytes) {
      return new Promise((resolve) => {
        budget = {
          left: bytes,
          cut: () => {
            cutAll();
            resolve();
          },
        };
      });
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
