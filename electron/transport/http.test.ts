import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { Dispatch, Subscribe } from '../api/dispatch';
import { startWebServer } from './http';

const TOKEN = 'a'.repeat(48);

function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('web transport', () => {
  const dispatch = vi.fn<Dispatch>(async (channel, input) => ({ ok: true, value: { channel, input } }));
  let emit: ((event: unknown) => void) | undefined;
  const stop = vi.fn();
  const subscribe: Subscribe = (topic, _params, e) => {
    if (topic !== 'clusters:contextsChanged') return { ok: false, error: { code: 'NOT_FOUND', message: 'no' } };
    emit = e;
    return { ok: true, stop };
  };
  let server: Awaited<ReturnType<typeof startWebServer>>;
  let base: string;
  let staticDir: string;
  const post = (channel: string, headers: Record<string, string>, body = '{"input":{}}') =>
    request(`${base}api/invoke/${channel}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });

  beforeAll(async () => {
    staticDir = mkdtempSync(join(tmpdir(), 'homeport-static-'));
    mkdirSync(join(staticDir, 'assets'));
    writeFileSync(join(staticDir, 'index.html'), '<html>app</html>');
    writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    server = await startWebServer({ dispatch, subscribe, token: TOKEN, staticDir, batchIntervalMs: 20 });
    base = server.url;
  });
  afterAll(() => server.close());

  it('binds the loopback address by default', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('refuses calls without the token or with a wrong one, and runs no handler', async () => {
    dispatch.mockClear();
    expect((await post('app:info', {})).status).toBe(401);
    expect((await post('app:info', { Authorization: `Bearer ${'b'.repeat(48)}` })).status).toBe(401);
    expect((await post('app:info', { Authorization: `Bearer ${TOKEN.slice(1)}` })).status).toBe(401);
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('runs calls that carry the token, passing the input through dispatch', async () => {
    const res = await post(
      'clusters:testConnection',
      { Authorization: `Bearer ${TOKEN}` },
      '{"input":{"context":"a"}}',
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      ok: true,
      value: { channel: 'clusters:testConnection', input: { context: 'a' } },
    });
  });

  it('accepts the channel name percent-encoded, as fetch clients send it', async () => {
    const res = await post('clusters%3AlistContexts', { Authorization: `Bearer ${TOKEN}` });
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, value: { channel: 'clusters:listContexts' } });
  });

  it('refuses a foreign Origin, a foreign Host and unknown channels', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    expect((await post('app:info', { ...auth, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await post('app:info', { ...auth, Host: 'evil.example' })).status).toBe(421);
    expect((await post('nope:nothing', auth)).status).toBe(404);
    expect((await post('app:info', auth, '{not json')).status).toBe(400);
  });

  it('answers a body over 1 MB with a 400 that says so, instead of dropping the connection', async () => {
    dispatch.mockClear();
    const big = JSON.stringify({ input: { context: 'x'.repeat(1536 * 1024) } });
    const res = await post('clusters:testConnection', { Authorization: `Bearer ${TOKEN}` }, big);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/^Request body is larger than 1 MB/) },
    });
    expect(dispatch).not.toHaveBeenCalled();
    expect((await post('app:info', { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it('serves the app with its CSP and never a file outside the renderer folder', async () => {
    const index = await request(base);
    expect(index.body).toBe('<html>app</html>');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await request(`${base}assets/app.js`)).status).toBe(200);
    expect((await request(`${base}assets/../../../../etc/passwd`)).body).not.toContain('root:');
    // Encoded dot-segments resolve inside the folder: the client-side route fallback, not a leak.
    expect((await request(`${base}%2e%2e/%2e%2e/etc/passwd`)).body).toBe('<html>app</html>');
    expect((await request(`${base}assets/missing.js`)).status).toBe(404);
  });

  it('serves the renderer as it was when it started, without reading the disk again', async () => {
    const script = await request(`${base}assets/app.js`);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['content-length']).toBe(String('console.log(1)'.length));
    writeFileSync(join(staticDir, 'index.html'), '<html>rebuilt</html>');
    rmSync(join(staticDir, 'assets', 'app.js'));
    writeFileSync(join(staticDir, 'assets', 'later.js'), 'console.log(2)');
    expect((await request(`${base}assets/app.js`)).body).toBe('console.log(1)');
    expect((await request(`${base}pods`)).body).toBe('<html>app</html>');
    expect((await request(`${base}assets/later.js`)).status).toBe(404);
    const head = await request(`${base}assets/app.js`, { method: 'HEAD' });
    expect([head.status, head.body, head.headers['content-length']]).toEqual([200, '', '14']);
  });

  it('without the built page (run from source) serves the API, and a page request says how to build it', async () => {
    const missing = join(staticDir, 'not-built');
    const bare = await startWebServer({ dispatch, subscribe, token: TOKEN, staticDir: missing });
    try {
      const page = await request(`${bare.url}pods`);
      expect(page.status).toBe(404);
      expect(JSON.parse(page.body)).toEqual({
        error: expect.stringMatching(
          /^The web page's files cannot be read from .*not-built \(ENOENT.*; run npm run build$/,
        ),
      });
      const call = await request(`${bare.url}api/invoke/app:info`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
        body: '{"input":{}}',
      });
      expect(call.status).toBe(200);
    } finally {
      await bare.close();
    }
  });

  const origin = () => base.replace(/\/$/, '');
  const open = (protocols: string[], headers: Record<string, string>) =>
    new Promise<{ ws?: WebSocket; status?: number }>((resolve) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}api/ws`, protocols, { headers });
      ws.on('open', () => resolve({ ws }));
      ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
      ws.on('error', () => resolve({}));
    });

  it('refuses a WebSocket without the token or from a foreign Origin', async () => {
    expect((await open(['homeport.v1'], { Origin: origin() })).status).toBe(401);
    expect((await open(['homeport.v1', `homeport.token.${TOKEN}`], { Origin: 'http://evil.example' })).status).toBe(
      403,
    );
    expect((await open(['homeport.v1', `homeport.token.${TOKEN}`], {})).status).toBe(403);
  });

  it('delivers subscription events in batches and stops the subscription when the socket closes', async () => {
    const { ws } = await open(['homeport.v1', `homeport.token.${TOKEN}`], { Origin: origin() });
    expect(ws).toBeDefined();
    if (!ws) return;
    const received = new Promise<unknown>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
    ws.send(JSON.stringify({ type: 'subscribe', id: 's1', topic: 'clusters:contextsChanged', params: {} }));
    await vi.waitFor(() => expect(emit).toBeDefined());
    emit?.({ n: 1 });
    emit?.({ n: 2 });
    expect(await received).toEqual([{ type: 'events', id: 's1', events: [{ n: 1 }, { n: 2 }] }]);
    ws.close();
    await vi.waitFor(() => expect(stop).toHaveBeenCalled());
  });
});
