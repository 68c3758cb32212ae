/**
 * Faults during a backup of Revenge on the real engine's swarm, with a real PostgreSQL holding a
 * table big enough that the dump takes seconds: the user cancels mid-dump, the connection to the
 * NAS is cut mid-upload (a TCP relay in front of the real sshd), the database's container is
 * killed mid-dump. Each ends with a clear message, leaves no manifest (the folder is listed as
 * incomplete or not at all), is refused by restore and verify, and leaves no pg_dump running.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupDestinationSpec, BackupProgress } from '@shared/backup-schemas';
import type { SwarmTarget } from '@shared/target-schemas';
import { ensurePostgresImage } from '../core/docker/testing/postgres-image';
import { testEngine } from '../core/docker/testing/engine';
import { startRelay, type Relay } from '../core/backup/destinations/testing/streams';
import { psqlIn, revengeValues, startBackupWorld, type BackupWorld } from './backup-world';

const engine = testEngine();
const target: SwarmTarget = { kind: 'swarm', endpoint: 'test' };
const stack = 'revenge';
const postgres = { service: `${stack}_postgres` };
const WORKLOAD = /(pg_dump|psql) in (service|task) revenge_postgres/;
let world: BackupWorld;
let fileDest: BackupDestinationSpec;

/** ~200 MB of distinct md5 text: pg_dump -Z1 needs seconds for it. */
const BULK_SQL = `CREATE TABLE bulk AS SELECT g AS id,
  md5(g::text) || md5((g + 1)::text) || md5((g + 2)::text) || md5((g + 3)::text) AS body
  FROM generate_series(1, 1500000) g;`;

async function untilDatabaseAnswers(sql: string) {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      await psqlIn(world, target, postgres, sql);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/** Starts a backup and resolves once the database's dump has sent bytes; `end` is the operation's end. */
async function backupUntilDumping(destination: BackupDestinationSpec) {
  const { operation, backup } = await world.services.backups.start({ target, stack, destination });
  let seen!: () => void;
  const dumping = new Promise<void>((resolve) => (seen = resolve));
  const events: BackupProgress[] = [];
  world.services.backups.watch(operation, (p) => {
    events.push(p);
    if (p.item === 'database/postgres' && p.bytes > 0 && p.state === 'running') seen();
  });
  const end = world.services.backups.result(operation);
  // An operation that ends before the dump sends bytes fails the test with its own message.
  await Promise.race([
    dumping,
    end.then((p) => {
      throw new Error(`the backup ended before the dump sent bytes: ${p.state} ${p.message ?? ''}`);
    }),
  ]);
  return { operation, backup, end, events };
}

async function postgresContainer(): Promise<string> {
  const out = await engine.docker([
    'ps',
    '--filter',
    `label=com.docker.swarm.service.name=${postgres.service}`,
    '--format',
    '{{.ID}}',
  ]);
  const [id] = out.split('\n').filter(Boolean);
  if (!id) throw new Error(`no running container of ${postgres.service}`);
  return id;
}

/**
 * No pg_dump and no psql of the dump left in the database's container (docker top reads the host's process table). The
 * grace is short: a pg_dump that outlives its operation by more is dumping for nobody.
 */
async function expectNoPgDump() {
  const deadline = Date.now() + 3_000;
  for (;;) {
    const top = await engine.docker(['top', await postgresContainer(), '-o', 'pid,args']);
    // The dump's own psql session (-X -A; psqlIn's is -X -q) holds the snapshot open.
    if (!/pg_dump|psql -X -A/.test(top) || Date.now() > deadline) {
      expect(top).not.toMatch(/pg_dump|psql -X -A/);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Nothing that looks like a good backup: no manifest, listed incomplete or not at all, refused. */
async function expectNoGoodBackup(destination: BackupDestinationSpec, backup: string, dir?: string) {
  if (dir) await expect(stat(join(dir, backup, 'manifest.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  const listed = (await world.services.backups.list({ destination, stack })).find((b) => b.id === backup);
  if (listed) expect(listed).toMatchObject({ complete: false });
  expect(listed?.manifest).toBeUndefined();
  await expect(world.services.backups.restore({ destination, backup, target, replace: true })).rejects.toThrow(backup);
  await expect(world.services.backups.verify({ destination, backup })).rejects.toThrow(backup);
}

beforeAll(async () => {
  await ensurePostgresImage(engine.docker);
  world = await startBackupWorld();
  await world.services.dockerEndpoints.add({ name: 'test', url: engine.host });
  await world.services.deployments.apply({
    target,
    stack,
    values: revengeValues({ swarm: { publish: { frontend: null } } }),
    prune: true,
  });
  // The database accepts connections once the image's entrypoint has initialized it.
  await untilDatabaseAnswers(BULK_SQL);
  const dir = join(world.dir, 'file-backups');
  await mkdir(dir);
  fileDest = { kind: 'file', dir };
}, 400_000);

afterAll(async () => {
  await world?.services.deployments.uninstall({ target, stack, deleteData: true }).catch(() => undefined);
  await world?.close();
}, 120_000);

describe('Faults during a backup of Revenge on Swarm', () => {
  it('cancelled mid-dump: the operation ends cancelled and leaves no backup', async () => {
    const { operation, backup, end } = await backupUntilDumping(fileDest);
    world.services.backups.cancel(operation);
    const result = await end;
    expect(result).toMatchObject({ state: 'cancelled', message: 'Cancelled: cancelled by the user' });
    expect(result.items.find((i) => i.name === 'database/postgres')).toBeUndefined();
    await expectNoGoodBackup(fileDest, backup, fileDest.kind === 'file' ? fileDest.dir : undefined);
    await expectNoPgDump();
  }, 300_000);

  it('the connection to the NAS cut mid-upload: failed, naming the NAS, and no manifest on disk', async () => {
    const relay: Relay = await startRelay(world.sshd.port);
    try {
      const keyFile = join(world.dir, 'id_relay');
      await writeFile(keyFile, world.sshd.privateKey, { mode: 0o600 });
      await world.services.nasHosts.add({
        name: 'nas-relay',
        address: '127.0.0.1',
        port: relay.port,
        user: world.sshd.user,
        auth: 'key',
        keyFile,
      });
      await world.services.nasHosts
        .connect('nas-relay')
        .then((s) => s.close())
        .catch(() => undefined);
      await world.services.nasHosts.acceptHostKey('nas-relay', world.sshd.hostKeyFingerprint);
      const viaRelay: BackupDestinationSpec = { kind: 'nas', host: 'nas-relay', dir: world.nasDir };

      const { backup, end } = await backupUntilDumping(viaRelay);
      await relay.close();
      const result = await end;
      expect(result.state).toBe('failed');
      expect(result.message).toMatch(/NAS|SFTP|connection|nas-relay/i);
      await expect(stat(join(world.nasDir, backup, 'manifest.json'))).rejects.toMatchObject({ code: 'ENOENT' });
      // Listed through the direct connection: the folder is incomplete, or was never left behind.
      await expectNoGoodBackup(world.nas, backup, world.nasDir);
      await expectNoPgDump();
    } finally {
      await relay.close().catch(() => undefined);
    }
  }, 300_000);

  it("the database's container killed mid-dump: failed, naming pg_dump or psql and the workload", async () => {
    const container = await postgresContainer();
    const { backup, end } = await backupUntilDumping(fileDest);
    await engine.docker(['kill', container]);
    const result = await end;
    expect(result.state).toBe('failed');
    expect(result.message).toMatch(WORKLOAD);
    await expectNoGoodBackup(fileDest, backup, fileDest.kind === 'file' ? fileDest.dir : undefined);
  }, 300_000);
});
