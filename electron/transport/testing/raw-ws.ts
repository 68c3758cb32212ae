import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A WebSocket client built by hand on a TCP socket, so tests can send frames a well-behaved
 * library never would (oversized, invalid UTF-8) and stop reading at will.
 */
export interface RawWebSocket {
  socket: Socket;
  /** Sends one masked client frame (opcode 0x1 text, 0x2 binary); `declaredLength` may lie. */
  sendFrame(opcode: number, payload: Buffer, declaredLength?: number): void;
  sendText(text: string): void;
  /** Frames received so far (server frames are unmasked). */
  frames(): { opcode: number; payload: Buffer }[];
  /** Bytes of frame data received so far. */
  receivedBytes(): number;
  /** Resolves once the socket has ended or closed. */
  ended: Promise<void>;
}

export function encodeClientFrame(opcode: number, payload: Buffer, declaredLength = payload.length): Buffer {
  const mask = randomBytes(4);
  let header: Buffer;
  if (declaredLength < 126) {
    header = Buffer.from([0x80 | opcode, 0x80 | declaredLength]);
  } else if (declaredLength < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(declaredLength, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(declaredLength), 2);
  }
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i] = (masked[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return Buffer.concat([header, mask, masked]);
}

/** Parses whole server frames off the front of `buf`; returns them and the unparsed rest. */
function parseFrames(buf: Buffer): { frames: { opcode: number; payload: Buffer }[]; rest: Buffer } {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  while (buf.length - at >= 2) {
    const opcode = (buf[at] ?? 0) & 0x0f;
    let len = (buf[at + 1] ?? 0) & 0x7f;
    let head = 2;
    if (len === 126) {
      if (buf.length - at < 4) break;
      len = buf.readUInt16BE(at + 2);
      head = 4;
    } else if (len === 127) {
      if (buf.length - at < 10) break;
      len = Number(buf.readBigUInt64BE(at + 2));
      head = 10;
    }
    if (buf.length - at < head + len) break;
    frames.push({ opcode, payload: buf.subarray(at + head, at + head + len) });
    at += head + len;
  }
  return { frames, rest: buf.subarray(at) };
}

export function openRawWebSocket(opts: { port: number; token: string; path?: string }): Promise<RawWebSocket> {
  const host = `127.0.0.1:${opts.port}`;
  return new Promise((resolvePromise, reject) => {
    const socket = connect(opts.port, '127.0.0.1');
    const frames: { opcode: number; payload: Buffer }[] = [];
    let pending = Buffer.alloc(0);
    let received = 0;
    let upgraded = false;
    const ended = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', (err) => {
      if (!upgraded) reject(err);
    });
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (!upgraded) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        pending = pending.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) {
          reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
          socket.destroy();
          return;
        }
        upgraded = true;
        resolvePromise(ws);
      }
      received += chunk.length;
      const parsed = parseFrames(pending);
      frames.push(...parsed.frames);
      pending = Buffer.from(parsed.rest);
      // Answer a close frame as a browser does, so the server can finish the closing handshake.
      if (parsed.frames.some((f) => f.opcode === 0x8) && socket.writable) {
        socket.end(encodeClientFrame(0x8, Buffer.alloc(0)));
      }
    });
    const ws: RawWebSocket = {
      socket,
      sendFrame: (opcode, payload, declaredLength) => socket.write(encodeClientFrame(opcode, payload, declaredLength)),
      sendText: (text) => socket.write(encodeClientFrame(0x1, Buffer.from(text, 'utf8'))),
      frames: () => frames,
      receivedBytes: () => received,
      ended,
    };
    socket.write(
      [
        `GET ${opts.path ?? '/api/ws'} HTTP/1.1`,
        `Host: ${host}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Protocol: homeport.v1, homeport.token.${opts.token}`,
        `Origin: http://${host}`,
        '',
        '',
      ].join('\r\n'),
    );
  });
}

/** The close code of a server close frame, if one arrived. */
export function closeCode(ws: RawWebSocket): number | undefined {
  const close = ws.frames().find((f) => f.opcode === 0x8);
  return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined;
}
