import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, type Handlers } from '@shared/contract';
import { exchange, forwardFixture, tcpServer } from '../core/portforward/testing/forward-fixture';
import { createDispatch } from './dispatch';
import { createPortForwardHandlers } from './portforward-handlers';

let fx: Awaited<ReturnType<typeof forwardFixture>>;
let echo: Awaited<ReturnType<typeof tcpServer>>;
let dispatch: ReturnType<typeof createDispatch>;

beforeAll(async () => {
  fx = await forwardFixture();
  echo = await tcpServer((s) => s.pipe(s));
  fx.server.addPod({ name: 'web', labels: { app: 'web' }, ports: { 8080: echo.port }, namedPorts: { http: 8080 } });
  fx.server.addService({
    name: 'web',
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 'http' }],
  });
  const unused = async (): Promise<never> => {
    throw new Error('not part of these tests');
  };
  const rest = Object.fromEntries(Object.keys(channels).map((c) => [c, unused])) as unknown as Handlers;
  dispatch = createDispatch({ ...rest, ...createPortForwardHandlers(fx.manager) });
});
afterAll(async () => {
  await fx?.manager.stopAll();
  await echo?.close();
  await fx?.server.close();
});

describe('portforward channels', () => {
  it('start a forward to a Service, list it, stop it', async () => {
    const started = await dispatch('portforward:start', {
      context: 'c',
      namespace: 'default',
      target: { kind: 'service', name: 'web' },
      remotePort: 'http',
    });
    expect(started).toMatchObject({
      ok: true,
      value: { target: { kind: 'service', name: 'web' }, pod: 'web', podPort: 8080, remotePort: 'http' },
    });
    const value = (started as { value: { id: string; url: string; localPort: number } }).value;
    expect(value.url).toBe(`http://127.0.0.1:${value.localPort}`);
    expect((await exchange(value.localPort, 'through the API', 15)).toString()).toBe('through the API');

    const listed = await dispatch('portforward:list', {});
    expect(listed).toMatchObject({ ok: true, value: { forwards: [{ id: value.id, url: value.url }] } });

    expect(await dispatch('portforward:stop', { id: value.id })).toEqual({ ok: true, value: { forwards: [] } });
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: value.localPort }, () => resolve('connected'));
      s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? ''));
    });
    expect(refused).toBe('ECONNREFUSED');
    expect(await dispatch('portforward:stop', { id: value.id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: expect.stringContaining(value.id) as unknown },
    });
  });

  it('validates the input with the contract before anything listens', async () => {
    const base = { context: 'c', namespace: 'default', target: { kind: 'pod', name: 'web' } };
    expect(await dispatch('portforward:start', { ...base, remotePort: 8080, localPort: 70000 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('Local port: use 0-65535') as unknown },
    });
    expect(await dispatch('portforward:start', { ...base, remotePort: 'Not A Port' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('Remote port: ') as unknown },
    });
    expect(
      await dispatch('portforward:start', { ...base, target: { kind: 'deployment', name: 'web' }, remotePort: 80 }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(fx.manager.list()).toEqual([]);
  });

  it('says which pod does not exist', async () => {
    expect(
      await dispatch('portforward:start', {
        context: 'c',
        namespace: 'default',
        target: { kind: 'pod', name: 'gone' },
        remotePort: 80,
      }),
    ).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'pod gone in namespace default does not exist' } });
  });

  it("offers a pod's ports and Services", async () => {
    expect(await dispatch('portforward:options', { context: 'c', namespace: 'default', name: 'web' })).toEqual({
      ok: true,
      value: {
        ports: [{ container: 'main', name: 'http', port: 8080 }],
        services: [{ name: 'web', ports: [{ name: 'http', port: 80 }] }],
      },
    });
  });
});
