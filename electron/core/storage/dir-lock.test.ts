import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createS3Profiles } from '../s3/profiles';
import { createSecretStore } from '../secrets/secret-store';
import { exited, firstMessage, forkScript } from '../../testing/node-script';
import { LOCK_FILE, withDirLock } from './dir-lock';
import { JsonStore } from './json-store';

const tmp = () => mkdtempSync(join(tmpdir(), 'homeport-lock-'));
const writer = join(import.meta.dirname, 'testing', 'profile-writer-child.ts');

describe('one data directory, several Homeport processes', () => {
  it('keeps every acknowledged S3 profile, each with its secret, when two processes write at once', async () => {
    const dataDir = tmp();
    const children = await Promise.all(['a', 'b'].map((p) => forkScript(writer, [dataDir, p, '45'])));
    await Promise.all(children.map((c) => firstMessage<string>(c)));
    const results = children.map((c) => firstMessage<{ acknowledged: string[]; failures: string[] }>(c));
    // Both start on an empty directory: both also race to create secret.key.
    for (const c of children) c.send('go');
    const reports = await Promise.all(results);
    await Promise.all(children.map(exited));

    expect(reports.flatMap((r) => r.failures)).toEqual([]);
    const acknowledged = reports.flatMap((r) => r.acknowledged);
    expect(acknowledged).toHaveLength(90);
    const profiles = createS3Profiles({ dataDir, secrets: createSecretStore({ dataDir }) });
    expect((await profiles.list()).map((p) => p.name).sort()).toEqual([...acknowledged].sort());
    for (const name of acknowledged) {
      expect((await profiles.credentials(name)).secretAccessKey).toBe(`secret-of-${name}`);
    }
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dataDir).filter((f) => f.includes('.tmp') || f === LOCK_FILE)).toEqual([]);
  }, 120_000);

  it('takes over a lock left by a process that died, and refuses to wait forever on a live one', async () => {
    const dir = tmp();
    const dead = await forkScript(writer, [dir, 'never', '0']);
    await firstMessage(dead);
    dead.kill('SIGKILL');
    await exited(dead);
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: dead.pid, host: hostname(), token: 'x' }));
    const started = Date.now();
    expect(await withDirLock(dir, async () => 'ran')).toBe('ran');
    expect(Date.now() - started).toBeLessThan(2000);

    // This process is alive: its lock is not stale, so a second holder gives up with a clear error.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), token: 'y' }));
    await expect(withDirLock(dir, async () => 'ran', { timeoutMs: 300 })).rejects.toThrow(
      new RegExp(`locked by another Homeport process \\(pid ${process.pid} on .*delete .*${LOCK_FILE}`),
    );
  });

  it('is re-entrant along one call chain, and serializes separate callers', async () => {
    const dir = tmp();
    const order: string[] = [];
    await Promise.all([
      withDirLock(dir, async () => {
        order.push('outer-start');
        await withDirLock(dir, async () => {
          await new Promise((r) => setTimeout(r, 30));
          order.push('inner');
        });
        order.push('outer-end');
      }),
      withDirLock(dir, async () => void order.push('other')),
    ]);
    expect(order).toEqual(['outer-start', 'inner', 'outer-end', 'other']);
  });

  it('removes temp files a crashed writer left, and keeps those of a live one', async () => {
    const dir = tmp();
    const dead = await forkScript(writer, [dir, 'never', '0']);
    await firstMessage(dead);
    dead.kill('SIGKILL');
    await exited(dead);
    writeFileSync(join(dir, `.s.json.${dead.pid}.0123456789ab.tmp`), '{"items":[');
    writeFileSync(join(dir, `.s.json.${process.pid}.ba9876543210.tmp`), '{"items":[');
    const store = new JsonStore(join(dir, 's.json'), z.object({ items: z.array(z.number()) }), () => ({ items: [] }));
    await store.update((s) => ({ items: [...s.items, 1] }));
    expect(readdirSync(dir).sort()).toEqual([`.s.json.${process.pid}.ba9876543210.tmp`, 's.json']);
  });
});
