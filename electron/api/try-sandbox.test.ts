import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServices } from '../services';
import { createDispatch } from './dispatch';
import { createHandlers } from './handlers';
import { closeTriedSandboxes, TRY_SANDBOX_FILE } from './try-sandbox';

describe('sandbox:try', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeport-try-sandbox-'));
  const services = createServices({
    dataDir: join(dir, 'data'),
    mode: 'web',
    env: { KUBECONFIG: join(dir, 'none') },
    home: dir,
  });
  const dispatch = createDispatch(createHandlers(services));
  afterAll(async () => {
    services.close();
    await closeTriedSandboxes();
  });

  it('refuses any input, then starts one sandbox and adds its context, without a credential in the answer', async () => {
    const refused = await dispatch('sandbox:try', { port: 1 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });

    const first = await dispatch('sandbox:try', {});
    expect(first.ok).toBe(true);
    const list = first.ok ? (first.value as { contexts: { name: string }[] }) : { contexts: [] };
    expect(list.contexts.map((c) => c.name)).toEqual(['homeport-sandbox']);
    const file = join(dir, 'data', TRY_SANDBOX_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const token = /token: (\S+)/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    expect(JSON.stringify(first)).not.toContain(token);

    const again = await dispatch('sandbox:try', {});
    expect(again.ok && (again.value as { contexts: unknown[] }).contexts).toHaveLength(1);
  }, 30_000);
});
