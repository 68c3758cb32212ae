import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../cli/index';
import { startFakeApiServer, type FakeApiServer } from '../testing/fake-apiserver';
import { createSettingsStore } from '../core/storage/settings';
import { createClustersService } from '../core/clusters/clusters-service';

/** A kubeconfig whose server URLs carry a password, as some hand-written ones do. */
function setup(servers: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'homeport-redact-'));
  const file = join(dir, 'config');
  const names = Object.keys(servers);
  writeFileSync(
    file,
    JSON.stringify({
      clusters: names.map((name) => ({ name, cluster: { server: servers[name] } })),
      users: names.map((name) => ({ name, user: {} })),
      contexts: names.map((name) => ({ name, context: { cluster: name, user: name } })),
    }),
  );
  const settings = createSettingsStore(join(dir, 'data'));
  return { file, service: createClustersService({ settings, env: { KUBECONFIG: file }, home: dir }) };
}

describe('a password in a server URL', () => {
  let plain: FakeApiServer;
  beforeAll(async () => {
    plain = await startFakeApiServer({ gitVersion: 'v1.30.2' });
  });
  afterAll(() => plain.close());

  it('is shown as xxxxx in the contexts list, the CLI and connection results, but still used to connect', async () => {
    const port = new URL(plain.url).port;
    const { file, service } = setup({
      up: `http://admin:s3cret@127.0.0.1:${port}`,
      down: 'https://admin:s3cret@127.0.0.1:1',
    });
    const list = await service.listContexts();
    expect(list.contexts.map((c) => c.server)).toEqual([
      'https://admin:xxxxx@127.0.0.1:1',
      `http://admin:xxxxx@127.0.0.1:${port}`,
    ]);

    const up = await service.testConnection('up');
    expect(up).toMatchObject({ status: 'connected', server: `http://admin:xxxxx@127.0.0.1:${port}` });
    // As with kubectl, the URL's user and password reach the server as basic auth.
    expect(plain.requests.at(-1)?.authorization).toBe(`Basic ${Buffer.from('admin:s3cret').toString('base64')}`);
    const down = await service.testConnection('down', 2000);
    expect(down).toMatchObject({ status: 'failed', server: 'https://admin:xxxxx@127.0.0.1:1' });
    expect(JSON.stringify(down)).toContain('https://admin:xxxxx@127.0.0.1:1');
    expect(JSON.stringify([list, up, down])).not.toContain('s3cret');

    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    try {
      expect(await main(['contexts', '--kubeconfig', file])).toBe(0);
      expect(await main(['contexts', '--kubeconfig', file, '--json'])).toBe(0);
    } finally {
      vi.restoreAllMocks();
    }
    expect(out.join('\n')).toContain('https://admin:xxxxx@127.0.0.1:1');
    expect(out.join('\n')).not.toContain('s3cret');
  });
});
