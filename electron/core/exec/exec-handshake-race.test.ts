/**
 * A command that prints and exits at once (`echo hi`): the API server's output, exit status and
 * close can reach the client in the same TCP segment as the 101 answer to the upgrade. They must
 * reach the session even though its listeners are attached after the upgrade's promise settles.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homeport, tmp, writeKubeconfig } from '../clusters/testing/kubectl';
import { kubernetesCommands } from './kubernetes-exec';
import { collect } from './testing/kube-fixture';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** One unmasked binary (or close) frame as a server sends it. */
function frame(opcode: number, payload: Buffer): Buffer {
  const head =
    payload.length < 126
      ? Buffer.of(0x80 | opcode, payload.length)
      : Buffer.of(0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff);
  return Buffer.concat([head, payload]);
}

let server: http.Server;
let url = '';
const upgraded = new Set<Duplex>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    // The pod as the API server describes a running one.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        metadata: { name: 'quick', namespace: 'default' },
        spec: { containers: [{ name: 'app' }] },
        status: { phase: 'Running', containerStatuses: [{ name: 'app', state: { running: {} } }] },
      }),
    );
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    upgraded.add(socket);
    const accept = createHash('sha1')
      .update(`${req.headers['sec-websocket-key'] ?? ''}${WS_GUID}`)
      .digest('base64');
    const status = JSON.stringify({ metadata: {}, status: 'Success' });
    // The handshake, the streams-open message, the output, the status and the close in one write.
    socket.write(
      Buffer.concat([
        Buffer.from(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`,
        ),
        frame(2, Buffer.of(1)),
        frame(2, Buffer.from('\x01hi\n')),
        frame(2, Buffer.from('\x02warn\n')),
        frame(2, Buffer.concat([Buffer.of(3), Buffer.from(status)])),
        frame(8, Buffer.of(0x03, 0xe8)),
      ]),
    );
    socket.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
      server.close(() => r());
    }),
);

describe('a command whose output arrives with the handshake', () => {
  it('keeps its output and exit status, run after run', async () => {
    const clusters = homeport(writeKubeconfig(join(tmp('homeport-exec-race-'), 'kubeconfig'), { server: url }));
    const commands = kubernetesCommands(
      { kind: 'kubernetes', context: 'c', namespace: 'default' },
      { openGateway: (context) => clusters.openGateway(context) },
    );
    for (let i = 0; i < 20; i++) {
      const run = collect(commands.run({ workload: { pod: 'quick' }, command: ['echo', 'hi'] }));
      // A session that lost the close would never settle: fail in words instead of a test timeout.
      const outcome = await Promise.race([
        run,
        new Promise<string>((r) => setTimeout(() => r('no result within 5 s'), 5_000).unref()),
      ]);
      expect(outcome).toEqual({ out: 'hi\n', err: 'warn\n', result: { kind: 'exited', code: 0 } });
    }
  });
});
