/**
 * Terminal sessions through web mode as the browser uses it: calls over HTTP, the session's events
 * over the authenticated WebSocket, commands in a pod of a fake exec API server (real processes).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { Envelope } from '@shared/contract';
import type { ExecEvent } from '@shared/exec-schemas';
import { EXEC_OUTPUT_WINDOW } from '@shared/exec-schemas';
import { kubeExecFixture, type KubeExecFixture } from '../core/exec/testing/kube-fixture';
import { startWebServer, TOKEN_PROTOCOL_PREFIX, WS_PROTOCOL } from '../transport/http';
import { registerIpcTransport, type IpcEvent } from '../transport/ipc';
import { createApi } from './create-api';

const TOKEN = 'b'.repeat(48);
const target = { kind: 'kubernetes', context: 'c', namespace: 'default' } as const;
const size = { cols: 100, rows: 30 };

let fx: KubeExecFixture;
let api: ReturnType<typeof createApi>;
let web: Awaited<ReturnType<typeof startWebServer>>;

beforeAll(async () => {
  fx = await kubeExecFixture();
  fx.server.addPod({ name: 'web', containers: ['app'] });
  fx.server.addPod({ name: 'two', containers: ['main', 'sidecar'] });
  const dir = mkdtempSync(join(tmpdir(), 'homeport-exec-api-'));
  api = createApi({
    dataDir: join(dir, 'data'),
    mode: 'web',
    env: { HOME: dir, KUBECONFIG: fx.kubeconfig },
    home: dir,
  });
  web = await startWebServer({ dispatch: api.dispatch, subscribe: api.subscribe, token: TOKEN, staticDir: dir });
}, 30_000);

afterAll(async () => {
  await web?.close();
  api?.services.close();
  await fx?.close();
});

async function call(channel: string, input: unknown): Promise<Envelope<unknown>> {
  const res = await fetch(`${web.url}api/invoke/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ input }),
  });
  return (await res.json()) as Envelope<unknown>;
}

/** One browser connection: a WebSocket holding subscriptions, with what each received. */
async function connect() {
  const ws = new WebSocket(`ws://127.0.0.1:${web.port}/api/ws`, [WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${TOKEN}`], {
    origin: web.url.replace(/\/$/, ''),
  });
  const events = new Map<string, ExecEvent[]>();
  const errors = new Map<string, { code: string; message: string }>();
  ws.on('message', (data) => {
    for (const m of JSON.parse(String(data)) as {
      type: string;
      id: string;
      events?: ExecEvent[];
      error?: { code: string; message: string };
    }[]) {
      if (m.type === 'events') events.set(m.id, [...(events.get(m.id) ?? []), ...(m.events ?? [])]);
      else if (m.error) errors.set(m.id, m.error);
    }
  });
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  let next = 0;
  return {
    ws,
    closed,
    errors,
    /** Starts a session; resolves with its id and a view of its events. */
    async open(params: Record<string, unknown>) {
      const id = `t${++next}`;
      ws.send(JSON.stringify({ type: 'subscribe', id, topic: 'exec:session', params: { target, size, ...params } }));
      const of = () => events.get(id) ?? [];
      await vi.waitFor(() => expect(of()[0] ?? errors.get(id)).toBeDefined());
      const first = of()[0];
      return {
        id,
        session: first?.type === 'session' ? first.session : '',
        events: of,
        output: () =>
          Buffer.concat(of().flatMap((e) => (e.type === 'output' ? [Buffer.from(e.base64, 'base64')] : []))).toString(),
        ended: () => of().find((e) => e.type === 'ended'),
      };
    },
    stop: (id: string) => ws.send(JSON.stringify({ type: 'unsubscribe', id })),
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('terminal sessions in web mode', () => {
  it('starts /bin/sh by default, takes typed input, resizes, and ends with the exit status', async () => {
    const client = await connect();
    const t = await client.open({ workload: { pod: 'two' } });
    expect(t.session).toMatch(/^[0-9a-f-]{36}$/);
    await vi.waitFor(() =>
      expect(t.events()).toContainEqual({
        type: 'started',
        workload: 'pod two in namespace default',
        container: 'main',
        defaulted: { from: ['main', 'sidecar'] },
      }),
    );
    const exec = fx.server.execs.at(-1)!;
    expect(exec.query.getAll('command')).toEqual(['/bin/sh']);
    expect(exec.query.get('tty')).toBe('true');

    expect(await call('exec:input', { session: t.session, text: 'echo hello\n' })).toEqual({
      ok: true,
      value: { sent: true },
    });
    await vi.waitFor(() => expect(t.output()).toContain('hello\n'));
    expect(await call('exec:resize', { session: t.session, size: { cols: 80, rows: 24 } })).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(exec.resizes).toContainEqual({ Width: 80, Height: 24 }));
    expect(exec.resizes[0]).toEqual({ Width: 100, Height: 30 });

    const bytes = Buffer.from('echo "$((6 * 7))"; exit 3\n').toString('base64');
    await call('exec:input', { session: t.session, base64: bytes });
    await vi.waitFor(() => expect(t.ended()).toEqual({ type: 'ended', result: { kind: 'exited', code: 3 } }));
    expect(t.output()).toContain('42\n');
    // Output comes before the end, and the end is the last event.
    expect(t.events().at(-1)?.type).toBe('ended');
    expect(await call('exec:input', { session: t.session, text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: expect.stringContaining('has ended') },
    });
    client.ws.close();
  });

  it('runs the shell the user picks, and says clearly when the container has none', async () => {
    const client = await connect();
    const bash = await client.open({ workload: { pod: 'web' }, command: ['/bin/bash', '--norc'] });
    await call('exec:input', { session: bash.session, text: 'echo "$BASH_VERSION"; exit\n' });
    await vi.waitFor(() => expect(bash.ended()).toMatchObject({ result: { kind: 'exited', code: 0 } }));
    expect(bash.output()).toMatch(/^\d+\.\d+/);

    const none = await client.open({ workload: { pod: 'web' }, command: ['/bin/no-such-shell'] });
    await vi.waitFor(() => expect(none.ended()).toBeDefined());
    const result = none.ended()?.type === 'ended' ? none.ended() : undefined;
    expect(result).toMatchObject({ result: { kind: 'failed', reason: 'no-executable' } });
    expect(JSON.stringify(result)).toMatch(
      /pod web \(container app\) in namespace default of context 'c'.*no-such-shell/,
    );
    client.ws.close();
  });

  it('ends the command when the session is closed, and when its connection goes away', async () => {
    const client = await connect();
    const closing = await client.open({ workload: { pod: 'web' }, command: ['sh', '-c', 'echo $$; exec sleep 600'] });
    await vi.waitFor(() => expect(closing.output()).toMatch(/^\d+/));
    const pid = Number(/^\d+/.exec(closing.output())![0]);
    expect(alive(pid)).toBe(true);
    expect(await call('exec:close', { session: closing.session })).toEqual({ ok: true, value: { closed: true } });
    // sleep takes no keys, so after the Ctrl+C, Ctrl+D a user leaving would type it is cut off.
    await vi.waitFor(() => expect(closing.ended()).toMatchObject({ result: { kind: 'failed', reason: 'cancelled' } }), {
      timeout: 5000,
    });
    await vi.waitFor(() => expect(alive(pid)).toBe(false));

    const orphan = await client.open({ workload: { pod: 'web' }, command: ['sh', '-c', 'echo $$; exec sleep 600'] });
    await vi.waitFor(() => expect(orphan.output()).toMatch(/^\d+/));
    const orphanPid = Number(/^\d+/.exec(orphan.output())![0]);
    expect(api.services.terminals.count()).toBe(1);
    client.ws.terminate();
    await vi.waitFor(() => expect(api.services.terminals.count()).toBe(0));
    await vi.waitFor(() => expect(alive(orphanPid)).toBe(false), { timeout: 5000 });
    expect(await call('exec:input', { session: orphan.session, text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('reads a flooding command only as fast as the terminal acknowledges, and never trips the socket limit', async () => {
    const client = await connect();
    const flood = await client.open({ workload: { pod: 'web' }, command: ['yes', 'a line of output'] });
    const received = () =>
      flood.events().reduce((n, e) => n + (e.type === 'output' ? Buffer.from(e.base64, 'base64').length : 0), 0);
    await vi.waitFor(() => expect(received()).toBeGreaterThan(EXEC_OUTPUT_WINDOW));
    await new Promise((r) => setTimeout(r, 500));
    const stalled = received();
    // At most one more read of the stream past the window (64 KB chunks), then nothing until acks.
    expect(stalled).toBeLessThan(EXEC_OUTPUT_WINDOW + 64 * 1024 + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(received()).toBe(stalled);

    // Acknowledging lets 12 MB through, far past the socket's 8 MB limit, on the same connection.
    let acked = 0;
    while (acked < 12 * 1024 * 1024) {
      const now = received();
      if (now > acked) {
        const step = Math.min(now - acked, EXEC_OUTPUT_WINDOW);
        expect(await call('exec:ack', { session: flood.session, bytes: step })).toMatchObject({ ok: true });
        acked += step;
      } else await new Promise((r) => setTimeout(r, 5));
    }
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    expect(flood.output().slice(0, 17)).toBe('a line of output\n');
    client.stop(flood.id);
    await vi.waitFor(() => expect(api.services.terminals.count()).toBe(0));
    client.ws.close();
  }, 60_000);

  it('holds at most 8 sessions per connection; another connection has its own', async () => {
    const one = await connect();
    for (let i = 0; i < 8; i++) await one.open({ workload: { pod: 'web' }, command: ['sleep', '600'] });
    const ninth = await one.open({ workload: { pod: 'web' }, command: ['sleep', '600'] });
    expect(one.errors.get(ninth.id)).toEqual({
      code: 'UNAVAILABLE',
      message: 'This window already has 8 terminal sessions open, the most one window may hold; close one first',
    });
    const two = await connect();
    const other = await two.open({ workload: { pod: 'web' }, command: ['sleep', '600'] });
    expect(other.session).not.toBe('');
    expect(api.services.terminals.count()).toBe(9);
    one.ws.close();
    two.ws.close();
    await vi.waitFor(() => expect(api.services.terminals.count()).toBe(0));
  }, 30_000);

  it('refuses what the contract does not allow, naming the field', async () => {
    const client = await connect();
    const refused = async (params: Record<string, unknown>) => {
      const t = await client.open(params);
      return client.errors.get(t.id);
    };
    expect(await refused({ workload: { pod: 'web' }, command: [] })).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('give the program to run'),
    });
    expect(await refused({ workload: { pod: 'web' }, command: ['sh -c ls'] })).toMatchObject({
      message: expect.stringContaining('one word without spaces'),
    });
    expect(await refused({ workload: { pod: 'web' }, command: ['sh', 'a\0b'] })).toMatchObject({
      message: expect.stringContaining('NUL'),
    });
    expect(await refused({ workload: { pod: 'Web!' } })).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await refused({ workload: { pod: 'web' }, size: { cols: 0, rows: 24 } })).toMatchObject({
      message: expect.stringContaining('Cols (size): at least 2'),
    });
    const session = '123e4567-e89b-42d3-a456-426614174000';
    expect(await call('exec:input', { session, text: 'x'.repeat(32 * 1024 + 1) })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await call('exec:input', { session: 'not-a-uuid', text: 'x' })).toMatchObject({ ok: false });
    expect(await call('exec:input', { session, base64: 'not base64!' })).toMatchObject({ ok: false });
    expect(await call('exec:input', { session, text: 'x' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await call('exec:resize', { session, size: { cols: 80, rows: 9999 } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(api.services.terminals.count()).toBe(0);
    client.ws.close();
  });
});

describe('terminal sessions in the desktop window (IPC)', () => {
  const APP_URL = 'app://homeport/index.html';

  /** The IPC transport over the same API, and one window whose page can reload or close. */
  function desktop() {
    const handles = new Map<string, (event: IpcEvent, input: unknown) => Promise<unknown>>();
    const listeners = new Map<string, (event: IpcEvent, message: unknown) => void>();
    registerIpcTransport({
      ipcMain: {
        handle: (channel, listener) => void handles.set(channel, listener),
        on: (channel, listener) => void listeners.set(channel, listener),
      },
      dispatch: api.dispatch,
      subscribe: api.subscribe,
      appUrl: APP_URL,
    });
    const events = new Map<string, ExecEvent[]>();
    let destroy = () => {};
    const sender = {
      id: 7,
      send: (_channel: string, messages: unknown) => {
        for (const m of messages as { type: string; id: string; events?: ExecEvent[] }[]) {
          if (m.type === 'events') events.set(m.id, [...(events.get(m.id) ?? []), ...(m.events ?? [])]);
        }
      },
      isDestroyed: () => false,
      once: (_event: 'destroyed', listener: () => void) => (destroy = listener),
    };
    const event: IpcEvent = { senderFrame: { url: APP_URL }, sender };
    return {
      events,
      call: (channel: string, input: unknown) => handles.get(channel)!(event, input) as Promise<Envelope<unknown>>,
      subscribe: (id: string, params: unknown) =>
        listeners.get('homeport:subscribe')!(event, { id, topic: 'exec:session', params }),
      /** The new page starts with nothing received, and its ids start again at s1. */
      reload: () => {
        events.clear();
        listeners.get('homeport:hello')!(event, undefined);
      },
      close: () => destroy(),
    };
  }

  it('runs a shell for the window, and ends it when the page reloads and when the window closes', async () => {
    const win = desktop();
    const shellIn = async (id: string) => {
      win.subscribe(id, { target, size, workload: { pod: 'web' } });
      await vi.waitFor(() => expect(win.events.get(id)?.[0]?.type).toBe('session'));
      const first = win.events.get(id)![0]!;
      const session = first.type === 'session' ? first.session : '';
      expect(await win.call('exec:input', { session, text: 'echo "pid $$"\n' })).toMatchObject({ ok: true });
      const output = () =>
        Buffer.concat(
          (win.events.get(id) ?? []).flatMap((e) => (e.type === 'output' ? [Buffer.from(e.base64, 'base64')] : [])),
        ).toString();
      await vi.waitFor(() => expect(output()).toMatch(/pid \d+/));
      return Number(/pid (\d+)/.exec(output())![1]);
    };

    const beforeReload = await shellIn('s1');
    expect(api.services.terminals.count('window-7')).toBe(1);
    win.reload();
    expect(api.services.terminals.count('window-7')).toBe(0);
    await vi.waitFor(() => expect(alive(beforeReload)).toBe(false), { timeout: 5000 });

    const beforeClose = await shellIn('s1');
    win.close();
    expect(api.services.terminals.count()).toBe(0);
    await vi.waitFor(() => expect(alive(beforeClose)).toBe(false), { timeout: 5000 });
  }, 20_000);
});
