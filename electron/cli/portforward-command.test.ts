import * as net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { tmp } from '../core/clusters/testing/kubectl';
import { exchange, forwardFixture, tcpServer, untilClosed } from '../core/portforward/testing/forward-fixture';
import { main } from './index';
import { parsePorts, parseTarget } from './portforward-command';

let fx: Awaited<ReturnType<typeof forwardFixture>>;
let echo: Awaited<ReturnType<typeof tcpServer>>;

beforeAll(async () => {
  fx = await forwardFixture();
  echo = await tcpServer((s) => s.pipe(s));
  fx.server.addPod({ name: 'web-1', labels: { app: 'web' }, ports: { 8080: echo.port }, namedPorts: { http: 8080 } });
  fx.server.addService({
    name: 'web',
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 'http' }],
  });
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await echo?.close();
  await fx?.server.close();
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  return { out, err };
}

const refusedAt = (port: number) =>
  new Promise<string>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve('connected'));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? ''));
  });

describe('homeport port-forward', () => {
  it('reads ports and targets as kubectl does', () => {
    expect(parsePorts('8080:80')).toEqual({ localPort: 8080, remotePort: 80 });
    expect(parsePorts(':80')).toEqual({ localPort: 0, remotePort: 80 });
    expect(parsePorts('0:80')).toEqual({ localPort: 0, remotePort: 80 });
    expect(parsePorts('5432')).toEqual({ localPort: 5432, remotePort: 5432 });
    expect(parsePorts('9000:http')).toEqual({ localPort: 9000, remotePort: 'http' });
    expect(parsePorts('http')).toEqual({ localPort: 0, remotePort: 'http' });
    expect(() => parsePorts('1:2:3')).toThrow("'1:2:3' is not a port mapping");
    expect(() => parsePorts('x:80')).toThrow("the local port 'x' is not a number");
    expect(parseTarget('pod/web-1')).toEqual({ kind: 'pod', name: 'web-1' });
    expect(parseTarget('svc/web')).toEqual({ kind: 'service', name: 'web' });
    expect(parseTarget('service/web')).toEqual({ kind: 'service', name: 'web' });
    expect(() => parseTarget('deploy/web')).toThrow(
      "name what to forward to as pod/NAME or svc/NAME, not 'deploy/web'",
    );
  });

  it('prints where it forwards from, forwards until SIGTERM, then closes the port', async () => {
    const io = capture();
    const args = ['--kubeconfig', fx.kubeconfig, '--data-dir', tmp(), '--context', 'c', 'svc/web', ':http'];
    const running = main(['port-forward', ...args]);
    await expect.poll(() => io.out.length, { timeout: 10_000 }).toBe(1);
    const m = /^Forwarding from 127\.0\.0\.1:(\d+) -> 8080$/.exec(io.out[0]!);
    expect(m, io.out[0]).not.toBeNull();
    const port = Number(m![1]);
    expect((await exchange(port, 'via the CLI', 11)).toString()).toBe('via the CLI');
    expect(io.out[1]).toBe(`Handling connection for ${port}`);
    process.emit('SIGTERM');
    expect(await running).toBe(0);
    expect(await refusedAt(port)).toBe('ECONNREFUSED');
  });

  it("prints the kubelet's words for a connection that fails, and keeps running", async () => {
    const io = capture();
    const args = ['--kubeconfig', fx.kubeconfig, '--data-dir', tmp(), '--context', 'c', '-n', 'default'];
    const running = main(['port-forward', ...args, 'pod/web-1', '0:9999']);
    await expect.poll(() => io.out.length, { timeout: 10_000 }).toBe(1);
    const port = Number(/127\.0\.0\.1:(\d+) -> 9999$/.exec(io.out[0]!)![1]);
    await untilClosed(port, 'hello?');
    await expect.poll(() => io.err.length).toBe(1);
    expect(io.err[0]).toMatch(
      new RegExp(
        `^an error occurred forwarding ${port} -> 9999: pod web-1 port 9999: error forwarding port 9999 to pod`,
      ),
    );
    expect(await refusedAt(port)).toBe('connected');
    process.emit('SIGINT');
    expect(await running).toBe(0);
  });

  it('fails with the port named when the local port is busy, and with the pod named when it does not exist', async () => {
    const busy = await tcpServer(() => undefined);
    const io = capture();
    const args = ['--kubeconfig', fx.kubeconfig, '--data-dir', tmp(), '--context', 'c'];
    expect(await main(['port-forward', ...args, 'pod/web-1', `${busy.port}:8080`])).toBe(1);
    expect(io.err.at(-1)).toBe(
      `homeport port-forward: local port ${busy.port} on 127.0.0.1 is already in use; choose another local port, or 0 for a free one`,
    );
    expect(await main(['port-forward', ...args, 'pod/nope', '8080'])).toBe(1);
    expect(io.err.at(-1)).toBe('homeport port-forward: pod nope in namespace default does not exist');
    expect(await main(['port-forward', '--context', 'c', 'pod/web-1'])).toBe(2);
    expect(io.err.at(-1)).toContain('give the port to forward');
    await busy.close();
  });
});
