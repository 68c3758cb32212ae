/**
 * PostgreSQL backups made with the database image's own tools, run in its container through exec
 * (runInWorkload), over the server's local socket as the image's superuser role (no password: the
 * image trusts local connections, docker-entrypoint.sh:207-212).
 *
 * The dump and the table statistics the restore drill compares with come from ONE snapshot: a psql
 * session opens a REPEATABLE READ transaction and exports its snapshot, pg_dump dumps exactly that
 * snapshot (`--snapshot`), and the same session counts and checksums every table inside it while
 * the dump runs. The dump's bytes are streamed to the caller's sink as pg_dump writes them.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { TableStat } from '@shared/backup-schemas';
import type { Target } from '@shared/target-schemas';
import { HomeportError } from '../errors';
import { collectOutput } from '../exec/collect-output';
import { describeWorkload, type CommandResult, type RunInWorkload, type Workload } from '../exec/command';
import type { PostgresBackup } from '../stacks/backup-declaration';

export interface PgPlace {
  run: RunInWorkload;
  target: Target;
  workload: Workload;
  db: PostgresBackup;
  signal?: AbortSignal;
}

/** psql's field separator: a unit separator cannot occur in a schema or table name. */
const SEP = '\x1f';
const MARK = '__homeport_end__';
const MAX_STDERR = 16 * 1024;

/** conninfo's quoting: a value in single quotes, with ' and \\ escaped. */
const conninfoValue = (v: string) => `'${v.replace(/[\\']/g, (c) => `\\${c}`)}'`;
/** `app` names the server sessions (application_name), so a failed dump can end them. */
const connection = (db: PostgresBackup, app?: string) => [
  '--no-password',
  '-h',
  db.socketDir,
  '-U',
  db.user,
  '-d',
  app ? `dbname=${conninfoValue(db.database)} application_name=${conninfoValue(app)}` : db.database,
];
const psqlArgv = (db: PostgresBackup, app?: string) => [
  'psql',
  '-X',
  '-A',
  '-t',
  '-q',
  '-F',
  SEP,
  '-v',
  'ON_ERROR_STOP=1',
  ...connection(db, app),
];
/** Custom format (pg_restore's), compressed by pg_dump itself at zlib level 1: fast, and the dump streams as it is made. */
export const pgDumpArgv = (db: PostgresBackup, snapshot?: string, app?: string) => [
  'pg_dump',
  '-Fc',
  '-Z1',
  ...(snapshot ? [`--snapshot=${snapshot}`] : []),
  ...connection(db, app),
];
export const pgRestoreArgv = (db: PostgresBackup) => [
  'pg_restore',
  '--clean',
  '--if-exists',
  '--no-owner',
  '--single-transaction',
  '--exit-on-error',
  ...connection(db),
];

const TABLES_SQL =
  "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') " +
  "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_' ORDER BY 1, 2;";
const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
/**
 * Rows and an order-independent checksum: the sum of each row's 64-bit text hash (PostgreSQL's
 * hashtextextended, far cheaper than md5 while the dump competes for the CPU), as a numeric (no
 * overflow). Constant memory whatever the table's size; equal contents, equal sums.
 */
const statSql = (schema: string, table: string) =>
  `SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)::numeric), 0) FROM ${quoteIdent(schema)}.${quoteIdent(table)} t;`;

const collectText = (stream: Readable, max = MAX_STDERR) => collectOutput(stream, max);

/** Says why a tool run in the container did not succeed, in the tool's own words where it has some. */
export function toolFailure(tool: string, where: string, result: CommandResult, stderr: string): HomeportError {
  const said = stderr.trim().split('\n').slice(-3).join(' ');
  if (result.kind === 'failed') {
    const code =
      result.reason === 'cancelled' ? 'CONFLICT' : result.reason === 'not-found' ? 'NOT_FOUND' : 'UNAVAILABLE';
    return new HomeportError(code, `${tool} in ${where}: ${result.message}`);
  }
  if (result.kind === 'signaled')
    return new HomeportError(
      'UNAVAILABLE',
      `${tool} in ${where} was killed (${result.signal})${said ? `: ${said}` : ''}`,
    );
  return new HomeportError('UNAVAILABLE', `${tool} in ${where} failed (exit ${result.code})${said ? `: ${said}` : ''}`);
}

/** A psql session on stdin: queries one after another, each answered up to a marker line. */
function psqlSession(place: PgPlace, app?: string) {
  const session = place.run(place.target, {
    workload: place.workload,
    command: psqlArgv(place.db, app),
    stdin: true,
    signal: place.signal,
  });
  const stdin = session.stdin;
  if (!stdin) throw new Error('psql session without stdin');
  const stderr = collectText(session.stderr);
  let buffer = '';
  let waiting: { resolve(lines: string[]): void; reject(err: Error): void } | undefined;
  let ended: Error | undefined;
  session.stdout.setEncoding('utf8');
  session.stdout.on('data', (d: string) => {
    buffer += d;
    const at = buffer.indexOf(`${MARK}\n`);
    if (at >= 0 && waiting) {
      const lines = buffer.slice(0, at).split('\n').filter(Boolean);
      buffer = buffer.slice(at + MARK.length + 1);
      const w = waiting;
      waiting = undefined;
      w.resolve(lines);
    }
  });
  const where = describeWorkload(place.workload);
  const result = session.result.then(async (r) => {
    ended = toolFailure('psql', where, r, await stderr);
    waiting?.reject(ended);
    return r;
  });
  return {
    query(sql: string): Promise<string[]> {
      if (ended) return Promise.reject(ended);
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        stdin.write(`${sql}\n\\echo ${MARK}\n`);
      });
    },
    async end(): Promise<void> {
      stdin.end();
      const r = await result;
      if (r.kind !== 'exited' || r.code !== 0) throw toolFailure('psql', where, r, await stderr);
    },
  };
}

async function statsIn(query: (sql: string) => Promise<string[]>): Promise<TableStat[]> {
  const tables = (await query(TABLES_SQL)).map((line) => line.split(SEP) as [string, string]);
  const stats: TableStat[] = [];
  for (const [schema, table] of tables) {
    const [row] = await query(statSql(schema, table));
    const [rows, checksum] = (row ?? '').split(SEP);
    stats.push({ schema, table, rows: Number(rows), checksum: checksum ?? '' });
  }
  return stats;
}

/** The tables' rows and checksums as the database holds them now (a restore drill's side). */
export async function tableStats(place: PgPlace): Promise<TableStat[]> {
  const psql = psqlSession(place);
  const stats = await statsIn((sql) => psql.query(sql));
  await psql.end();
  return stats;
}

/** pg_dump's version line ("pg_dump (PostgreSQL) 15.18"), for the manifest. */
export async function pgDumpVersion(place: PgPlace): Promise<string> {
  const session = place.run(place.target, {
    workload: place.workload,
    command: ['pg_dump', '--version'],
    signal: place.signal,
  });
  const [out, err, result] = await Promise.all([
    collectText(session.stdout),
    collectText(session.stderr),
    session.result,
  ]);
  if (result.kind !== 'exited' || result.code !== 0)
    throw toolFailure('pg_dump', describeWorkload(place.workload), result, err);
  return out.trim();
}

/**
 * Ends the server sessions named `app`, which ends the pg_dump and psql using them. Needed because
 * neither the Docker Engine nor the Kubernetes API signals an exec'd process when its client goes
 * away: a cancelled or failed dump would otherwise run on in the container, holding its snapshot.
 */
async function terminateSessions(place: PgPlace, app: string): Promise<void> {
  const session = place.run(place.target, {
    workload: place.workload,
    command: [
      ...psqlArgv(place.db),
      '-c',
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '${app}' AND pid <> pg_backend_pid();`,
    ],
    signal: AbortSignal.timeout(15_000),
  });
  session.stdout.resume();
  session.stderr.resume();
  await session.result;
}

/**
 * Dumps the database into `sink` (which consumes the stream and resolves when it has stored it)
 * and returns the tables' statistics from the dump's own snapshot.
 */
export async function dumpDatabase(place: PgPlace, sink: (dump: Readable) => Promise<unknown>): Promise<TableStat[]> {
  const where = describeWorkload(place.workload);
  const app = `homeport-dump-${randomBytes(6).toString('hex')}`;
  const psql = psqlSession(place, app);
  try {
    await psql.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;');
    const [snapshot] = await psql.query('SELECT pg_export_snapshot();');
    if (!snapshot) throw new HomeportError('UNAVAILABLE', `psql in ${where} exported no snapshot`);
    // Ends pg_dump when the destination fails, as well as when the caller cancels.
    const stop = new AbortController();
    const onAbort = () => stop.abort(place.signal?.reason);
    place.signal?.addEventListener('abort', onAbort, { once: true });
    const dump = place.run(place.target, {
      workload: place.workload,
      command: pgDumpArgv(place.db, snapshot.trim(), app),
      signal: stop.signal,
    });
    dump.result.finally(() => place.signal?.removeEventListener('abort', onAbort)).catch(() => undefined);
    const dumpErr = collectText(dump.stderr);
    const stored = sink(dump.stdout).catch((err: unknown) => {
      stop.abort(err);
      throw err;
    });
    const stats = statsIn((sql) => psql.query(sql));
    const [result] = await Promise.all([dump.result, stored, stats]);
    if (result.kind !== 'exited' || result.code !== 0) throw toolFailure('pg_dump', where, result, await dumpErr);
    await psql.query('COMMIT;');
    await psql.end();
    return await stats;
  } catch (err) {
    await terminateSessions(place, app).catch(() => undefined);
    await psql.end().catch(() => undefined);
    throw err;
  }
}

/** Restores a custom-format dump streamed from `source` into the database, in one transaction. */
export async function restoreDatabase(place: PgPlace, source: Readable): Promise<void> {
  const where = describeWorkload(place.workload);
  const session = place.run(place.target, {
    workload: place.workload,
    command: pgRestoreArgv(place.db),
    stdin: true,
    signal: place.signal,
  });
  const stdin = session.stdin;
  if (!stdin) throw new Error('pg_restore session without stdin');
  const err = collectText(session.stderr);
  const out = collectText(session.stdout);
  source.on('error', (e) => stdin.destroy(e));
  source.pipe(stdin);
  const [result] = await Promise.all([session.result, out]);
  if (result.kind !== 'exited' || result.code !== 0) throw toolFailure('pg_restore', where, result, await err);
}
