/**
 * Backup and restore of Revenge on the real engine's swarm, end to end through Homeport's services:
 * a real PostgreSQL (postgres:homeport-real) holding thousands of rows in several tables, a bucket
 * of a saved S3 profile (s3rver) with objects, backed up to a saved NAS host over SFTP (the real
 * sshd). The restore drill passes on the good backup and fails naming the table on a damaged one;
 * the stack, its volumes and its objects are wiped and restored, and every table's rows and
 * checksum and every object's checksum match. Faults end with a clear message and leave nothing
 * that looks like a good backup.
 */
import { execFile } from 'node:child_process';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupManifest } from '@shared/backup-schemas';
import type { SwarmTarget } from '@shared/target-schemas';
import { ensurePostgresImage } from '../core/docker/testing/postgres-image';
import { testEngine } from '../core/docker/testing/engine';
import { TEST_USER } from '../core/ssh/testing/sshd';
import { DAMAGED_TABLE } from '../core/backup/testing/sample-data';
import {
  bucketSums,
  emptyBucket,
  loadSample,
  putObjects,
  revengeValues,
  runOperation,
  startBackupWorld,
  statsOf,
  waitHealthy,
  type BackupWorld,
} from './backup-world';

const run = promisify(execFile);
const engine = testEngine();
const target: SwarmTarget = { kind: 'swarm', endpoint: 'test' };
const stack = 'revenge';
const postgres = { service: `${stack}_postgres` };
let world: BackupWorld;
let objects: Map<string, string>;

async function deployed() {
  return (await world.services.deployments.revisions({ target, stack })).some((r) => r.current);
}

/** Copies a backup folder on the NAS as the SSH user would own it. */
async function copyOnNas(from: string, to: string) {
  await cp(join(world.nasDir, from), join(world.nasDir, to), { recursive: true });
  await run('chown', ['-R', TEST_USER, join(world.nasDir, to)]);
}

beforeAll(async () => {
  await ensurePostgresImage(engine.docker);
  world = await startBackupWorld();
  await world.services.dockerEndpoints.add({ name: 'test', url: engine.host });
  await world.services.backupKeys.set({ passphrase: 'a long backup passphrase' });
  await world.services.deployments.apply({
    target,
    stack,
    values: revengeValues({ swarm: { publish: { frontend: null } } }),
    prune: true,
  });
  // The database accepts connections once the image's entrypoint has initialized it.
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await loadSample(world, target, postgres, 2000);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  objects = await putObjects(world, 24);
  await waitHealthy(world, target, stack);
}, 500_000);

afterAll(async () => {
  await world?.services.deployments.uninstall({ target, stack, deleteData: true }).catch(() => undefined);
  await world?.close();
}, 120_000);

describe('Revenge on Swarm: back up to the NAS, verify, wipe, restore', () => {
  let good: { backup: string; manifest: BackupManifest };

  it('backs up the database, the bucket, the state and the sealed secrets, with the manifest last', async () => {
    const { backup, end, events } = await runOperation(
      world,
      world.services.backups.start({ target, stack, destination: world.nas }),
    );
    expect(end.state, end.message).toBe('succeeded');
    expect(events.some((e) => e.item === 'database/postgres' && e.phase === 'dumping')).toBe(true);
    expect(end.items.map((i) => [i.name, i.state])).toEqual([
      ['state', 'done'],
      ['secrets', 'done'],
      ['database/postgres', 'done'],
      ['bucket/revenge-media', 'done'],
    ]);
    const [summary] = await world.services.backups.list({ destination: world.nas, stack });
    expect(summary).toMatchObject({ id: backup, complete: true });
    const manifest = summary!.manifest!;
    const tables = manifest.items.find((i) => i.kind === 'database')!.tables!;
    expect(tables.length).toBeGreaterThanOrEqual(4);
    expect(tables.every((t) => t.rows >= 2000)).toBe(true);
    expect(tables).toEqual(await statsOf(world, target, postgres));
    const bucket = manifest.items.find((i) => i.kind === 'bucket')!;
    expect(new Map(bucket.objects!.map((o) => [o.key, o.sha256]))).toEqual(objects);
    expect(manifest.tools.pg_dump).toMatch(/^pg_dump \(PostgreSQL\) 15\./);
    // Nothing secret in the manifest or the state; the secrets file is sealed.
    const dir = join(world.nasDir, backup);
    const sealed = await readFile(join(dir, 'secrets.enc'));
    expect(sealed.subarray(0, 6).toString()).toBe('HPBK1\n');
    expect(JSON.stringify(manifest)).not.toMatch(/S3RVER|password"?:/i);
    good = { backup, manifest };
  }, 300_000);

  it('the restore drill passes on the good backup and the scorecard counts it', async () => {
    const { end } = await runOperation(
      world,
      world.services.backups.verify({ destination: world.nas, backup: good.backup }),
    );
    expect(end.state, end.message).toBe('succeeded');
    const [summary] = await world.services.backups.list({ destination: world.nas, stack });
    expect(summary?.drill).toMatchObject({
      result: 'passed',
      tables: good.manifest.items.find((i) => i.kind === 'database')!.tables!.length,
      objects: 24,
    });
    expect(summary?.drill?.scratch).toMatch(/^stack revenge-drill-[0-9a-f]{4} on swarm endpoint 'test'$/);
    // The scratch copy is gone.
    expect(await engine.docker(['service', 'ls', '--format', '{{.Name}}'])).not.toMatch(/revenge-drill-/);
    const check = (await world.services.deployments.readiness({ target, stack })).checks.find(
      (c) => c.id === 'storage.backup',
    );
    expect(check).toMatchObject({ verdict: 'pass', summary: 'The last verified backup is less than a day old' });
  }, 600_000);

  it('the drill fails naming the table on a damaged backup, and naming the file on a corrupted part', async () => {
    const damagedId = good.backup.replace(/-[0-9a-f]{4}$/, '-dead');
    await rm(join(world.nasDir, damagedId), { recursive: true, force: true });
    await copyOnNas(good.backup, damagedId);
    const manifest = JSON.parse(
      await readFile(join(world.nasDir, damagedId, 'manifest.json'), 'utf8'),
    ) as BackupManifest;
    manifest.id = damagedId;
    const [schema, table] = DAMAGED_TABLE.split('.');
    const t = manifest.items
      .find((i) => i.kind === 'database')!
      .tables!.find((x) => x.schema === schema && x.table === table)!;
    t.rows += 1;
    await writeFile(join(world.nasDir, damagedId, 'manifest.json'), JSON.stringify(manifest));
    await rm(join(world.nasDir, damagedId, 'drill.json'), { force: true });
    const failed = await runOperation(
      world,
      world.services.backups.verify({ destination: world.nas, backup: damagedId }),
    );
    expect(failed.end.state).toBe('failed');
    expect(failed.end.message).toBe(
      `The restore drill failed: database/postgres: table ${DAMAGED_TABLE}: ${t.rows - 1} rows after the restore, the backup recorded ${t.rows}`,
    );

    // One flipped byte in the dump: named before anything is deployed.
    const dump = join(world.nasDir, damagedId, 'database-postgres.dump');
    const bytes = await readFile(dump);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    await writeFile(dump, bytes);
    const corrupt = await runOperation(
      world,
      world.services.backups.verify({ destination: world.nas, backup: damagedId }),
    );
    expect(corrupt.end.message).toMatch(
      new RegExp(`The restore drill failed: NAS .*${damagedId}/database-postgres\\.dump is damaged`),
    );
    const listed = (await world.services.backups.list({ destination: world.nas, stack })).find(
      (b) => b.id === damagedId,
    );
    expect(listed?.drill?.result).toBe('failed');
    await rm(join(world.nasDir, damagedId), { recursive: true, force: true });
  }, 600_000);

  it('a backup without its manifest is incomplete and is never restored', async () => {
    const partial = good.backup.replace(/-[0-9a-f]{4}$/, '-0bad');
    await copyOnNas(good.backup, partial);
    await rm(join(world.nasDir, partial, 'manifest.json'));
    const listed = (await world.services.backups.list({ destination: world.nas, stack })).find((b) => b.id === partial);
    expect(listed).toMatchObject({ complete: false });
    await expect(
      world.services.backups.restore({ destination: world.nas, backup: partial, target, replace: true }),
    ).rejects.toThrow(`Backup ${partial} at NAS`);
    await rm(join(world.nasDir, partial), { recursive: true, force: true });
  });

  it('refuses to restore over the running stack unless confirmed, and names what it replaces', async () => {
    const plan = await world.services.backups.restorePlan({ destination: world.nas, backup: good.backup, target });
    expect(plan.deployed).toBe(true);
    expect(plan.replaces[0]).toMatch(/^stack revenge at swarm endpoint 'test': removed with its volumes and data/);
    await expect(
      runOperation(
        world,
        world.services.backups.restore({ destination: world.nas, backup: good.backup, target, replace: false }),
      ).then((r) => r.end),
    ).resolves.toMatchObject({
      state: 'failed',
      message: expect.stringMatching(/is deployed at swarm endpoint 'test': restoring removes it/),
    });
    expect(await deployed()).toBe(true);
  });

  it('with a wrong passphrase the restore stops before anything changes', async () => {
    await world.services.backupKeys.set({ passphrase: 'not the passphrase it was made with' });
    const { end } = await runOperation(
      world,
      world.services.backups.restore({ destination: world.nas, backup: good.backup, target, replace: true }),
    );
    expect(end).toMatchObject({
      state: 'failed',
      message: expect.stringMatching(/does not open with the backup passphrase/),
    });
    expect(await deployed()).toBe(true);
    await world.services.backupKeys.set({ passphrase: 'a long backup passphrase' });
  }, 120_000);

  it('wiped stack, volumes and objects come back: every table and object matches', async () => {
    const recorded = good.manifest.items.find((i) => i.kind === 'database')!.tables!;
    await world.services.deployments.uninstall({ target, stack, deleteData: true });
    await emptyBucket(world);
    expect(await engine.docker(['volume', 'ls', '--format', '{{.Name}}'])).not.toMatch(/^revenge_/m);
    const { end } = await runOperation(
      world,
      world.services.backups.restore({ destination: world.nas, backup: good.backup, target, replace: false }),
    );
    expect(end.state, end.message).toBe('succeeded');
    expect(end.items.map((i) => [i.name, i.state])).toEqual([
      ['state', 'done'],
      ['secrets', 'done'],
      ['database/postgres', 'done'],
      ['bucket/revenge-media', 'done'],
    ]);
    expect(await statsOf(world, target, postgres)).toEqual(recorded);
    expect(await bucketSums(world)).toEqual(objects);
  }, 600_000);
});
