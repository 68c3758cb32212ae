import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Subscribe } from '../api/dispatch';
import { createLiveStore, NEWCOMER_CHUNK } from '../core/kube/live-store';
import { exited, firstMessage, forkScript } from '../testing/node-script';
import { startWebServer } from './http';
import { closeCode, openRawWebSocket, type RawWebSocket } from './testing/raw-ws';

const TOKEN = 'a'.repeat(48);

function invoke(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `http://127.0.0.1:${port}/api/invoke/app:info`,
      { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end('{"input":{}}');
  });
}

/** One subscription round trip on a fresh, well-behaved connection. */
async function subscribeOnce(port: number): Promise<unknown> {
  const ws = await openRawWebSocket({ port, token: TOKEN });
  ws.sendText(JSON.stringify({ type: 'subscribe', id: 'ok', topic: 'clusters:contextsChanged', params: {} }));
  await vi.waitFor(() => expect(ws.frames().some((f) => f.opcode === 0x1)).toBe(true));
  const text =
    ws
      .frames()
      .find((f) => f.opcode === 0x1)
      ?.payload.toString('utf8') ?? '';
  ws.socket.destroy();
  return JSON.parse(text);
}

describe('web mode survives hostile WebSocket frames (server in its own process)', () => {
  let child: ChildProcess;
  let port: number;

  beforeAll(async () => {
    child = await forkScript(join(import.meta.dirname, 'testing', 'web-server-child.ts'), [TOKEN]);
    port = (await firstMessage<{ port: number }>(child)).port;
  }, 60_000);
  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.disconnect();
      await exited(child);
    }
  });

  const expectStillServing = async (ws: RawWebSocket) => {
    await ws.ended;
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
    expect((await invoke(port)).status).toBe(200);
    expect(await subscribeOnce(port)).toEqual([{ type: 'events', id: 'ok', events: [{ hello: true }] }]);
  };

  it('closes only the socket that sends a frame over 256 KB (1009)', async () => {
    const ws = await openRawWebSocket({ port, token: TOKEN });
    // The header alone announces 300 KB; the server refuses before reading the payload.
    ws.sendFrame(0x1, Buffer.alloc(1024, 0x61), 300 * 1024);
    await ws.ended;
    expect(closeCode(ws)).toBe(1009);
    await expectStillServing(ws);
  });

  it('closes only the socket that sends invalid UTF-8 in a text frame (1007)', async () => {
    const ws = await openRawWebSocket({ port, token: TOKEN });
    ws.sendFrame(0x1, Buffer.from([0x7b, 0xc3, 0x28, 0x7d]));
    await ws.ended;
    expect(closeCode(ws)).toBe(1007);
    await expectStillServing(ws);
  });
});

describe('web mode bounds what one WebSocket client can cost', () => {
  const emitters = new Map<string, (event: unknown) => void>();
  const stopped: string[] = [];
  // Three and a bit chunks of items of about 250 bytes each: more than the buffer limit below in all.
  const store = createLiveStore<{ key: string; pad: string }>(50, () => false);
  const held = new Map<string, { key: string; pad: string }>();
  for (let i = 0; i <= 3 * NEWCOMER_CHUNK; i++) {
    const item = { key: `item-${i}`, pad: 'p'.repeat(220) };
    held.set(item.key, item);
    store.upsert(item.key, item);
  }
  store.listed(held, true);
  const subscribe: Subscribe = (topic, params, emit) => {
    if (topic === 'store') return { ok: true, stop: store.subscribe(emit) };
    const key = String((params as { key?: string }).key);
    emitters.set(key, emit);
    return { ok: true, stop: () => void stopped.push(key) };
  };
  let server: Awaited<ReturnType<typeof startWebServer>>;

  beforeAll(async () => {
    const staticDir = mkdtempSync(join(tmpdir(), 'homeport-static-'));
    writeFileSync(join(staticDir, 'index.html'), '<html>app</html>');
    server = await startWebServer({
      dispatch: async () => ({ ok: true, value: null }),
      subscribe,
      token: TOKEN,
      staticDir,
      socketLimits: { maxBufferedBytes: 2 * 1024 * 1024, maxSubscriptions: 20 },
    });
  });
  afterAll(() => {
    store.stop();
    return server.close();
  });
  afterEach(() => {
    emitters.clear();
    stopped.length = 0;
  });

  it('disconnects a client that stops reading with 1013 instead of buffering without limit', async () => {
    const ws = await openRawWebSocket({ port: server.port, token: TOKEN });
    ws.sendText(JSON.stringify({ type: 'subscribe', id: 's', topic: 't', params: { key: 'slow' } }));
    await vi.waitFor(() => expect(emitters.has('slow')).toBe(true));
    ws.socket.pause();
    // 64 MB of updates while the client reads nothing: 32 times the limit.
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 1024; i++) {
      emitters.get('slow')?.({ i, chunk });
      if (i % 16 === 15) await new Promise((r) => setTimeout(r, 1));
    }
    await vi.waitFor(() => expect(stopped).toContain('slow'), { timeout: 10_000 });
    ws.socket.resume();
    await ws.ended;
    expect(closeCode(ws)).toBe(1013);
    // What reached the client is the limit plus at most what the kernel buffers held, not 64 MB.
    expect(ws.receivedBytes()).toBeLessThan(16 * 1024 * 1024);
  }, 30_000);

  it('sends a newcomer many items as one message per chunk, each well under the buffer limit', async () => {
    const ws = await openRawWebSocket({ port: server.port, token: TOKEN });
    ws.sendText(JSON.stringify({ type: 'subscribe', id: 'big', topic: 'store', params: {} }));
    const keys = new Set<string>();
    await vi.waitFor(() => {
      keys.clear();
      for (const f of ws.frames().filter((frame) => frame.opcode === 0x1)) {
        for (const m of JSON.parse(f.payload.toString('utf8')) as { events: { items?: { key: string }[] }[] }[]) {
          for (const e of m.events) for (const item of e.items ?? []) keys.add(item.key);
        }
      }
      expect(keys.size).toBe(held.size);
    });
    const frames = ws.frames().filter((f) => f.opcode === 0x1);
    const total = frames.reduce((sum, f) => sum + f.payload.length, 0);
    expect(total, 'more than the limit in all').toBeGreaterThan(2 * 1024 * 1024);
    expect(frames.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...frames.map((f) => f.payload.length))).toBeLessThan(1.5 * 1024 * 1024);
    expect(closeCode(ws), 'still connected').toBeUndefined();
    ws.socket.destroy();
  });

  it('refuses subscriptions past the per-connection limit with an error naming it', async () => {
    const ws = await openRawWebSocket({ port: server.port, token: TOKEN });
    for (let i = 0; i < 2000; i++) {
      ws.sendText(JSON.stringify({ type: 'subscribe', id: `s${i}`, topic: 't', params: { key: `k${i}` } }));
    }
    await vi.waitFor(() => expect(ws.frames().filter((f) => f.opcode === 0x1).length).toBe(1980));
    expect(emitters.size).toBe(20);
    const first = JSON.parse(ws.frames()[0]?.payload.toString('utf8') ?? '[]') as unknown[];
    expect(first).toEqual([
      {
        type: 'error',
        id: 's20',
        error: { code: 'UNAVAILABLE', message: expect.stringMatching(/already holds 20 subscriptions/) },
      },
    ]);
    // Unsubscribing frees room; resubscribing an id it holds replaces it rather than counting twice.
    ws.sendText(JSON.stringify({ type: 'unsubscribe', id: 's0' }));
    ws.sendText(JSON.stringify({ type: 'subscribe', id: 's1', topic: 't', params: { key: 'again' } }));
    ws.sendText(JSON.stringify({ type: 'subscribe', id: 'late', topic: 't', params: { key: 'late' } }));
    await vi.waitFor(() => expect(emitters.has('late')).toBe(true));
    expect(emitters.has('again')).toBe(true);
    ws.socket.destroy();
    await vi.waitFor(() => expect(stopped).toContain('late'));
  });
});
