/**
 * `psql` in a database stand-in image: it connects where the real client connects (a TCP host, or
 * the server's Unix socket in a directory given with -h), knows only the database and role the
 * container's POSTGRES_DB / POSTGRES_USER create, and answers only the leader query Homeport sends
 * (core/leaders/table-leader.ts), unaligned tuples only, from tables the stand-in keeps in a JSON
 * file next to its socket (STANDIN_TABLES_FILE: `{"schema.table": [{column: value}]}`, written by
 * tests through a command in the container). Anything else is refused with psql's words and exit
 * codes: 2 when the connection fails, 1 when a statement fails.
 */
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { leaderQuery } from '../../leaders/table-leader';
import type { PostgresTableLeader } from '../../stacks/signals';
import { STANDIN_TABLES_FILE } from './standin-layout';

const FLAGS_WITHOUT_VALUE = new Set(['-X', '-A', '-t', '-q', '--no-password', '-w', '--no-psqlrc']);
const WITH_VALUE = new Map([
  ['-h', 'host'],
  ['--host', 'host'],
  ['-p', 'port'],
  ['--port', 'port'],
  ['-U', 'user'],
  ['--username', 'user'],
  ['-d', 'database'],
  ['--dbname', 'database'],
  ['-c', 'command'],
  ['--command', 'command'],
  ['-v', 'variable'],
  ['--set', 'variable'],
]);

interface Parsed {
  options: Record<string, string>;
  flags: Set<string>;
}

function parse(args: readonly string[]): Parsed | string {
  const options: Record<string, string> = {};
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const key = WITH_VALUE.get(a);
    if (key) {
      const value = args[++i];
      if (value === undefined) return `psql: error: option requires an argument -- '${a.replace(/^-+/, '')}'`;
      options[key] = value;
    } else if (FLAGS_WITHOUT_VALUE.has(a)) flags.add(a);
    else return `psql: error: the Homeport test stand-in does not take the argument '${a}'`;
  }
  return { options, flags };
}

function reach(path: string | { host: string; port: number }): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = typeof path === 'string' ? net.connect({ path }) : net.connect(path);
    socket.setTimeout(3000, () => {
      socket.destroy();
      resolve('timeout expired');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      resolve(
        err.code === 'ENOENT'
          ? 'No such file or directory'
          : err.code === 'ECONNREFUSED'
            ? 'Connection refused'
            : (err.code ?? err.message),
      ),
    );
  });
}

/** PostgreSQL's JSON rendering of a timestamptz in a UTC session: trailing zeros of the fraction dropped, +00:00. */
function pgTimestamp(value: unknown): string {
  const d = new Date(String(value));
  if (Number.isNaN(d.getTime())) throw new Error(`not a timestamp: ${String(value)}`);
  const [seconds, fraction = ''] = d.toISOString().replace(/Z$/, '').split('.');
  const kept = fraction.replace(/0+$/, '');
  return `${seconds}${kept ? `.${kept}` : ''}+00:00`;
}

/** The leader query's parts, when the text is exactly the query Homeport builds from them. */
function leaderQueryParts(sql: string): PostgresTableLeader | undefined {
  const m =
    /^SELECT json_build_object\('holder', "(\w+)", 'since', "(\w+)", 'expires', "(\w+)", 'now', now\(\)\) FROM "(\w+)"\."(\w+)"$/.exec(
      sql,
    );
  if (!m) return undefined;
  const [, holder, since, expires, schema, table] = m as unknown as [string, string, string, string, string, string];
  const parts = {
    kind: 'postgres-table',
    component: '',
    database: '',
    user: '',
    schema,
    table,
    columns: { holder, since, expires },
    socketDir: '',
    ref: '',
    tableRef: '',
  } as const;
  return leaderQuery(parts) === sql ? parts : undefined;
}

function readTables(dir: string): Record<string, Record<string, unknown>[]> {
  try {
    return JSON.parse(readFileSync(join(dir, STANDIN_TABLES_FILE), 'utf8')) as Record<
      string,
      Record<string, unknown>[]
    >;
  } catch {
    return {};
  }
}

/** Runs the stand-in psql; `socketDir` is the directory of the server's socket in this image. */
export async function standinPsql(args: readonly string[], socketDir: string | undefined): Promise<number> {
  const parsed = parse(args);
  if (typeof parsed === 'string') {
    console.error(parsed);
    return 1;
  }
  const { options, flags } = parsed;
  const port = Number(options.port ?? 5432);
  const host = options.host ?? socketDir ?? '127.0.0.1';
  const env = process.env;
  const role = env.POSTGRES_USER || 'postgres';
  const user = options.user ?? role;
  const database = options.database ?? user;
  const local = host.startsWith('/');
  const where = local
    ? `connection to server on socket "${host}/.s.PGSQL.${port}" failed`
    : `connection to server at "${host}", port ${port} failed`;
  const unreachable = await reach(local ? `${host}/.s.PGSQL.${port}` : { host, port });
  if (unreachable) {
    console.error(`psql: error: ${where}: ${unreachable}`);
    if (local) console.error('\tIs the server running locally and accepting connections on that socket?');
    return 2;
  }
  if (user !== role) {
    console.error(`psql: error: ${where}: FATAL:  role "${user}" does not exist`);
    return 2;
  }
  if (database !== (env.POSTGRES_DB || role)) {
    console.error(`psql: error: ${where}: FATAL:  database "${database}" does not exist`);
    return 2;
  }
  const sql = options.command;
  if (sql === undefined) return 0;
  const query = leaderQueryParts(sql);
  if (!query || !flags.has('-A') || !flags.has('-t')) {
    console.error(
      "ERROR:  feature not supported: the Homeport test stand-in answers only Homeport's leader query, as unaligned tuples (-A -t)",
    );
    return 1;
  }
  const name = `${query.schema}.${query.table}`;
  const rows = readTables(socketDir ?? host)[name];
  if (!rows) {
    console.error(`ERROR:  relation "${name}" does not exist`);
    console.error(`LINE 1: ...${sql.slice(-40)}`);
    return 1;
  }
  const now = pgTimestamp(new Date().toISOString());
  const c = query.columns;
  for (const row of rows) {
    const out = `{"holder" : ${JSON.stringify(String(row[c.holder]))}, "since" : "${pgTimestamp(row[c.since])}", "expires" : "${pgTimestamp(row[c.expires])}", "now" : "${now}"}`;
    console.log(out);
  }
  return 0;
}
