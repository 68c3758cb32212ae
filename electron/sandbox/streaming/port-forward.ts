/**
 * The pods/{name}/portforward subresource, in the protocols the API server and kubelet speak:
 *
 * - WebSocket channels (`v4.channel.k8s.io`, `v4.base64.channel.k8s.io`, or none), the kubelet's
 *   protocol: the ports are the `ports` query parameters; port i has data channel 2i and error
 *   channel 2i+1, and the first frame on each carries the port as 16-bit little-endian. One
 *   connection per port for the life of the WebSocket.
 * - SPDY streams (kubectl): per connection the client opens an error stream and a data stream
 *   with the headers `streamType`, `port` and `requestID`; either on the upgraded HTTP connection
 *   (`SPDY/3.1`, kubectl before 1.31) or tunneled in WebSocket messages
 *   (`SPDY/3.1+portforward.k8s.io`, kubectl 1.31 and later).
 */
import type * as net from 'node:net';
import type { WebSocket } from 'ws';
import { createSpdySession, type SpdyStream } from './spdy';
import { createChannelCodec } from './channels';

export type Dial = (port: number) => Promise<net.Socket>;

/**
 * Ports of a WebSocket port-forward request: `ports` as the API server takes them
 * (PodPortForwardOptions, `?ports=80&ports=8080`), or `port` as the kubelet takes them.
 */
export function forwardedPorts(q: URLSearchParams): number[] | string {
  const values = [...q.getAll('ports'), ...q.getAll('port')];
  if (values.length === 0) return 'query parameter "ports" is required: the pod ports to forward, e.g. ?ports=8080';
  const ports: number[] = [];
  for (const value of values) {
    for (const p of value.split(',')) {
      const port = Number(p);
      if (!/^\d+$/.test(p) || port < 1 || port > 65535) return `unable to parse "${value}" as a port`;
      ports.push(port);
    }
  }
  return ports;
}

/** The kubelet's WebSocket port-forward: every port dialed at once, the socket closing when all are done. */
export function forwardOverChannels(ws: WebSocket, protocol: string, ports: number[], dial: Dial) {
  const codec = createChannelCodec(protocol);
  const sockets: (net.Socket | undefined)[] = [];
  let open = ports.length;
  const finished = () => {
    if (--open === 0 && ws.readyState === ws.OPEN) ws.close(1000);
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const frame = codec.decode(data, isBinary);
    if (!frame || frame.channel % 2 === 1) return;
    sockets[frame.channel / 2]?.write(frame.data);
  });
  ws.on('close', () => sockets.forEach((s) => s?.destroy()));
  const port16 = (port: number) => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(port);
    return b;
  };
  ports.forEach((port, i) => {
    ws.send(...codec.encode(2 * i, port16(port)));
    ws.send(...codec.encode(2 * i + 1, port16(port)));
    dial(port).then(
      (socket) => {
        sockets[i] = socket;
        socket.on('data', (chunk: Buffer) => ws.readyState === ws.OPEN && ws.send(...codec.encode(2 * i, chunk)));
        socket.on('close', finished);
        socket.on('error', () => undefined);
      },
      (err: Error) => {
        if (ws.readyState === ws.OPEN) ws.send(...codec.encode(2 * i + 1, Buffer.from(err.message)));
        finished();
      },
    );
  });
}

/** kubectl's port-forward: a SPDY session whose stream pairs are each one forwarded connection. */
export function forwardOverSpdy(send: (bytes: Buffer) => void, close: () => void, dial: Dial) {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
  const session = createSpdySession(
    send,
    (stream) => {
      const requestId = stream.headers['requestid'] ?? '';
      const pair = pairs.get(requestId) ?? {};
      pairs.set(requestId, pair);
      if (stream.headers['streamtype'] === 'error') {
        pair.error = stream;
        return;
      }
      if (stream.headers['streamtype'] !== 'data') return stream.reset();
      pair.data = stream;
      const finish = () => {
        pair.data?.end();
        pair.error?.end();
        pairs.delete(requestId);
      };
      const buffered: Buffer[] = [];
      let ended = false;
      stream.onData = (d) => buffered.push(Buffer.from(d));
      stream.onEnd = () => (ended = true);
      const port = Number(stream.headers['port']);
      dial(port).then(
        (socket) => {
          for (const d of buffered.splice(0)) socket.write(d);
          if (ended) socket.end();
          stream.onData = (d) => socket.write(d);
          stream.onEnd = () => socket.end();
          stream.onReset = () => socket.destroy();
          socket.on('data', (chunk: Buffer) => stream.write(chunk));
          socket.on('error', () => undefined);
          socket.on('close', finish);
        },
        (err: Error) => {
          pair.error?.write(Buffer.from(err.message));
          finish();
        },
      );
    },
    close,
  );
  return session;
}
