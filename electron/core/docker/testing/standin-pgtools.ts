/**
 * `pg_dump` and `pg_restore` in a database stand-in image. The stand-in holds no database, so they
 * never dump or restore anything: they fail as the real tools fail on a server they cannot use, in
 * the real tools' words (checked against them in standin-pgtools.test.ts), exit 1:
 *
 * - no server where libpq looks (a socket directory from -h or PGHOST, else the image's socket
 *   directory; or a TCP host and port): `connection to server ... failed: No such file or
 *   directory` / `Connection refused`, or a host name that does not resolve;
 * - the stand-in's own listener, which is no PostgreSQL server: what libpq says when the server
 *   closes the connection;
 * - pg_restore reads its archive first, as the real one does: a missing file, an empty or short
 *   input and one that is not an archive are refused before any connection. A real archive without
 *   -d (a listing or an SQL script) is the one thing it cannot imitate, and says so.
 */
import { lookup } from 'node:dns/promises';
import { closeSync, openSync, readSync } from 'node:fs';
import { isIP } from 'node:net';
import * as net from 'node:net';

/** Options of pg_dump and pg_restore that take a value (short, and long without `=`). */
const WITH_VALUE = new Set([
  ...['-d', '-e', '-f', '-F', '-h', '-I', '-j', '-L', '-n', '-N', '-p', '-P', '-S', '-t', '-T', '-U', '-Z'],
  ...['--dbname', '--file', '--format', '--host', '--port', '--username', '--jobs', '--schema', '--table'],
  ...['--exclude-schema', '--exclude-table', '--use-list', '--index', '--function', '--trigger'],
  ...['--superuser', '--role', '--compress', '--extension', '--section', '--encoding'],
]);

interface Parsed {
  options: Map<string, string>;
  positional: string[];
}

function parse(args: readonly string[]): Parsed {
  const options = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) options.set(a.slice(0, eq), a.slice(eq + 1));
    else if (WITH_VALUE.has(a)) options.set(a, args[++i] ?? '');
    else if (/^-[a-zA-Z]./.test(a) && WITH_VALUE.has(a.slice(0, 2))) options.set(a.slice(0, 2), a.slice(2));
    else if (a.startsWith('-') && a !== '-') options.set(a, '');
    else positional.push(a);
  }
  return { options, positional };
}

const get = (p: Parsed, short: string, long: string) => p.options.get(short) ?? p.options.get(long);

type Outcome = 'connected' | 'closed' | string;

function attempt(target: { path: string } | { host: string; port: number }): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect(target);
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve('timeout expired');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
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

const CLOSED = [
  'server closed the connection unexpectedly',
  '\tThis probably means the server terminated abnormally',
  '\tbefore or while processing the request.',
].join('\n');

/**
 * libpq's account of failing to connect where the options point, as the tool prints it
 * (`tool: error: ...`); the stand-in's listener counts as a server that closed the connection.
 */
async function connectionError(tool: string, p: Parsed, socketDir: string): Promise<string> {
  const host = get(p, '-h', '--host') || process.env.PGHOST || socketDir;
  const port = Number(get(p, '-p', '--port') || process.env.PGPORT || 5432);
  if (host.startsWith('/')) {
    const where = `connection to server on socket "${host}/.s.PGSQL.${port}" failed`;
    const r = await attempt({ path: `${host}/.s.PGSQL.${port}` });
    if (r === 'connected') return `${tool}: error: ${where}: ${CLOSED}`;
    return `${tool}: error: ${where}: ${r}\n\tIs the server running locally and accepting connections on that socket?`;
  }
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch {
      return `${tool}: error: could not translate host name "${host}" to address: Name or service not known`;
    }
  }
  const lines: string[] = [];
  for (const address of addresses) {
    const where = `connection to server at "${host}"${address === host ? '' : ` (${address})`}, port ${port} failed`;
    const r = await attempt({ host: address, port });
    if (r === 'connected') {
      lines.push(`${where}: ${CLOSED}`);
      break;
    }
    lines.push(`${where}: ${r}\n\tIs the server running on that host and accepting TCP/IP connections?`);
  }
  return `${tool}: error: ${lines.join('\n')}`;
}

/** Runs the stand-in pg_dump; `socketDir` is the directory of the server's socket in this image. */
export async function standinPgDump(args: readonly string[], socketDir: string): Promise<number> {
  console.error(await connectionError('pg_dump', parse(args), socketDir));
  return 1;
}

/** Up to `max` bytes of the archive, or why it cannot be opened. */
type ReadInput = (max: number) => Promise<Buffer>;

function readFileHead(path: string, max: number): Buffer | string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : String(code);
  }
  try {
    const buf = Buffer.alloc(max);
    let got = 0;
    for (let n = 1; n > 0 && got < max; got += n) n = readSync(fd, buf, got, max - got, null);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** The first bytes on stdin (pg_restore without a file name reads the archive from there). */
export function readStdin(max: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      process.stdin.pause();
      resolve(Buffer.concat(chunks).subarray(0, max));
    };
    process.stdin.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (size >= max) done();
    });
    process.stdin.once('end', done);
    process.stdin.once('error', done);
  });
}

/** Runs the stand-in pg_restore; the archive is the file named, else `stdin`. */
export async function standinPgRestore(args: readonly string[], socketDir: string, stdin: ReadInput): Promise<number> {
  const p = parse(args);
  const file = p.positional[0];
  // pg_restore reads the 5-byte magic, then up to a tar header (512 bytes) to tell the formats apart.
  const head = file ? readFileHead(file, 512) : await stdin(512);
  const fail = (message: string) => {
    console.error(`pg_restore: error: ${message}`);
    return 1;
  };
  if (typeof head === 'string') return fail(`could not open input file "${file}": ${head}`);
  if (head.length < 5) return fail(`input file is too short (read ${head.length}, expected 5)`);
  if (head.subarray(0, 5).toString('latin1') !== 'PGDMP') {
    return fail(`input file does not appear to be a valid archive${head.length < 512 ? ' (too short?)' : ''}`);
  }
  if (get(p, '-d', '--dbname') === undefined) {
    return fail('the Homeport test stand-in holds no PostgreSQL programs that read archives; use the real image');
  }
  console.error(await connectionError('pg_restore', p, socketDir));
  return 1;
}
