/**
 * Database backup throughput and memory: a real PostgreSQL (the postgres:homeport-real test image)
 * in a Swarm service on a private engine, holding over 1 GB. Raw `pg_dump -Fc -Z1` through
 * `docker exec` into a file, against Homeport's database backup (the same pg_dump through the
 * Engine API's exec, with the statistics of every table taken in the dump's snapshot, metered,
 * hashed and written to a folder destination). Prints MB/s of each, the ratio, and the growth of
 * this process's RSS above idle while Homeport backs up. Run under the heavy-test lock.
 */
import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalDestination } from '../electron/core/backup/destinations/local';
import { dumpDatabase } from '../electron/core/backup/postgres';
import { storePart } from '../electron/core/backup/take-backup';
import { createDockerClient } from '../electron/core/docker/client';
import { startTestDockerd, type TestDockerd } from '../electron/core/docker/testing/dockerd';
import { ensurePostgresImage, POSTGRES_IMAGE } from '../electron/core/docker/testing/postgres-image';
import { createRunInWorkload } from '../electron/core/exec/command';
import { swarmCommands } from '../electron/core/exec/swarm-exec';
import { revengeBackup } from '../electron/core/stacks/revenge-backup';

const MB = 1024 * 1024;
const SERVICE = 'bench-pg';
const dir = mkdtempSync(join(tmpdir(), 'homeport-bench-backup-'));
const db = revengeBackup.databases[0]!;
let engine: TestDockerd;

const rssMb = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024;

function docker(args: string[], out?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['--host', engine.host, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let err = '';
    if (out) child.stdout.pipe(createWriteStream(out));
    else child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`docker ${args[0]}: ${err}`))));
  });
}

async function container(): Promise<string> {
  for (let i = 0; i < 120; i++) {
    const id = (await docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${SERVICE}`])).trim();
    if (id) {
      const ready = await docker(['exec', id, 'pg_isready', '-h', db.socketDir, '-U', db.user, '-d', db.database]).then(
        () => true,
        () => false,
      );
      if (ready) return id;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('the benchmark database did not start');
}

test.beforeAll(async () => {
  test.setTimeout(900_000);
  engine = await startTestDockerd();
  await ensurePostgresImage((args) => docker(args));
  await docker([
    'service',
    'create',
    '--name',
    SERVICE,
    '--env',
    'POSTGRES_USER=revenge',
    '--env',
    'POSTGRES_DB=revenge',
    '--env',
    'POSTGRES_PASSWORD=bench-password',
    POSTGRES_IMAGE,
  ]);
  const id = await container();
  // About 1.15 GB: 1.15 million rows of 30 different md5 digests each, so the dump compresses as real text does.
  const sql =
    "CREATE TABLE public.media AS SELECT g AS id, array_to_string(ARRAY(SELECT md5((g * 31 + k)::text) FROM generate_series(1, 30) k), '') AS body FROM generate_series(1, 1150000) g; " +
    'CREATE TABLE public.small AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 50000) g;';
  await docker(['exec', id, 'psql', '-X', '-q', '-h', db.socketDir, '-U', db.user, '-d', db.database, '-c', sql]);
});

test.afterAll(async () => {
  await engine?.close();
});

test('backup: Homeport against raw pg_dump -Fc -Z1 on a database over 1 GB', async () => {
  test.setTimeout(900_000);
  const id = await container();
  const size = Number(
    (
      await docker([
        'exec',
        id,
        'psql',
        '-X',
        '-A',
        '-t',
        '-h',
        db.socketDir,
        '-U',
        db.user,
        '-d',
        db.database,
        '-c',
        'SELECT pg_database_size(current_database())',
      ])
    ).trim(),
  );
  expect(size).toBeGreaterThan(1024 * MB);

  const rawFile = join(dir, 'raw.dump');
  const rawStart = Date.now();
  await docker(
    ['exec', id, 'pg_dump', '-Fc', '-Z1', '--no-password', '-h', db.socketDir, '-U', db.user, '-d', db.database],
    rawFile,
  );
  const rawSeconds = (Date.now() - rawStart) / 1000;
  const rawBytes = statSync(rawFile).size;

  const openClient = async () => createDockerClient({ kind: 'unix', socketPath: engine.socketPath });
  const run = createRunInWorkload({
    kubernetes: () => {
      throw new Error('no Kubernetes here');
    },
    swarm: (t) => swarmCommands(t, { openClient }),
  });
  const dest = createLocalDestination(join(dir, 'homeport'));
  global.gc?.();
  const idle = rssMb();
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 50);
  const start = Date.now();
  let bytes = 0;
  const sink = { phase: () => undefined, bytes: () => undefined, item: () => undefined };
  const tables = await dumpDatabase(
    { run, target: { kind: 'swarm', endpoint: 'bench' }, workload: { service: SERVICE }, db },
    async (dump) => {
      bytes = (await storePart(dest, 'bench/database-postgres.dump', dump, sink)).bytes;
    },
  );
  const seconds = (Date.now() - start) / 1000;
  clearInterval(sampler);
  expect(tables.map((t) => t.table)).toEqual(['media', 'small']);

  const raw = rawBytes / MB / rawSeconds;
  const homeport = bytes / MB / seconds;
  console.log(`\nHomeport backup benchmark (database of ${(size / MB).toFixed(0)} MB, pg_dump -Fc -Z1)`);
  console.log(
    `  raw pg_dump via docker exec to a file: ${rawSeconds.toFixed(1)} s, ${(rawBytes / MB).toFixed(0)} MB, ${raw.toFixed(1)} MB/s of dump`,
  );
  console.log(
    `  Homeport (snapshot + table statistics + SHA-256 + folder destination): ${seconds.toFixed(1)} s, ${(bytes / MB).toFixed(0)} MB, ${homeport.toFixed(1)} MB/s of dump`,
  );
  console.log(`  Homeport / raw: ${((homeport / raw) * 100).toFixed(0)}% (target: at least 90%)`);
  console.log(
    `  RSS while backing up: idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, growth ${(peak - idle).toFixed(0)} MB (target: under 100 MB)`,
  );
});
