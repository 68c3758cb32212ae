/**
 * The real PostgreSQL test image on the test engine's swarm, run the way the Revenge stack runs
 * its database: a real server that initializes once, keeps its data across restarts, takes
 * password logins over TCP, and dumps and restores with the tools in the image.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAMAGED_TABLE, damageSql, SAMPLE_TABLES, sampleDataSql } from '../../backup/testing/sample-data';
import { testEngine } from './engine';
import { ensurePostgresImage, POSTGRES_IMAGE } from './postgres-image';

const engine = testEngine();
const docker = engine.docker;
const id = randomBytes(3).toString('hex');
const net = `pg-${id}`;
const service = `postgres-${id}`;
const volume = `pgdata-${id}`;
const secret = `pg-password-${id}`;
const PASSWORD = `pw-${id}-ü`;
const ROWS = 3000;
const REVENGE_ENV = ['POSTGRES_USER=revenge', 'POSTGRES_DB=revenge', 'PGDATA=/var/lib/postgresql/data/pgdata'];
let dir: string;

interface Ran {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** The docker CLI with `input` on its stdin; resolves whatever the exit code. */
function dockerRun(args: string[], input?: Buffer | string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['--host', engine.host, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(input);
  });
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const last = await fn();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The running container of the service's task, once `pg_isready` over TCP says the real server is up. */
async function readyContainer(): Promise<string> {
  return until(
    async () => {
      const c = (await docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service}`])).trim();
      if (!c || c.includes('\n')) return '';
      // Over TCP: the entrypoint's temporary server listens on the socket only.
      const r = await dockerRun(['exec', c, 'pg_isready', '-h', '127.0.0.1', '-U', 'revenge', '-d', 'revenge']);
      return r.code === 0 ? c : '';
    },
    (c) => c !== '',
    'the PostgreSQL service to accept connections',
  );
}

async function psql(container: string, database: string, sql: string): Promise<string> {
  const r = await dockerRun(
    [
      'exec',
      '-i',
      container,
      'psql',
      '-X',
      '-A',
      '-t',
      '-v',
      'ON_ERROR_STOP=1',
      '-U',
      'revenge',
      '-d',
      database,
      '-f',
      '-',
    ],
    sql,
  );
  if (r.code !== 0) throw new Error(`psql exited ${r.code}: ${r.stderr}`);
  return r.stdout.toString().trim();
}

async function fingerprint(container: string, database: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of SAMPLE_TABLES) {
    out[t] = await psql(
      container,
      database,
      `SELECT count(*) || ' ' || md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) FROM ${t} x`,
    );
  }
  return out;
}

beforeAll(async () => {
  const built = await ensurePostgresImage(docker);
  console.log(
    `${POSTGRES_IMAGE}: ${built.built ? `built in ${built.seconds.toFixed(1)} s` : 'already there'}, ` +
      `${(built.bytes / 1e6).toFixed(0)} MB`,
  );
  dir = await mkdtemp(join(tmpdir(), 'homeport-pg-image-'));
  const file = join(dir, 'password');
  await writeFile(file, PASSWORD, { mode: 0o600 });
  await docker(['secret', 'create', secret, file]);
  await docker(['network', 'create', '--driver', 'overlay', '--attachable', net]);
  await docker([
    'service',
    'create',
    '--quiet',
    '--detach',
    '--name',
    service,
    '--network',
    `name=${net},alias=postgres`,
    '--secret',
    `source=${secret},target=postgres-password`,
    '--mount',
    `type=volume,source=${volume},target=/var/lib/postgresql/data`,
    '--restart-delay',
    '1s',
    // The name resolves to the task itself: this machine's kernel has no IPVS for Swarm's virtual IPs.
    '--endpoint-mode',
    'dnsrr',
    '--no-resolve-image',
    ...REVENGE_ENV.flatMap((e) => ['--env', e]),
    '--env',
    'POSTGRES_PASSWORD_FILE=/run/secrets/postgres-password',
    POSTGRES_IMAGE,
  ]);
}, 240_000);

afterAll(async () => {
  await docker(['service', 'rm', service]).catch(() => undefined);
  await until(
    () => docker(['ps', '-aq', '--filter', `label=com.docker.swarm.service.name=${service}`]).catch(() => ''),
    (s) => s.trim() === '',
    'the service containers to go',
    30_000,
  ).catch(() => undefined);
  await docker(['volume', 'rm', volume]).catch(() => undefined);
  await docker(['secret', 'rm', secret]).catch(() => undefined);
  await docker(['network', 'rm', net]).catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the real PostgreSQL test image', () => {
  it('is built once: asking again only looks it up', async () => {
    const started = Date.now();
    expect(await ensurePostgresImage(docker)).toMatchObject({ image: POSTGRES_IMAGE, built: false });
    expect(Date.now() - started).toBeLessThan(3000);
    const config = JSON.parse(await docker(['image', 'inspect', '--format', '{{json .Config}}', POSTGRES_IMAGE])) as {
      Entrypoint: string[];
      Cmd: string[];
      Env: string[];
    };
    expect(config).toMatchObject({ Entrypoint: ['docker-entrypoint.sh'], Cmd: ['postgres'] });
    expect(config.Env).toContain('PGDATA=/var/lib/postgresql/data');
  });

  it('as a Swarm service with the password from a secret: initializes, runs as postgres and loads data through exec', async () => {
    const c = await readyContainer();
    const logs = await dockerRun(['logs', c]);
    expect(logs.stdout.toString() + logs.stderr).toContain('PostgreSQL init process complete; ready for start up.');
    // The server runs as the unprivileged user; the data sits in PGDATA on the volume.
    expect(await psql(c, 'revenge', 'SELECT current_setting($$data_directory$$)')).toBe(
      '/var/lib/postgresql/data/pgdata',
    );
    const owners = (await dockerRun(['exec', c, 'sh', '-c', 'ls -ldn "$PGDATA" /proc/1'])).stdout.toString();
    // `chown postgres` as the official entrypoint does it: the owner only.
    expect(owners).toMatch(/^drwx------ +\d+ 70 +0 .* \/var\/lib\/postgresql\/data\/pgdata$/m);
    expect(owners).toMatch(/^\S+ +\d+ 70 +70 .* \/proc\/1$/m);
    expect(await psql(c, 'revenge', 'SHOW listen_addresses')).toBe('*');
    expect(await psql(c, 'revenge', 'SHOW server_encoding')).toBe('UTF8');
    await psql(c, 'revenge', sampleDataSql({ rowsPerTable: ROWS }));
    expect(await psql(c, 'revenge', 'SELECT count(*) FROM movie.watch_history')).toBe(String(ROWS));
  });

  it('takes a password login over TCP from another container and refuses a wrong one', async () => {
    const client = (password: string) =>
      dockerRun([
        'run',
        '--rm',
        '--network',
        net,
        '--env',
        `PGPASSWORD=${password}`,
        POSTGRES_IMAGE,
        'psql',
        '-X',
        '-A',
        '-t',
        '-h',
        'postgres',
        '-U',
        'revenge',
        '-d',
        'revenge',
        '-c',
        "SELECT title FROM movie.movies WHERE title LIKE '千と千尋%' ORDER BY id LIMIT 1",
      ]);
    await readyContainer();
    const good = await client(PASSWORD);
    expect(good).toMatchObject({ code: 0, stderr: '' });
    expect(good.stdout.toString()).toMatch(/^千と千尋の神隠し \d+\n$/);
    const bad = await client('wrong');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('FATAL:  password authentication failed for user "revenge"');
  });

  it('refuses to initialize without POSTGRES_PASSWORD, with the official message, unless trust is asked for', async () => {
    const missing = await dockerRun(['run', '--rm', ...REVENGE_ENV.flatMap((e) => ['--env', e]), POSTGRES_IMAGE]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^Error: Database is uninitialized and superuser password is not specified\.\n {7}You must specify POSTGRES_PASSWORD to a non-empty value for the\n/,
    );
    expect(missing.stderr).toContain('You may also use "POSTGRES_HOST_AUTH_METHOD=trust"');
    const trusting = (
      await docker(['run', '--detach', '--env', 'POSTGRES_HOST_AUTH_METHOD=trust', POSTGRES_IMAGE])
    ).trim();
    try {
      const logs = await until(
        () => dockerRun(['logs', trusting]),
        (l) => l.stdout.toString().includes('ready for start up'),
        'the trusting server to initialize',
      );
      expect(logs.stderr).toContain('WARNING: POSTGRES_HOST_AUTH_METHOD has been set to "trust".');
      // The default user and database: postgres.
      const r = await dockerRun([
        'exec',
        trusting,
        'psql',
        '-X',
        '-A',
        '-t',
        '-U',
        'postgres',
        '-c',
        'SELECT current_database()',
      ]);
      expect(r.stdout.toString()).toBe('postgres\n');
    } finally {
      await docker(['rm', '--force', '--volumes', trusting]);
    }
  });

  it('starts as postgres from the first (--user 70:70) and passes options to the server (-c ...)', async () => {
    const c = (
      await docker([
        'run',
        '--detach',
        '--user',
        '70:70',
        '--env',
        'POSTGRES_PASSWORD=pw',
        POSTGRES_IMAGE,
        '-c',
        'max_connections=42',
      ])
    ).trim();
    try {
      await until(
        () => dockerRun(['exec', c, 'pg_isready', '-h', '127.0.0.1']),
        (r) => r.code === 0,
        'the server started as postgres',
      );
      const r = await dockerRun(['exec', c, 'psql', '-X', '-A', '-t', '-U', 'postgres', '-c', 'SHOW max_connections']);
      expect(r.stdout.toString()).toBe('42\n');
    } finally {
      await docker(['rm', '--force', '--volumes', c]);
    }
  });

  it('keeps the data when the service restarts (a new container on the same volume)', async () => {
    const before = await readyContainer();
    const prints = await fingerprint(before, 'revenge');
    await docker(['service', 'update', '--quiet', '--detach', '--force', service]);
    await until(
      () => docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service}`]),
      (s) => s.trim() !== '' && !s.includes(before.slice(0, 12)),
      'the new task',
    );
    const after = await readyContainer();
    expect(after).not.toBe(before);
    const logs = await dockerRun(['logs', after]);
    expect(logs.stdout.toString()).toContain('Skipping initialization');
    expect(await fingerprint(after, 'revenge')).toEqual(prints);
  });

  it('pg_dump -Fc in the container lists every table with pg_restore --list and restores row for row', async () => {
    const c = await readyContainer();
    const dump = await dockerRun(['exec', c, 'pg_dump', '-Fc', '-U', 'revenge', '-d', 'revenge']);
    expect(dump.code).toBe(0);
    expect(dump.stdout.subarray(0, 5).toString()).toBe('PGDMP');
    const list = await dockerRun(['exec', '-i', c, 'pg_restore', '--list'], dump.stdout);
    expect(list.code).toBe(0);
    for (const t of SAMPLE_TABLES) {
      const [schema, table] = t.split('.') as [string, string];
      expect(list.stdout.toString()).toMatch(new RegExp(`; \\d+ \\d+ TABLE DATA ${schema} ${table} revenge\\n`));
    }
    await psql(c, 'postgres', 'CREATE DATABASE restored');
    const restored = await dockerRun(
      ['exec', '-i', c, 'pg_restore', '--exit-on-error', '-U', 'revenge', '-d', 'restored'],
      dump.stdout,
    );
    expect(restored).toMatchObject({ code: 0, stderr: '' });
    const original = await fingerprint(c, 'revenge');
    expect(await fingerprint(c, 'restored')).toEqual(original);
    await psql(c, 'restored', damageSql());
    const damaged = await fingerprint(c, 'restored');
    expect(SAMPLE_TABLES.filter((t) => damaged[t] !== original[t])).toEqual([DAMAGED_TABLE]);
  });
});
