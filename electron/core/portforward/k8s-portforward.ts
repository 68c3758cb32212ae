/**
 * The kubelet's WebSocket port-forward (`v4.channel.k8s.io` on `pods/{name}/portforward?ports=P`),
 * which the API server proxies to the node: every binary message starts with its channel byte —
 * 0 data, 1 error — and the first bytes on each channel are the port, 2 bytes little-endian. A
 * message on the error channel is the kubelet's account of why the connection to the port failed.
 * One WebSocket carries one TCP connection; v4 has no half-close, so the remote side decides when
 * the connection ends once the local side has finished sending.
 */
import type { Socket } from 'node:net';
import type WebSocket from 'ws';

export const PORTFORWARD_PROTOCOL = 'v4.channel.k8s.io';
export const DATA = 0;
export const ERROR = 1;
const PORT_PREFIX = 2;

/** Data goes out in messages of at most this size. */
const MAX_MESSAGE = 256 * 1024;
/** Local reads pause while more than this waits to go out on the WebSocket. */
const HIGH_WATER = 1024 * 1024;
/** A ping now and then keeps proxies and NAT from dropping an idle forward; no pong for long means it is dead. */
const PING_MS = 30_000;
const DEAD_AFTER_MS = 95_000;
/** How long the pod may still answer after the local client stopped sending. */
const HALF_CLOSE_GRACE_MS = 1_000;
/** How long a closing WebSocket may wait for the server's close frame. */
const CLOSE_WAIT_MS = 2_000;

export function portForwardPath(namespace: string, pod: string, port: number): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/portforward?ports=${port}`;
}

/** How one forwarded connection ended: `error` holds the kubelet's words or the lost link. */
export interface ConnectionEnd {
  error?: string;
  /** Bytes received from the pod; 0 with an error means the port could not be reached at all. */
  received: number;
  sent: number;
}

/**
 * Relays one accepted local socket over one open port-forward WebSocket, with backpressure both
 * ways: the WebSocket pauses while the local socket's buffer is full, the local socket pauses while
 * too much waits to go out on the WebSocket. Resolves when both are closed.
 */
export function relayConnection(socket: Socket, ws: WebSocket, port: number): Promise<ConnectionEnd> {
  return new Promise((resolve) => {
    const prefixLeft = [PORT_PREFIX, PORT_PREFIX];
    const errorParts: Buffer[] = [];
    let received = 0;
    let sent = 0;
    let lost: string | undefined;
    let lastPong = Date.now();
    let wsPaused = false;
    let finished = false;

    /** The payload after the port prefix of its channel (a prefix may in theory span messages). */
    const afterPrefix = (channel: number, payload: Buffer): Buffer => {
      const skip = Math.min(prefixLeft[channel]!, payload.length);
      if (prefixLeft[channel] === PORT_PREFIX && payload.length >= PORT_PREFIX && payload.readUInt16LE(0) !== port) {
        lost ??= `the server answered for port ${payload.readUInt16LE(0)} instead of ${port}`;
      }
      prefixLeft[channel]! -= skip;
      return payload.subarray(skip);
    };

    ws.on('message', (data: Buffer) => {
      if (data.length === 0) return;
      const channel = data[0]!;
      if (channel !== DATA && channel !== ERROR) return;
      const payload = afterPrefix(channel, data.subarray(1));
      if (payload.length === 0) return;
      if (channel === ERROR) {
        errorParts.push(Buffer.from(payload));
        // The kubelet gave up on this connection; what it said is all there is to know.
        ws.close(1000);
        return;
      }
      received += payload.length;
      if (!socket.write(payload) && !wsPaused) {
        wsPaused = true;
        ws.pause();
        socket.once('drain', () => {
          wsPaused = false;
          lastPong = Date.now();
          ws.resume();
        });
      }
    });
    ws.on('pong', () => (lastPong = Date.now()));
    ws.on('error', (err) => (lost ??= err.message));

    const heartbeat = setInterval(() => {
      if (!wsPaused && Date.now() - lastPong > DEAD_AFTER_MS) {
        lost ??= `no answer to a heartbeat for ${Math.round(DEAD_AFTER_MS / 1000)} s`;
        ws.terminate();
      } else if (ws.readyState === ws.OPEN) ws.ping();
    }, PING_MS);
    heartbeat.unref();

    socket.on('data', (chunk: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      sent += chunk.length;
      for (let offset = 0; offset < chunk.length; offset += MAX_MESSAGE) {
        const part = chunk.subarray(offset, offset + MAX_MESSAGE);
        ws.send(Buffer.concat([Buffer.of(DATA), part]), () => {
          if (socket.isPaused() && ws.bufferedAmount < HIGH_WATER / 2 && !finished) socket.resume();
        });
      }
      if (ws.bufferedAmount >= HIGH_WATER) socket.pause();
    });
    socket.on('error', () => undefined);
    const closeWs = () => {
      if (ws.readyState !== ws.OPEN && ws.readyState !== ws.CONNECTING) return;
      ws.close(1000);
      // A server stuck behind its own backpressure may never read the close frame.
      setTimeout(() => ws.terminate(), CLOSE_WAIT_MS).unref();
    };
    // The local client closed: nothing is left to deliver to it.
    socket.on('close', closeWs);
    // It stopped sending: v4 cannot pass that on, so the pod gets a moment to answer, as
    // containerd gives the other direction when one ends, then the connection closes.
    let grace: NodeJS.Timeout | undefined;
    socket.on('end', () => {
      grace = setTimeout(closeWs, HALF_CLOSE_GRACE_MS);
      grace.unref();
    });

    ws.on('close', () => {
      finished = true;
      clearInterval(heartbeat);
      clearTimeout(grace);
      const error = errorParts.length > 0 ? Buffer.concat(errorParts).toString('utf8').trim() : lost;
      if (errorParts.length > 0) socket.destroy();
      else socket.end();
      const done = () => resolve({ error, received, sent });
      if (socket.destroyed) done();
      else socket.once('close', done);
    });
    socket.resume();
    ws.resume();
  });
}
