/** A fake port-forward API server over TLS with a token, a kubeconfig for it, and real TCP servers playing pods' ports. */
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { join } from 'node:path';
import { homeport, tmp, writeKubeconfig } from '../../clusters/testing/kubectl';
import { createTestPki } from '../../../testing/tls';
import { createForwardManager, type ForwardDeps } from '../forwards';
import { startFakePortForwardServer } from './fake-portforward-server';

export const TOKEN = 'portforward-test-token';

export async function forwardFixture(opts: { user?: Record<string, unknown>; cluster?: Record<string, unknown> } = {}) {
  const pki = createTestPki();
  const server = await startFakePortForwardServer({ tls: pki, token: TOKEN });
  const kubeconfig = writeKubeconfig(join(tmp('homeport-pf-'), 'kubeconfig'), {
    server: server.url,
    cluster: { 'certificate-authority-data': Buffer.from(pki.caCert).toString('base64'), ...opts.cluster },
    user: opts.user ?? { token: TOKEN },
  });
  const clusters = homeport(kubeconfig);
  const errors: string[] = [];
  const deps: ForwardDeps = {
    openGateway: (context) => clusters.openGateway(context),
    onConnectionError: (_f, message) => errors.push(message),
  };
  return { server, kubeconfig, errors, manager: createForwardManager(deps), deps };
}

/** A TCP server on 127.0.0.1 that answers with `handler`; returns its port and a close. */
export async function tcpServer(handler: (socket: net.Socket) => void) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    handler(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Sends `payload` to host:port and reads back exactly `expect` bytes (the pod side never sees the end). */
export function exchange(port: number, payload: Buffer | string, expect: number, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const chunks: Buffer[] = [];
    let got = 0;
    socket.on('error', reject);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= expect) {
        socket.destroy();
        resolve(Buffer.concat(chunks));
      }
    });
    socket.on('close', () => reject(new Error(`closed after ${got} of ${expect} bytes`)));
    socket.write(payload);
  });
}

/** What a connection to host:port gets before it closes, and how it closed. */
export function untilClosed(port: number, payload: string): Promise<{ data: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let error: string | undefined;
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => resolve({ data: Buffer.concat(chunks).toString('utf8'), error }));
    socket.write(payload);
  });
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
