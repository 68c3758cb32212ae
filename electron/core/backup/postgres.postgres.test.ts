/**
 * The database half of a backup against a real PostgreSQL (this machine's, as in the leader tests):
 * the very argv Homeport runs in the database's container, run here without the exec hop. The
 * dump and the statistics come from one snapshot even while rows are written during the dump; a
 * restore into another database gives the recorded statistics back; a changed row is named.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandResult, CommandSession, RunInWorkload } from '../exec/command';
import { runProgram, startTestPostgres, type TestPostgres } from '../leaders/testing/postgres';
import type { PostgresBackup } from '../stacks/backup-declaration';
import { firstDifference } from './drill';
import { dumpDatabase, restoreDatabase, tableStats, type PgPlace } from './postgres';

/** Runs argv on this machine as a container would run it: same streams, same result shape. */
const runHere: RunInWorkload = (_target, request) => {
  const [program, ...args] = request.command;
  const child = spawn(program as string, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: request.signal });
  const result = new Promise<CommandResult>((resolve) => {
    child.once('error', (err) => resolve({ kind: 'failed', reason: 'no-executable', message: err.message }));
    child.once('close', (code, signal) =>
      resolve(signal ? { kind: 'signaled', signal, code: 128 + 9 } : { kind: 'exited', code: code ?? 1 }),
    );
  });
  const session: CommandSession = {
    stdin: request.stdin ? child.stdin : undefined,
    stdout: child.stdout,
    stderr: child.stderr,
    resize: () => undefined,
    started: Promise.resolve({ workload: 'here', container: 'here' }),
    result,
  };
  if (!request.stdin) child.stdin.end();
  return session;
};

const SCHEMA = `
CREATE SCHEMA shared; CREATE SCHEMA movie;
CREATE TABLE shared.users (id bigserial PRIMARY KEY, name text NOT NULL, settings jsonb, avatar bytea, created timestamptz);
CREATE TABLE movie.movies (id bigserial PRIMARY KEY, title text NOT NULL, rating numeric(4,2), owner bigint REFERENCES shared.users(id));
CREATE TABLE public.events (id bigserial PRIMARY KEY, kind text, at timestamptz DEFAULT now());
INSERT INTO shared.users (name, settings, avatar, created)
  SELECT 'user ' || g || ' – Müller', jsonb_build_object('n', g), decode(md5(g::text), 'hex'), '2026-01-01'::timestamptz + g * interval '1 minute'
  FROM generate_series(1, 3000) g;
INSERT INTO movie.movies (title, rating, owner)
  SELECT 'Film ' || g, CASE WHEN g % 7 = 0 THEN NULL ELSE (g % 1000) / 100.0 END, 1 + g % 3000 FROM generate_series(1, 5000) g;
INSERT INTO public.events (kind) SELECT 'seed' FROM generate_series(1, 2000);
`;

let pg: TestPostgres;
let dir: string;
const target = { kind: 'swarm' as const, endpoint: 'here' };
const db = (database: string): PostgresBackup => ({
  kind: 'postgres',
  component: 'postgres',
  database,
  user: 'revenge',
  socketDir: '',
  ref: 'test',
});
const place = (database: string): PgPlace => ({
  run: runHere,
  target,
  workload: { service: 'postgres' },
  db: { ...db(database), socketDir: pg.socketDir },
});

beforeAll(async () => {
  pg = await startTestPostgres('revenge', 'revenge');
  dir = await mkdtemp(join(tmpdir(), 'homeport-pgbackup-'));
  const loaded = await pg.psql('revenge', ['-c', SCHEMA]);
  expect(loaded.stderr).toBe('');
}, 60_000);
afterAll(async () => {
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('PostgreSQL backup in one snapshot', () => {
  it('records the statistics of the dumped snapshot even when rows are written during the dump, and a restore gives them back', async () => {
    const file = join(dir, 'revenge.dump');
    const tables = await dumpDatabase(place('revenge'), async (dump: Readable) => {
      // The dump's snapshot is taken: rows written now are in neither the dump nor the statistics.
      const wrote = await pg.psql('revenge', [
        '-c',
        "INSERT INTO public.events (kind) SELECT 'late' FROM generate_series(1, 500)",
      ]);
      expect(wrote.code).toBe(0);
      await pipeline(dump, createWriteStream(file));
    });
    expect(tables.map((t) => `${t.schema}.${t.table}`)).toEqual(['movie.movies', 'public.events', 'shared.users']);
    expect(tables.find((t) => t.table === 'events')?.rows).toBe(2000);
    expect(tables.find((t) => t.table === 'movies')?.rows).toBe(5000);
    expect((await stat(file)).size).toBeGreaterThan(10_000);

    const created = await runProgram('createdb', ['-h', pg.socketDir, '-U', 'revenge', 'restored']);
    expect(created.code).toBe(0);
    await restoreDatabase(place('restored'), createReadStream(file));
    const restored = await tableStats(place('restored'));
    expect(restored).toEqual(tables);
    expect(firstDifference(tables, restored)).toBeUndefined();

    // The live database moved on (the late rows): its statistics differ from the backup's, by table.
    const live = await tableStats(place('revenge'));
    expect(firstDifference(tables, live)).toBe(
      'table public.events: 2500 rows after the restore, the backup recorded 2000',
    );

    // One changed value, same row count: the checksum names the table.
    await pg.psql('restored', ['-c', "UPDATE movie.movies SET title = 'Changed' WHERE id = 42"]);
    expect(firstDifference(tables, await tableStats(place('restored')))).toMatch(
      /^table movie\.movies: the contents differ from what the backup recorded \(same 5000 rows/,
    );
  }, 60_000);

  it("fails with pg_dump's own words when the database does not exist, and stores nothing whole", async () => {
    let stored = 0;
    const failing = dumpDatabase(place('nosuchdb'), async (dump) => {
      for await (const chunk of dump) stored += (chunk as Buffer).length;
    });
    await expect(failing).rejects.toThrow(
      /psql in service postgres failed \(exit 2\).*database "nosuchdb" does not exist/,
    );
    expect(stored).toBe(0);
  });

  it('ends pg_dump when the destination fails mid-dump', async () => {
    const failing = dumpDatabase(place('revenge'), async (dump) => {
      const sink = new PassThrough();
      dump.pipe(sink);
      await new Promise((r) => sink.once('data', r));
      throw new Error('the connection to the destination was cut');
    });
    await expect(failing).rejects.toThrow('the connection to the destination was cut');
    // The snapshot's transaction was ended with the session: nothing is left running.
    const left = await pg.psql('revenge', [
      '-A',
      '-t',
      '-c',
      "SELECT count(*) FROM pg_stat_activity WHERE application_name IN ('psql', 'pg_dump') AND pid <> pg_backend_pid()",
    ]);
    expect(left.stdout.trim()).toBe('0');
  });

  it('refuses a truncated dump in pg_restore and leaves the database as it was', async () => {
    const file = join(dir, 'whole.dump');
    await dumpDatabase(place('revenge'), (dump) => pipeline(dump, createWriteStream(file)));
    await runProgram('createdb', ['-h', pg.socketDir, '-U', 'revenge', 'partial']);
    const size = (await stat(file)).size;
    await expect(
      restoreDatabase(place('partial'), createReadStream(file, { end: Math.floor(size / 2) })),
    ).rejects.toThrow(/pg_restore in service postgres failed/);
    expect(await tableStats(place('partial'))).toEqual([]);
  });
});
