/**
 * A Prometheus that cannot be reached is one error for the Metrics screen, not one per panel; the
 * settings form's Test queries the typed URL (with the stored secret when none is typed) and saves
 * nothing.
 */
import http from 'node:http';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardSchema } from '@shared/readiness-schemas';
import { buildDashboard } from './dashboards';
import { createPrometheusClient } from './prometheus-client';
import { testPrometheusSettings } from './test-settings';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Answers instant queries like Prometheus, only with basic auth grafana:s3cret. */
let fake: http.Server;
let fakeUrl: string;
beforeAll(async () => {
  fake = http.createServer((req, res) => {
    if (req.headers.authorization !== `Basic ${Buffer.from('grafana:s3cret').toString('base64')}`) {
      res.writeHead(401).end('Unauthorized');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '1'] }] } }),
    );
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  fakeUrl = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
});
afterAll(() => new Promise((r) => fake.close(r)));

const noPods = { listAll: async () => ({ items: [] }), getJson: async () => ({}), server: 'https://k' };

describe('a dead Prometheus URL', () => {
  it('gives the dashboard one error and no error in any panel', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const client = createPrometheusClient({ kind: 'url', url, timeoutMs: 2000 });
    const board = await buildDashboard({
      context: 'home',
      namespace: 'media',
      stack: 'revenge',
      range: '1h',
      // A stand-in gateway: the stack has no pods; the test is about the Prometheus.
      gateway: noPods as unknown as Parameters<typeof buildDashboard>[0]['gateway'],
      discovery: { source: { kind: 'url', description: `Prometheus at ${url}`, notes: [] }, client },
      panels: [],
    });
    client.close();
    expect(dashboardSchema.parse(board)).toEqual(board);
    expect(board.error).toMatch(/ECONNREFUSED/);
    expect(board.panels.length).toBeGreaterThan(1);
    for (const p of board.panels) {
      expect(p.error, p.id).toBeUndefined();
      expect(p.empty).toMatch(/could not be queried \(see above\)/);
    }
  });
});

describe('testing Prometheus settings before saving', () => {
  const none = { resolve: async () => undefined };

  it('says what failed for a dead URL and a refused login, and succeeds with the right one', async () => {
    const dead = await testPrometheusSettings(none, 'home', {
      url: `http://127.0.0.1:${await closedPort()}`,
      auth: 'none',
    });
    expect(dead).toMatchObject({ ok: false, message: expect.stringMatching(/ECONNREFUSED.*Nothing was saved/) });
    const refused = await testPrometheusSettings(none, 'home', {
      url: fakeUrl,
      auth: 'basic',
      username: 'grafana',
      secret: 'nope',
    });
    expect(refused).toMatchObject({ ok: false, message: expect.stringMatching(/401/) });
    const good = await testPrometheusSettings(none, 'home', {
      url: fakeUrl,
      auth: 'basic',
      username: 'grafana',
      secret: 's3cret',
    });
    expect(good).toMatchObject({ ok: true, message: expect.stringContaining(`Prometheus at ${fakeUrl} answered`) });
  });

  it('uses the stored secret when none is typed', async () => {
    const stored = {
      resolve: async () => ({
        url: 'http://old',
        auth: { kind: 'basic' as const, username: 'grafana', password: 's3cret' },
      }),
    };
    expect(
      await testPrometheusSettings(stored, 'home', { url: fakeUrl, auth: 'basic', username: 'grafana' }),
    ).toMatchObject({
      ok: true,
    });
  });
});
