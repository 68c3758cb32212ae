import * as net from 'node:net';
import { pipeline } from 'node:stream/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generatedInput, hashingSink, MB, peakRssGrowth } from '../exec/testing/streams';
import { startHttpProxy } from '../../testing/proxies';
import { exchange, forwardFixture, tcpServer, TOKEN, untilClosed } from './testing/forward-fixture';

type Fixture = Awaited<ReturnType<typeof forwardFixture>>;
let fx: Fixture;
let echo: Awaited<ReturnType<typeof tcpServer>>;
const closers: (() => Promise<void>)[] = [];

const pod = (name: string) => ({ kind: 'pod' as const, name });
const svc = (name: string) => ({ kind: 'service' as const, name });
const spec = (target: { kind: 'pod' | 'service'; name: string }, remote: number | string, localPort = 0) => ({
  context: 'c',
  namespace: 'default',
  target,
  remote,
  localPort,
});

beforeAll(async () => {
  fx = await forwardFixture();
  echo = await tcpServer((s) => s.pipe(s));
  fx.server.addPod({ name: 'web', ports: { 8080: echo.port }, namedPorts: { http: 8080 } });
  fx.server.addPod({ name: 'pending', phase: 'Pending', nodeName: null });
});
afterEach(async () => {
  await fx.manager.stopAll();
  fx.manager = (await import('./forwards')).createForwardManager(fx.deps);
  fx.errors.length = 0;
});
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  await echo?.close();
  await fx?.server.close();
});

describe('port-forward to a pod over the kubelet WebSocket protocol', () => {
  it('forwards bytes both ways on a free 127.0.0.1 port, with the credentials and v4.channel.k8s.io', async () => {
    const f = await fx.manager.start(spec(pod('web'), 8080));
    expect(f.url).toBe(`http://127.0.0.1:${f.localPort}`);
    expect(f.localPort).toBeGreaterThan(0);
    expect(f).toMatchObject({ pod: 'web', podPort: 8080, connections: 0 });
    expect((await exchange(f.localPort, 'hello pod', 9)).toString()).toBe('hello pod');
    const sent = fx.server.forwards.at(-1)!;
    expect(sent.path).toBe('/api/v1/namespaces/default/pods/web/portforward');
    expect(sent.query.get('ports')).toBe('8080');
    expect(sent.offered).toEqual(['v4.channel.k8s.io']);
    expect(sent.protocol).toBe('v4.channel.k8s.io');
    expect(sent.headers.Authorization ?? sent.headers.authorization).toEqual([`Bearer ${TOKEN}`]);
  });

  it('moves 64 MB through the echo and back unchanged with a slow reader, without holding it in memory', async () => {
    const f = await fx.manager.start(spec(pod('web'), 'http'));
    const roundTrip = async (bytes: number) => {
      const socket = net.connect({ host: '127.0.0.1', port: f.localPort });
      const input = generatedInput(bytes);
      const sink = hashingSink({ delayEveryBytes: 256 * 1024, delayMs: 10 });
      let got = 0;
      const back = new Promise<void>((resolve, reject) => {
        socket.on('error', reject);
        socket.on('data', (c: Buffer) => {
          got += c.length;
          if (!sink.stream.write(c)) {
            socket.pause();
            sink.stream.once('drain', () => socket.resume());
          }
          if (got >= bytes) {
            sink.stream.end();
            socket.destroy();
            resolve();
          }
        });
      });
      // The input ends the local sending side only; the echo keeps answering until all came back.
      await Promise.all([pipeline(input.stream, socket, { end: false }), back]);
      return { digest: await input.digest, out: await sink.done };
    };
    await roundTrip(8 * MB);
    const { value, growthBytes } = await peakRssGrowth(() => roundTrip(64 * MB));
    expect(value.out.bytes).toBe(64 * MB);
    expect(value.out.digest).toBe(value.digest);
    console.log(`port-forward: 64 MB echoed, peak RSS growth ${(growthBytes / MB).toFixed(1)} MB`);
    // Client, forward, fake API server and echo all run in this process: none may hold the stream,
    // which would grow it by 64 MB or more. Below that, how much garbage is still uncollected at the
    // peak depends on the machine's load (34 MB seen under a full test run), so the bound leaves room.
    expect(growthBytes).toBeLessThan(48 * MB);
  }, 60_000);

  it('carries concurrent connections each on its own WebSocket and counts them', async () => {
    const f = await fx.manager.start(spec(pod('web'), 8080));
    const before = fx.server.forwards.length;
    const open = await Promise.all(
      [0, 1, 2, 3, 4].map(
        (i) =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect({ host: '127.0.0.1', port: f.localPort }, () => resolve(s));
            s.write(`conn-${i}`);
          }),
      ),
    );
    const replies = await Promise.all(
      open.map((s) => new Promise<string>((resolve) => s.once('data', (c: Buffer) => resolve(c.toString())))),
    );
    expect(replies).toEqual(['conn-0', 'conn-1', 'conn-2', 'conn-3', 'conn-4']);
    expect(fx.manager.list()[0]?.connections).toBe(5);
    expect(fx.server.forwards.length - before).toBe(5);
    expect(fx.server.openConnections('web')).toBe(5);
    for (const s of open) s.destroy();
    await expect.poll(() => fx.server.openConnections('web'), { timeout: 5000 }).toBe(0);
    await expect.poll(() => fx.manager.list()[0]?.connections, { timeout: 5000 }).toBe(0);
  });

  it("ends a connection with the kubelet's words when nothing listens on the pod's port", async () => {
    const f = await fx.manager.start(spec(pod('web'), 9999));
    const closed = await untilClosed(f.localPort, 'anyone?');
    expect(closed.data).toBe('');
    expect(fx.errors).toHaveLength(1);
    expect(fx.errors[0]).toMatch(/^pod web port 9999: error forwarding port 9999 to pod \w+, uid : /);
    expect(fx.errors[0]).toContain('dial tcp4 127.0.0.1:9999: connect: connection refused');
    expect(fx.manager.list()[0]?.lastError).toContain('connection refused');
  });

  it('refuses a missing pod, a pod that does not run, and a port name the pod lacks, before listening', async () => {
    await expect(fx.manager.start(spec(pod('nope'), 80))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'pod nope in namespace default does not exist',
    });
    await expect(fx.manager.start(spec(pod('pending'), 80))).rejects.toThrow(
      'pod pending in namespace default is not running (phase Pending)',
    );
    await expect(fx.manager.start(spec(pod('web'), 'grpc'))).rejects.toThrow(
      "pod web in namespace default has no container port named 'grpc'",
    );
    expect(fx.manager.list()).toEqual([]);
  });

  it('reports the 404 of a pod deleted after the forward started on its next connection', async () => {
    fx.server.addPod({ name: 'short', ports: { 80: echo.port } });
    const f = await fx.manager.start(spec(pod('short'), 80));
    fx.server.deletePod('short');
    await untilClosed(f.localPort, 'x');
    expect(fx.errors[0]).toMatch(/^pod short in namespace default: .*pods "short" not found/);
  });
});

describe('what the protocol cannot say', () => {
  it('a client that stops sending still gets what the pod answers within a second, then the connection closes', async () => {
    const slow = await tcpServer((s) =>
      s.once('data', (c: Buffer) => setTimeout(() => s.write(`late ${c.toString()}`), 300)),
    );
    closers.push(slow.close);
    fx.server.addPod({ name: 'slow', ports: { 7000: slow.port } });
    const f = await fx.manager.start(spec(pod('slow'), 7000));
    const got = await new Promise<string>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: f.localPort });
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('close', () => resolve(Buffer.concat(chunks).toString()));
      s.end('question');
    });
    expect(got).toBe('late question');
    await expect.poll(() => fx.server.openConnections('slow'), { timeout: 5000 }).toBe(0);
  });
});

describe('the kube layer carries over to port-forward', () => {
  it('goes through the cluster proxy-url and sends the impersonation headers', async () => {
    const proxy = await startHttpProxy();
    const through = await forwardFixture({
      cluster: { 'proxy-url': proxy.url },
      user: { token: TOKEN, as: 'alice', 'as-groups': ['ops', 'dev'] },
    });
    try {
      through.server.addPod({ name: 'web', ports: { 8080: echo.port } });
      const f = await through.manager.start(spec(pod('web'), 8080));
      expect((await exchange(f.localPort, 'via proxy', 9)).toString()).toBe('via proxy');
      const port = new URL(through.server.url).port;
      expect(proxy.records.filter((r) => r.kind === 'connect' && String(r.port) === port).length).toBeGreaterThan(0);
      const headers = through.server.forwards.at(-1)!.headers;
      expect(headers['Impersonate-User']).toEqual(['alice']);
      expect(headers['Impersonate-Group']).toEqual(['ops', 'dev']);
    } finally {
      await through.manager.stopAll();
      await through.server.close();
      await proxy.close();
    }
  });
});

describe('the listener', () => {
  it('binds 127.0.0.1 only', async () => {
    const f = await fx.manager.start(spec(pod('web'), 8080));
    for (const host of ['127.0.0.2', '::1']) {
      const refused = await new Promise<string>((resolve) => {
        const s = net.connect({ host, port: f.localPort }, () => resolve('connected'));
        s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      });
      expect(refused, host).toMatch(/ECONNREFUSED|EADDRNOTAVAIL|ENETUNREACH/);
    }
  });

  it('takes the local port asked for, and names it when it is busy', async () => {
    const busy = await tcpServer(() => undefined);
    closers.push(busy.close);
    await expect(fx.manager.start(spec(pod('web'), 8080, busy.port))).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `local port ${busy.port} on 127.0.0.1 is already in use; choose another local port, or 0 for a free one`,
    });
    await busy.close();
    const f = await fx.manager.start(spec(pod('web'), 8080, busy.port));
    expect(f.localPort).toBe(busy.port);
  });

  it('stop closes the listener and the open connections', async () => {
    const f = await fx.manager.start(spec(pod('web'), 8080));
    const s = net.connect({ host: '127.0.0.1', port: f.localPort });
    s.write('ping');
    await new Promise((r) => s.once('data', r));
    const closed = new Promise((r) => s.once('close', r));
    await fx.manager.stop(f.id);
    await closed;
    expect(fx.manager.list()).toEqual([]);
    const after = await new Promise<string>((resolve) => {
      const c = net.connect({ host: '127.0.0.1', port: f.localPort }, () => resolve('connected'));
      c.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? ''));
    });
    expect(after).toBe('ECONNREFUSED');
    await expect.poll(() => fx.server.openConnections('web'), { timeout: 5000 }).toBe(0);
    await expect(fx.manager.stop(f.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('port-forward to a Service', () => {
  it("maps the Service's port through a named targetPort to a ready pod, and moves to the next ready pod when it is deleted", async () => {
    const a = await tcpServer((s) => s.on('data', (c: Buffer) => s.write(`A:${c.toString()}`)));
    const b = await tcpServer((s) => s.on('data', (c: Buffer) => s.write(`B:${c.toString()}`)));
    closers.push(a.close, b.close);
    const labels = { app: 'api' };
    fx.server.addPod({
      name: 'api-b',
      labels,
      ports: { 3000: b.port },
      namedPorts: { web: 3000 },
      readySince: '2026-01-02T00:00:00Z',
    });
    fx.server.addPod({
      name: 'api-a',
      labels,
      ports: { 3000: a.port },
      namedPorts: { web: 3000 },
      readySince: '2026-01-01T00:00:00Z',
    });
    fx.server.addPod({ name: 'api-c', labels, ready: false, ports: { 3000: a.port } });
    fx.server.addPod({ name: 'other', labels: { app: 'other' }, ports: { 3000: a.port } });
    fx.server.addService({ name: 'api', selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'web' }] });

    const f = await fx.manager.start(spec(svc('api'), 'http'));
    expect(f).toMatchObject({ pod: 'api-a', podPort: 3000, remotePort: 'http' });
    expect((await exchange(f.localPort, 'one', 5)).toString()).toBe('A:one');
    expect(fx.server.forwards.at(-1)!.query.get('ports')).toBe('3000');

    fx.server.deletePod('api-a');
    expect((await exchange(f.localPort, 'two', 5)).toString()).toBe('B:two');
    expect(fx.manager.list()[0]).toMatchObject({ pod: 'api-b', podPort: 3000 });
    expect(fx.errors).toEqual([]);
    expect((await exchange(f.localPort, 'three', 7)).toString()).toBe('B:three');
  });

  it('after a connection to a terminating pod fails, the next one goes to a ready pod', async () => {
    const a = await tcpServer((s) => s.on('data', (c: Buffer) => s.write(`A:${c.toString()}`)));
    const b = await tcpServer((s) => s.on('data', (c: Buffer) => s.write(`B:${c.toString()}`)));
    closers.push(a.close, b.close);
    const labels = { app: 'cache' };
    const first = { name: 'cache-1', labels, ports: { 6379: a.port }, readySince: '2026-01-01T00:00:00Z' };
    fx.server.addPod(first);
    fx.server.addPod({ name: 'cache-2', labels, ports: { 6379: b.port }, readySince: '2026-01-03T00:00:00Z' });
    fx.server.addService({ name: 'cache', selector: labels, ports: [{ port: 6379 }] });
    const f = await fx.manager.start(spec(svc('cache'), 6379));
    expect((await exchange(f.localPort, 'x', 3)).toString()).toBe('A:x');

    // Deleted, not gone yet: the API still has it, its process no longer listens.
    fx.server.addPod({ ...first, terminating: true });
    await a.close();
    expect((await untilClosed(f.localPort, 'y')).data).toBe('');
    expect(fx.errors[0]).toMatch(/^pod cache-1 port 6379: error forwarding port 6379 .*connection refused/);
    expect((await exchange(f.localPort, 'z', 3)).toString()).toBe('B:z');
    expect(fx.manager.list()[0]).toMatchObject({ pod: 'cache-2' });
  });

  it("moves to the next ready pod when the chosen pod's node cannot be reached", async () => {
    const b = await tcpServer((s) => s.on('data', (c: Buffer) => s.write(`B:${c.toString()}`)));
    closers.push(b.close);
    const labels = { app: 'queue' };
    fx.server.addPod({
      name: 'queue-1',
      labels,
      nodeDown: true,
      ports: { 5672: b.port },
      readySince: '2026-01-01T00:00:00Z',
    });
    fx.server.addPod({ name: 'queue-2', labels, ports: { 5672: b.port }, readySince: '2026-01-02T00:00:00Z' });
    fx.server.addService({ name: 'queue', selector: labels, ports: [{ port: 5672 }] });
    const f = await fx.manager.start(spec(svc('queue'), 5672));
    expect(f.pod).toBe('queue-1');
    expect((await exchange(f.localPort, 'q', 3)).toString()).toBe('B:q');
    expect(fx.manager.list()[0]).toMatchObject({ pod: 'queue-2' });
    expect(fx.errors).toEqual([]);
  });

  it("offers a pod's TCP ports and the Services that select it", async () => {
    fx.server.addPod({
      name: 'media-0',
      labels: { app: 'media', tier: 'web' },
      namedPorts: { http: 8096 },
      ports: { 8096: 1, 9000: 1 },
    });
    fx.server.addService({
      name: 'media',
      selector: { app: 'media' },
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
    });
    fx.server.addService({ name: 'media-admin', selector: { app: 'media', tier: 'admin' }, ports: [{ port: 9000 }] });
    expect(await fx.manager.options({ context: 'c', namespace: 'default', name: 'media-0' })).toEqual({
      ports: [
        { container: 'main', name: 'http', port: 8096 },
        { container: 'main', port: 9000 },
      ],
      services: [{ name: 'media', ports: [{ name: 'http', port: 80 }] }],
    });
  });

  it('refuses a Service without that port, without a selector, or without a ready pod, in words that say so', async () => {
    fx.server.addService({ name: 'db', selector: { app: 'db' }, ports: [{ port: 5432 }] });
    fx.server.addService({ name: 'external', ports: [{ port: 443 }] });
    await expect(fx.manager.start(spec(svc('db'), 80))).rejects.toThrow(
      'service db in namespace default has no port 80; its ports: 5432',
    );
    await expect(fx.manager.start(spec(svc('db'), 5432))).rejects.toThrow(
      'service db in namespace default has no ready pod (0 pods match its selector app=db); wait until one is ready',
    );
    await expect(fx.manager.start(spec(svc('external'), 443))).rejects.toThrow('has no selector');
    await expect(fx.manager.start(spec(svc('ghost'), 443))).rejects.toThrow(
      'service ghost in namespace default does not exist',
    );
  });
});
