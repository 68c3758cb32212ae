/**
 * Reading a leader kept in a PostgreSQL table: the one query and the psql command line Homeport
 * runs in the database's container, and what its answer means. Pure: the command runs elsewhere
 * (read-leader.ts), and the test against a real PostgreSQL runs exactly this argv.
 *
 * psql connects over the server's local socket as the stack's database user and is given no
 * password (`--no-password`: it fails instead of prompting); the images this is for trust local
 * connections, and a credential never travels from Homeport into a command line.
 */
import type { LeaderUnknownCause, TableLeaderReading } from '@shared/leader-schemas';
import type { PostgresTableLeader } from '../stacks/signals';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function ident(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(`The leader source's ${what} '${name}' is not a plain PostgreSQL identifier`);
  }
  return `"${name}"`;
}

/** `schema.table`, as PostgreSQL names it in its messages. */
export const qualifiedTable = (s: PostgresTableLeader) => `${s.schema}.${s.table}`;

/**
 * One JSON object per row, timestamps in ISO 8601 whatever the server's DateStyle, with the
 * server's own clock, so expiry is judged by the clock the program elects by.
 */
export function leaderQuery(s: PostgresTableLeader): string {
  const c = s.columns;
  return (
    `SELECT json_build_object('holder', ${ident(c.holder, 'holder column')}, ` +
    `'since', ${ident(c.since, 'since column')}, 'expires', ${ident(c.expires, 'expires column')}, 'now', now()) ` +
    `FROM ${ident(s.schema, 'schema')}.${ident(s.table, 'table')}`
  );
}

/**
 * The command: no psqlrc (-X), unaligned (-A) tuples only (-t), quiet (-q), stop at the first
 * error, never prompt for a password, the local socket, the stack's user and database.
 */
export function psqlArgv(s: PostgresTableLeader): string[] {
  return [
    'psql',
    '-X',
    '-A',
    '-t',
    '-q',
    '-v',
    'ON_ERROR_STOP=1',
    '--no-password',
    '-h',
    s.socketDir,
    '-U',
    s.user,
    '-d',
    s.database,
    '-c',
    leaderQuery(s),
  ];
}

/** How the command ended, with what it printed. */
export type PsqlOutcome =
  | { kind: 'exited'; code: number; stdout: string; stderr: string }
  /** It did not run, or ended without an exit code; message says why. */
  | { kind: 'not-run'; message: string };

const unknown = (cause: LeaderUnknownCause, message: string): TableLeaderReading => ({
  state: 'unknown',
  cause,
  message,
});

/** psql's first error line, without its `psql: error: ` prefix. */
function firstError(stderr: string): string {
  const line =
    stderr
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? '';
  return line.replace(/^psql: error: /, '');
}

interface Row {
  holder: string;
  since: string;
  expires: string;
  now: string;
}

function parseRow(line: string): Row | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const fields = ['holder', 'since', 'expires', 'now'] as const;
  if (!fields.every((f) => typeof o[f] === 'string')) return undefined;
  if (!['since', 'expires', 'now'].every((f) => !Number.isNaN(Date.parse(o[f] as string)))) return undefined;
  return { holder: o.holder as string, since: o.since as string, expires: o.expires as string, now: o.now as string };
}

/** What psql's answer says about the leader. */
export function classifyLeader(s: PostgresTableLeader, out: PsqlOutcome): TableLeaderReading {
  if (out.kind === 'not-run') return unknown('exec-failed', out.message);
  const table = qualifiedTable(s);
  if (out.code !== 0) {
    const error = firstError(out.stderr) || `psql exited with code ${out.code} and said nothing`;
    // A shell's "command not found": there is no psql in the container.
    if (out.code === 127) return unknown('exec-failed', error);
    // The message names the relation as written in the query: "schema.table".
    if (error.includes(`relation "${table}" does not exist`)) {
      return unknown(
        'no-table',
        `The table ${table} does not exist in the database ${s.database}: the program's migrations have not run yet (psql: ${error})`,
      );
    }
    if (/No such file or directory|Connection refused|the database system is (starting up|shutting down)/.test(error)) {
      return unknown('not-accepting', `PostgreSQL does not accept connections on ${s.socketDir}: ${error}`);
    }
    if (/FATAL: |fe_sendauth|password/.test(error)) return unknown('refused', error);
    return unknown('query-failed', error);
  }
  const lines = out.stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return { state: 'none' };
  const rows = lines.map(parseRow);
  const row = rows[0];
  if (!row || rows.length > 1) {
    const what = rows.length > 1 ? `${rows.length} rows` : `'${lines[0]?.slice(0, 200)}'`;
    return unknown('unparsable', `The query of ${table} answered ${what}, not one leader row`);
  }
  const state = Date.parse(row.expires) > Date.parse(row.now) ? 'held' : 'expired';
  return { state, ...row };
}
