/**
 * Test fixture: a throwaway PostgreSQL cluster (this machine's PostgreSQL) in a temporary
 * directory, listening only on a Unix socket there (no TCP port), run as the unprivileged test user
 * because initdb refuses root. Local connections are trusted, as the postgres image's are (its
 * initdb gets no --auth). Without PostgreSQL or root it throws and says what to install.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureTestUser, TEST_USER } from '../../ssh/testing/sshd';

const run = promisify(execFile);

export interface TestPostgres {
  /** The directory of the server's socket (psql's -h). */
  socketDir: string;
  user: string;
  /** Runs psql as `user` on `database` with these arguments; resolves with its output and exit code. */
  psql(database: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

function binDir(): string {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort().reverse() : [];
  const found = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => existsSync(join(d, 'initdb')));
  if (!found) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql');
  return found;
}

/** Runs a program with argv (never a shell) and reports how it ended. */
export function runProgram(
  program: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Starts a cluster whose superuser is `user` (as POSTGRES_USER makes it) with the database `database`. */
export async function startTestPostgres(user: string, database: string): Promise<TestPostgres> {
  if (process.getuid?.() !== 0)
    throw new Error('The PostgreSQL tests run the server as homeport-test, so they must run as root.');
  const bin = binDir();
  await ensureTestUser();
  const uid = Number((await run('id', ['-u', TEST_USER])).stdout.trim());
  const gid = Number((await run('id', ['-g', TEST_USER])).stdout.trim());
  const dir = await mkdtemp(join(tmpdir(), 'homeport-postgres-'));
  await chmod(dir, 0o755);
  await chown(dir, uid, gid);
  const data = join(dir, 'data');
  const asUser = { uid, gid, env: { ...process.env, HOME: dir, LC_ALL: 'C' } };
  await run(join(bin, 'initdb'), ['-D', data, '-U', user, '-E', 'UTF8', '--auth=trust'], asUser);
  const server: ChildProcess = spawn(
    join(bin, 'postgres'),
    ['-D', data, '-k', dir, '-c', 'listen_addresses=', '-c', 'fsync=off'],
    { ...asUser, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr?.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-4000)));
  const exited = new Promise<void>((r) => server.once('exit', () => r()));
  const stop = async () => {
    if (server.exitCode === null) {
      server.kill('SIGINT');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ready = await runProgram(join(bin, 'pg_isready'), ['-h', dir, '-U', user, '-d', 'postgres', '-q']);
      if (ready.code === 0) break;
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`PostgreSQL did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await run(join(bin, 'createdb'), ['-h', dir, '-U', user, database]);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    socketDir: dir,
    user,
    psql: (db, args) =>
      runProgram('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-U', user, '-d', db, ...args]),
    stop,
  };
}
