/**
 * The server side of SPDY/3.1 as kubectl's port-forward speaks it (github.com/moby/spdystream over
 * golang.org/x/net/spdy), either on the upgraded connection itself or tunneled in WebSocket
 * binary messages (`SPDY/3.1+portforward.k8s.io`, kubectl 1.31 and later). The client opens the
 * streams; the server replies, relays data, answers pings, and never asks for flow control
 * (spdystream sends no WINDOW_UPDATE).
 *
 * Header blocks are zlib-compressed with the SPDY/3 dictionary, one compression context per
 * direction. The client's blocks are inflated with Node's zlib; the server's own (empty) replies
 * are written as stored deflate blocks, which any inflater reads and which need no compressor.
 */
import * as zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary';

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 0x01;
const RST_CANCEL = 5;
const MAX_DATA = 32 * 1024;

export interface SpdyStream {
  readonly id: number;
  /** The client's headers, names in lower case. */
  readonly headers: Record<string, string>;
  onData?: (data: Buffer) => void;
  /** The client will send no more (FIN). */
  onEnd?: () => void;
  /** The client reset the stream, or the session closed. */
  onReset?: () => void;
  write(data: Buffer): void;
  /** Half-closes the server's side (FIN). */
  end(): void;
  reset(): void;
}

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** The server's side of the header compression: uncompressed (stored) blocks in one zlib stream. */
function createHeaderWriter() {
  let first = true;
  return (pairs: [string, string][]): Buffer => {
    const parts: Buffer[] = [u32(pairs.length)];
    for (const [k, v] of pairs)
      parts.push(u32(Buffer.byteLength(k)), Buffer.from(k), u32(Buffer.byteLength(v)), Buffer.from(v));
    const raw = Buffer.concat(parts);
    const block = Buffer.alloc(5);
    block.writeUInt16LE(raw.length, 1);
    block.writeUInt16LE(~raw.length & 0xffff, 3);
    // The empty stored block after the data is a sync flush: without it Go's inflater reads on
    // past this frame for the next block and fails the whole session.
    const out: Buffer[] = [block, raw, Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff])];
    if (first) {
      first = false;
      // zlib header: deflate with a 32K window, FDICT set (0x7820 is a multiple of 31), then the dictionary id.
      out.unshift(Buffer.from([0x78, 0x20]), u32(adler32(SPDY3_DICTIONARY)));
    }
    return Buffer.concat(out);
  };
}

/** The client's side: one inflate context for the whole session, read block by block. */
function createHeaderReader() {
  const inflate = zlib.createInflate({ dictionary: SPDY3_DICTIONARY });
  const out: Buffer[] = [];
  let failure: Error | undefined;
  inflate.on('data', (c: Buffer) => out.push(c));
  inflate.on('error', (err: Error) => (failure = err));
  return (block: Buffer): Promise<Record<string, string>> =>
    new Promise((resolve, reject) => {
      inflate.write(block);
      inflate.flush(zlib.constants.Z_SYNC_FLUSH, () =>
        // Output pushed during the flush may be delivered on a later tick.
        setImmediate(() => {
          if (failure) return reject(failure);
          const raw = Buffer.concat(out.splice(0));
          const headers: Record<string, string> = {};
          let at = 4;
          for (let i = 0; i < raw.readUInt32BE(0); i++) {
            const kl = raw.readUInt32BE(at);
            const k = raw.subarray(at + 4, at + 4 + kl).toString();
            at += 4 + kl;
            const vl = raw.readUInt32BE(at);
            headers[k.toLowerCase()] = raw.subarray(at + 4, at + 4 + vl).toString();
            at += 4 + vl;
          }
          resolve(headers);
        }),
      );
    });
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.from([0x80, 0x03, type >> 8, type & 0xff, flags, 0, 0, 0]);
  head.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([head, payload]);
}

function dataFrame(id: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(id & 0x7fffffff);
  head.writeUInt8(flags, 4);
  head.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([head, data]);
}

/**
 * A SPDY session over a byte transport: `send` writes bytes to the client, `receive` takes the
 * client's bytes, `onStream` gets every stream the client opens (already replied to).
 */
export function createSpdySession(
  send: (bytes: Buffer) => void,
  onStream: (s: SpdyStream) => void,
  onClose: () => void,
) {
  const writeHeaders = createHeaderWriter();
  const readHeaders = createHeaderReader();
  const streams = new Map<number, SpdyStream & { ended: boolean; finished: boolean }>();
  let pending: Buffer = Buffer.alloc(0);
  let queue = Promise.resolve();
  let closed = false;

  const done = (s: { id: number; ended: boolean; finished: boolean }) => {
    if (s.ended && s.finished) streams.delete(s.id);
  };

  async function openStream(payload: Buffer, flags: number) {
    const id = payload.readUInt32BE(0) & 0x7fffffff;
    const headers = await readHeaders(payload.subarray(10));
    send(control(SYN_REPLY, 0, Buffer.concat([u32(id), writeHeaders([])])));
    const stream = {
      id,
      headers,
      ended: false,
      finished: false,
      write(data: Buffer) {
        if (closed || stream.finished) return;
        for (let at = 0; at < data.length; at += MAX_DATA) send(dataFrame(id, 0, data.subarray(at, at + MAX_DATA)));
      },
      end() {
        if (closed || stream.finished) return;
        stream.finished = true;
        send(dataFrame(id, FLAG_FIN, Buffer.alloc(0)));
        done(stream);
      },
      reset() {
        if (closed || !streams.has(id)) return;
        streams.delete(id);
        send(control(RST_STREAM, 0, Buffer.concat([u32(id), u32(RST_CANCEL)])));
      },
    } as SpdyStream & { ended: boolean; finished: boolean };
    streams.set(id, stream);
    onStream(stream);
    if (flags & FLAG_FIN) {
      stream.ended = true;
      stream.onEnd?.();
    }
  }

  function handle(frame: Buffer): Promise<void> | void {
    const flags = frame[4] as number;
    const payload = frame.subarray(8);
    if (!((frame[0] as number) & 0x80)) {
      const s = streams.get(frame.readUInt32BE(0) & 0x7fffffff);
      if (!s) return;
      if (payload.length > 0) s.onData?.(payload);
      if (flags & FLAG_FIN && !s.ended) {
        s.ended = true;
        s.onEnd?.();
        done(s);
      }
      return;
    }
    const type = frame.readUInt16BE(2);
    if (type === SYN_STREAM) return openStream(payload, flags);
    if (type === RST_STREAM) {
      const id = payload.readUInt32BE(0) & 0x7fffffff;
      const s = streams.get(id);
      streams.delete(id);
      s?.onReset?.();
    } else if (type === PING && (payload.readUInt32BE(0) & 1) === 1) send(frame);
    else if (type === GOAWAY) close();
    // SETTINGS, WINDOW_UPDATE and HEADERS need nothing from this server.
  }

  function close() {
    if (closed) return;
    closed = true;
    for (const s of streams.values()) s.onReset?.();
    streams.clear();
    onClose();
  }

  return {
    receive(chunk: Buffer) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 8) {
        const length = pending.readUIntBE(5, 3);
        if (pending.length < 8 + length) break;
        const frame = Buffer.from(pending.subarray(0, 8 + length));
        pending = pending.subarray(8 + length);
        queue = queue.then(() => (closed ? undefined : handle(frame))).catch(() => close());
      }
    },
    close,
  };
}
