/**
 * The database stand-in's psql answers Homeport's leader query as the real psql does against a
 * real PostgreSQL holding the same row (the real-PostgreSQL side is table-leader.postgres.test.ts's
 * fixture), and refuses everything else with psql's words and exit codes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { classifyLeader, psqlArgv } from '../../leaders/table-leader';
import { runProgram, startTestPostgres, type TestPostgres } from '../../leaders/testing/postgres';
import { revengeSignals } from '../../stacks/revenge-signals';
import type { PostgresTableLeader } from '../../stacks/signals';
import { STANDIN_TABLES_FILE } from './standin-layout';
import { standinPsql } from './standin-psql';

const river = revengeSignals.leader as PostgresTableLeader;
let dir: string;
let server: net.Server;
let pg: TestPostgres;

async function standin(args: readonly string[]) {
  let stdout = '';
  let stderr = '';
  const log = vi.spyOn(console, 'log').mockImplementation((s: string) => void (stdout += `${s}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((s: string) => void (stderr += `${s}\n`));
  try {
    const code = await standinPsql(args, dir);
    return { code, stdout, stderr };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const homeportArgs = (s: PostgresTableLeader, socketDir: string) => psqlArgv({ ...s, socketDir }).slice(1);

beforeAll(async () => {
  vi.stubEnv('POSTGRES_USER', 'revenge');
  vi.stubEnv('POSTGRES_DB', 'revenge');
  dir = await mkdtemp(join(tmpdir(), 'homeport-standin-psql-'));
  server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(join(dir, '.s.PGSQL.5432'), r));
  pg = await startTestPostgres(river.user, river.database);
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  server?.close();
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the stand-in psql', () => {
  it('without the table, fails as psql does on a database whose migrations have not run', async () => {
    const fake = await standin(homeportArgs(river, dir));
    const [program, ...args] = psqlArgv({ ...river, socketDir: pg.socketDir }) as [string, ...string[]];
    const real = await runProgram(program, args);
    expect(fake.code).toBe(real.code);
    expect(fake.stderr.split('\n')[0]).toBe(real.stderr.split('\n')[0]);
    expect(classifyLeader(river, { kind: 'exited', ...fake })).toEqual(
      classifyLeader(river, { kind: 'exited', ...real }),
    );
  });

  it('answers the leader query from its tables in the real server’s format', async () => {
    const elected = new Date(Date.now() - 2000).toISOString();
    const expires = new Date(Date.now() + 13_000).toISOString();
    await writeFile(
      join(dir, STANDIN_TABLES_FILE),
      JSON.stringify({
        'public.river_leader': [{ leader_id: 'api-1', elected_at: elected, expires_at: expires, name: 'default' }],
      }),
    );
    await pg.psql(river.database, [
      '-c',
      `CREATE TABLE river_leader (elected_at timestamptz NOT NULL, expires_at timestamptz NOT NULL, leader_id text NOT NULL, name text PRIMARY KEY DEFAULT 'default'); INSERT INTO river_leader (leader_id, elected_at, expires_at) VALUES ('api-1', '${elected}', '${expires}')`,
    ]);
    const fake = await standin(homeportArgs(river, dir));
    const [program, ...args] = psqlArgv({ ...river, socketDir: pg.socketDir }) as [string, ...string[]];
    const real = await runProgram(program, args);
    expect(fake).toMatchObject({ code: 0, stderr: '' });
    // Byte for byte but for the clock reading.
    const withoutNow = (s: string) => s.replace(/"now" : "[^"]+"/, '"now" : "…"');
    expect(withoutNow(fake.stdout)).toBe(withoutNow(real.stdout));
    expect(classifyLeader(river, { kind: 'exited', ...fake })).toMatchObject({ state: 'held', holder: 'api-1' });
  });

  it('refuses other statements, other output formats, other roles and databases, and a server that is not there', async () => {
    const args = homeportArgs(river, dir);
    const other = args.map((a) => (a.startsWith('SELECT') ? 'SELECT * FROM river_leader' : a));
    expect(await standin(other)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^ERROR: {2}feature not supported/),
    });
    expect(await standin(args.filter((a) => a !== '-t'))).toMatchObject({ code: 1 });
    const role = args.map((a) => (a === 'revenge' ? 'someone' : a));
    expect(await standin(role)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/FATAL: {2}role "someone" does not exist/),
    });
    const db = [...args.slice(0, -3), 'other', '-c', args.at(-1) as string];
    expect(await standin(db)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/FATAL: {2}database "other" does not exist/),
    });
    const gone = homeportArgs(river, join(dir, 'nowhere'));
    const fake = await standin(gone);
    const real = await runProgram('psql', gone);
    expect(fake.code).toBe(2);
    expect(fake.stderr).toBe(real.stderr);
  });
});
