/**
 * The leader query against a real PostgreSQL: River's river_leader table created exactly as River's
 * migrations create it (riverqueue/river@v0.30.2, riverdriver/riverpgxv5/migration/main), on a
 * connection with Revenge's search_path, a leader elected with River's own statement, and then the
 * very argv Homeport sends into the database's container, run here without the exec hop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revengeSignals } from '../stacks/revenge-signals';
import type { PostgresTableLeader } from '../stacks/signals';
import { classifyLeader, psqlArgv } from './table-leader';
import { runProgram, startTestPostgres, type TestPostgres } from './testing/postgres';

const river = revengeSignals.leader as PostgresTableLeader;

/** Revenge's connection search_path (docker-compose.prod.yml:8) and the schemas its migrations create. */
const REVENGE_SESSION =
  'CREATE SCHEMA shared; CREATE SCHEMA movie; CREATE SCHEMA tvshow; SET search_path TO public,shared,movie,tvshow;';

/** 002_initial_schema.up.sql:85-96 and 004_pending_and_more.up.sql:42-45, with River's empty schema template. */
const RIVER_LEADER_MIGRATIONS = `
CREATE UNLOGGED TABLE river_leader(
    -- 8 bytes each (no alignment needed)
    elected_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,

    -- types stored out-of-band
    leader_id text NOT NULL,
    name text PRIMARY KEY,

    CONSTRAINT name_length CHECK (char_length(name) > 0 AND char_length(name) < 128),
    CONSTRAINT leader_id_length CHECK (char_length(leader_id) > 0 AND char_length(leader_id) < 128)
);
ALTER TABLE river_leader
    ALTER COLUMN name SET DEFAULT 'default',
    DROP CONSTRAINT name_length,
    ADD CONSTRAINT name_length CHECK (name = 'default');
`;

/** River's LeaderAttemptElect (internal/dbsqlc/river_leader.sql:10-22), ttl in seconds. */
const elect = (leader: string, ttl: number) =>
  `INSERT INTO river_leader (leader_id, elected_at, expires_at) VALUES ('${leader}', now(), now() + make_interval(secs => ${ttl})) ON CONFLICT (name) DO NOTHING;`;

let pg: TestPostgres;

/** Homeport's argv against the test server: only the socket directory differs from the container's. */
async function readLeader() {
  const argv = psqlArgv({ ...river, socketDir: pg.socketDir });
  const [program, ...args] = argv as [string, ...string[]];
  const out = await runProgram(program, args);
  return { argv, out, reading: classifyLeader(river, { kind: 'exited', ...out }) };
}

async function sql(text: string) {
  const r = await pg.psql(river.database, ['-c', text]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

describe('reading River’s leader from a real PostgreSQL', () => {
  beforeAll(async () => {
    pg = await startTestPostgres(river.user, river.database);
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it('before the migrations ran, says the table is missing because they have not run', async () => {
    const { out, reading } = await readLeader();
    expect(out.code).toBe(1);
    expect(reading).toMatchObject({ state: 'unknown', cause: 'no-table' });
    expect(reading.state === 'unknown' && reading.message).toMatch(
      /^The table public\.river_leader does not exist in the database revenge: the program's migrations have not run yet \(psql: ERROR: {2}relation "public\.river_leader" does not exist\)$/,
    );
  });

  it('with River’s table in public (Revenge’s search_path) and nobody elected, says nobody leads', async () => {
    await sql(`${REVENGE_SESSION}${RIVER_LEADER_MIGRATIONS}`);
    const placed = await pg.psql(river.database, [
      '-A',
      '-t',
      '-c',
      "SELECT table_schema FROM information_schema.tables WHERE table_name = 'river_leader'",
    ]);
    expect(placed.stdout.trim()).toBe('public');
    expect((await readLeader()).reading).toEqual({ state: 'none' });
  });

  it('after River elects a leader, reads its id, election and expiry by the database clock', async () => {
    await sql(elect('revenge_api_4b9c', 15));
    const { reading, out } = await readLeader();
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(reading.state).toBe('held');
    if (reading.state !== 'held') return;
    expect(reading.holder).toBe('revenge_api_4b9c');
    const since = Date.parse(reading.since);
    expect(Date.parse(reading.expires) - since).toBe(15_000);
    expect(Math.abs(Date.parse(reading.now) - since)).toBeLessThan(5_000);
  });

  it('a leader whose term ran out is expired, with its id', async () => {
    await sql(`DELETE FROM river_leader; ${elect('revenge_api_dead', 0.2)}`);
    await new Promise((r) => setTimeout(r, 400));
    const { reading } = await readLeader();
    expect(reading).toMatchObject({ state: 'expired', holder: 'revenge_api_dead' });
  });

  it('the wrong database is refused in PostgreSQL’s words', async () => {
    const argv = psqlArgv({ ...river, socketDir: pg.socketDir, database: 'nothere' });
    const [program, ...args] = argv as [string, ...string[]];
    const out = await runProgram(program, args);
    expect(classifyLeader(river, { kind: 'exited', ...out })).toMatchObject({
      state: 'unknown',
      cause: 'refused',
      message: expect.stringMatching(/FATAL: {2}database "nothere" does not exist/),
    });
  });
});
