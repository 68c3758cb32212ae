import { describe, expect, it } from 'vitest';
import { revengeSignals } from '../stacks/revenge-signals';
import type { PostgresTableLeader } from '../stacks/signals';
import { classifyLeader, leaderQuery, psqlArgv, type PsqlOutcome } from './table-leader';

const river = revengeSignals.leader as PostgresTableLeader;
const ok = (stdout: string): PsqlOutcome => ({ kind: 'exited', code: 0, stdout, stderr: '' });
const failed = (code: number, stderr: string): PsqlOutcome => ({ kind: 'exited', code, stdout: '', stderr });
const row = (o: Record<string, string>) => `${JSON.stringify(o)}\n`;

describe("Revenge's leader source", () => {
  it('is River’s river_leader in public, read as revenge over the image’s socket', () => {
    expect(river).toMatchObject({
      kind: 'postgres-table',
      component: 'postgres',
      database: 'revenge',
      user: 'revenge',
      schema: 'public',
      table: 'river_leader',
      columns: { holder: 'leader_id', since: 'elected_at', expires: 'expires_at' },
      socketDir: '/var/run/postgresql',
    });
    expect(river.tableRef).toMatch(/^riverqueue\/river@v0\.30\.2:.*002_initial_schema\.up\.sql:85$/);
  });
});

describe('the psql command', () => {
  it('is an argv with no password, no psqlrc, unaligned tuples, stopping at errors', () => {
    expect(psqlArgv(river)).toEqual([
      'psql',
      '-X',
      '-A',
      '-t',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '--no-password',
      '-h',
      '/var/run/postgresql',
      '-U',
      'revenge',
      '-d',
      'revenge',
      '-c',
      `SELECT json_build_object('holder', "leader_id", 'since', "elected_at", 'expires', "expires_at", 'now', now()) FROM "public"."river_leader"`,
    ]);
  });

  it('refuses names that are not plain identifiers rather than quoting them into SQL', () => {
    expect(() => leaderQuery({ ...river, table: 'x"; DROP TABLE y; --' })).toThrow(
      /table 'x"; DROP.*plain PostgreSQL identifier/,
    );
  });
});

describe('what the answer means', () => {
  const now = '2026-11-30T16:14:17.653205+00:00';
  it('a row whose term runs beyond the database clock is held', () => {
    const r = classifyLeader(
      river,
      ok(row({ holder: 'api-1', since: '2026-11-30T16:14:10+00:00', expires: '2026-11-30T16:14:25+00:00', now })),
    );
    expect(r).toEqual({
      state: 'held',
      holder: 'api-1',
      since: '2026-11-30T16:14:10+00:00',
      expires: '2026-11-30T16:14:25+00:00',
      now,
    });
  });

  it('a row whose term ended by the database clock is expired, whatever this machine’s clock says', () => {
    const r = classifyLeader(
      river,
      ok(row({ holder: 'api-1', since: '2026-11-30T16:13:00+00:00', expires: '2026-11-30T16:13:15+00:00', now })),
    );
    expect(r.state).toBe('expired');
  });

  it('no row is nobody leading', () => {
    expect(classifyLeader(river, ok(''))).toEqual({ state: 'none' });
  });

  it('a missing table means the migrations have not run', () => {
    const r = classifyLeader(
      river,
      failed(1, 'ERROR:  relation "public.river_leader" does not exist\nLINE 1: SELECT json_build_object(...\n'),
    );
    expect(r).toMatchObject({ state: 'unknown', cause: 'no-table' });
    expect(r.state === 'unknown' && r.message).toMatch(
      /public\.river_leader does not exist .*revenge.*migrations have not run/,
    );
  });

  it('a server not listening on its socket, a refused connection and other errors keep psql’s words', () => {
    const noSocket =
      'psql: error: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: No such file or directory\n\tIs the server running locally and accepting connections on that socket?\n';
    expect(classifyLeader(river, failed(2, noSocket))).toEqual({
      state: 'unknown',
      cause: 'not-accepting',
      message:
        'PostgreSQL does not accept connections on /var/run/postgresql: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: No such file or directory',
    });
    const noDb =
      'psql: error: connection to server on socket "/x/.s.PGSQL.5432" failed: FATAL:  database "revenge" does not exist\n';
    expect(classifyLeader(river, failed(2, noDb))).toMatchObject({
      cause: 'refused',
      message: expect.stringMatching(/database "revenge" does not exist/),
    });
    const password =
      'psql: error: connection to server on socket "/x/.s.PGSQL.5432" failed: fe_sendauth: no password supplied\n';
    expect(classifyLeader(river, failed(2, password))).toMatchObject({ cause: 'refused' });
    expect(classifyLeader(river, failed(1, 'ERROR:  permission denied for table river_leader\n'))).toEqual({
      state: 'unknown',
      cause: 'query-failed',
      message: 'ERROR:  permission denied for table river_leader',
    });
    expect(classifyLeader(river, failed(127, 'sh: psql: not found\n'))).toMatchObject({ cause: 'exec-failed' });
  });

  it('a command that did not run says why', () => {
    const r = classifyLeader(river, { kind: 'not-run', message: 'task 1 of service x_postgres runs on node b' });
    expect(r).toEqual({
      state: 'unknown',
      cause: 'exec-failed',
      message: 'task 1 of service x_postgres runs on node b',
    });
  });

  it('an answer that is not one leader row is not taken for one', () => {
    expect(classifyLeader(river, ok('api-1|2026-11-30 16:14:10+00\n'))).toMatchObject({ cause: 'unparsable' });
    const two = row({ holder: 'a', since: now, expires: now, now }).repeat(2);
    expect(classifyLeader(river, ok(two))).toMatchObject({
      cause: 'unparsable',
      message: expect.stringMatching(/2 rows/),
    });
    expect(classifyLeader(river, ok(row({ holder: 'a', since: 'yesterday', expires: now, now })))).toMatchObject({
      cause: 'unparsable',
    });
  });
});
