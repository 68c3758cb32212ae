/**
 * What the end-to-end backup tests share: Homeport's services on a fresh data directory with a
 * saved NAS host (the real sshd, SFTP) and a saved S3 profile (s3rver in its own process), Revenge
 * values with the real PostgreSQL image, sample data loaded through exec, and helpers to read a
 * database's table statistics and a bucket's objects the way the manifest records them.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { BackupDestinationSpec, BackupProgress, TableStat } from '@shared/backup-schemas';
import type { Target } from '@shared/target-schemas';
import { revengeStandinImages } from '../core/docker/testing/revenge-standins';
import { POSTGRES_IMAGE } from '../core/docker/testing/postgres-image';
import { openS3Objects } from '../core/s3/objects';
import { startSshd, TEST_USER, type TestSshd } from '../core/ssh/testing/sshd';
import { revengeBackup } from '../core/stacks/revenge-backup';
import { createServices } from '../services';
import { startS3rverProcess, type S3rverProcess } from '../core/backup/destinations/testing/s3rver-process';
import { tableStats } from '../core/backup/postgres';
import { sampleDataSql } from '../core/backup/testing/sample-data';

const run = promisify(execFile);
export const BUCKET = 'revenge-media';
export const PROFILE = 'store';
const db = revengeBackup.databases[0]!;

export interface BackupWorld {
  dir: string;
  services: ReturnType<typeof createServices>;
  sshd: TestSshd;
  s3: S3rverProcess;
  /** A directory on the NAS (owned by the SSH user), as a destination. */
  nas: BackupDestinationSpec;
  nasDir: string;
  close(): Promise<void>;
}

export async function startBackupWorld(env: Record<string, string> = {}): Promise<BackupWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'homeport-backup-world-'));
  const sshd = await startSshd({ extraConfig: ['Subsystem sftp internal-sftp'] });
  await mkdir(join(dir, 's3rver'));
  const s3 = await startS3rverProcess(join(dir, 's3rver'));
  const services = createServices({ dataDir: join(dir, 'data'), mode: 'web', env: { HOME: dir, ...env }, home: dir });
  const keyFile = join(dir, 'id_ed25519');
  await writeFile(keyFile, sshd.privateKey, { mode: 0o600 });
  await services.nasHosts.add({
    name: 'nas',
    address: sshd.host,
    port: sshd.port,
    user: sshd.user,
    auth: 'key',
    keyFile,
  });
  // As the Storage screen does: the first connection shows the unknown key, the user accepts it.
  await services.nasHosts
    .connect('nas')
    .then((session) => session.close())
    .catch(() => undefined);
  await services.nasHosts.acceptHostKey('nas', sshd.hostKeyFingerprint);
  const nasDir = join(dir, 'nas-backups');
  await mkdir(nasDir);
  await run('chown', [TEST_USER, nasDir]);
  await services.s3Profiles.add({
    name: PROFILE,
    endpoint: `http://127.0.0.1:${s3.port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
  });
  await services.s3.createBucket(PROFILE, BUCKET);
  return {
    dir,
    services,
    sshd,
    s3,
    nas: { kind: 'nas', host: 'nas', dir: nasDir },
    nasDir,
    async close() {
      services.close();
      await s3.close().catch(() => undefined);
      await sshd.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Revenge on the test engine's images: the real PostgreSQL, stand-ins for the rest, objects in the S3 profile. */
export function revengeValues(extra: Record<string, unknown> = {}) {
  return {
    ...revengeStandinImages(),
    postgres: { image: POSTGRES_IMAGE },
    objectStore: { mode: 'profile', profile: PROFILE, bucket: BUCKET },
    nfs: { enabled: false },
    ...extra,
  };
}

/** Runs psql in the database's container with the SQL on stdin. */
export async function psqlIn(
  world: BackupWorld,
  target: Target,
  workload: { pod: string } | { service: string },
  sql: string,
) {
  const session = world.services.runInWorkload(target, {
    workload,
    command: [
      'psql',
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-h',
      db.socketDir,
      '-U',
      db.user,
      '-d',
      db.database,
      '-f',
      '-',
    ],
    stdin: true,
  });
  session.stdin?.end(sql);
  let err = '';
  session.stdout.resume();
  session.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const result = await session.result;
  if (result.kind !== 'exited' || result.code !== 0) throw new Error(`psql failed: ${JSON.stringify(result)} ${err}`);
}

export const loadSample = (
  world: BackupWorld,
  target: Target,
  workload: { pod: string } | { service: string },
  rows: number,
) => psqlIn(world, target, workload, sampleDataSql({ rowsPerTable: rows }));

export function statsOf(
  world: BackupWorld,
  target: Target,
  workload: { pod: string } | { service: string },
): Promise<TableStat[]> {
  return tableStats({ run: world.services.runInWorkload, target, workload, db });
}

export async function putObjects(world: BackupWorld, count: number): Promise<Map<string, string>> {
  const objects = await openS3Objects(world.services.s3Profiles, PROFILE);
  const sums = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const key = `avatars/user-${i}/${i % 3 === 0 ? 'photo ü.png' : 'a.png'}`;
    const body = createHash('sha512').update(`object ${i}`).digest();
    const data = Buffer.concat(Array.from({ length: 1 + (i % 5) * 200 }, () => body));
    await objects.put(BUCKET, key, Readable.from([data]));
    sums.set(key, createHash('sha256').update(data).digest('hex'));
  }
  return sums;
}

export async function bucketSums(world: BackupWorld): Promise<Map<string, string>> {
  const objects = await openS3Objects(world.services.s3Profiles, PROFILE);
  const sums = new Map<string, string>();
  for await (const e of objects.list(BUCKET)) {
    if (!('key' in e)) continue;
    const hash = createHash('sha256');
    for await (const c of await objects.get(BUCKET, e.key)) hash.update(c as Buffer);
    sums.set(e.key, hash.digest('hex'));
  }
  return sums;
}

export async function emptyBucket(world: BackupWorld): Promise<void> {
  const objects = await openS3Objects(world.services.s3Profiles, PROFILE);
  const keys: string[] = [];
  for await (const e of objects.list(BUCKET)) if ('key' in e) keys.push(e.key);
  for (const k of keys) await objects.remove(BUCKET, k);
}

/** Starts an operation and waits for its end, keeping every progress event. */
export async function runOperation(
  world: BackupWorld,
  start: Promise<{ operation: string; backup: string }>,
): Promise<{ backup: string; end: BackupProgress; events: BackupProgress[] }> {
  const { operation, backup } = await start;
  const events: BackupProgress[] = [];
  world.services.backups.watch(operation, (p) => events.push(p));
  const end = await world.services.backups.result(operation);
  return { backup, end, events };
}
