/**
 * The database stand-in's pg_dump and pg_restore fail as this machine's real ones do, word for word
 * and with the same exit code, wherever the server is missing or is not PostgreSQL, and pg_restore
 * refuses a bad archive before connecting as the real one does.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../leaders/testing/postgres';
import { standinPgDump, standinPgRestore } from './standin-pgtools';

const BIN = '/usr/lib/postgresql/15/bin';
let dir: string;
let closing: net.Server;
let refusedPort: number;
let pg: TestPostgres;
let archive: Buffer;

interface Ran {
  code: number;
  stdout: Buffer;
  stderr: string;
}

function real(
  tool: string,
  args: readonly string[],
  input: Buffer = Buffer.alloc(0),
  env: NodeJS.ProcessEnv = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(BIN, tool), args, { env: { PATH: process.env.PATH, ...env } });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

async function standin(run: () => Promise<number>): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const error = vi.spyOn(console, 'error').mockImplementation((s: string) => void (stderr += `${s}\n`));
  try {
    return { code: await run(), stderr };
  } finally {
    error.mockRestore();
  }
}

const dump = (args: string[], socketDir = '/var/run/postgresql') => standin(() => standinPgDump(args, socketDir));
const restore = (args: string[], input: Buffer = Buffer.alloc(0)) =>
  standin(() => standinPgRestore(args, '/var/run/postgresql', async (max) => input.subarray(0, max)));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'homeport-standin-pgtools-'));
  // A listener that is no PostgreSQL server: it drops the connection on the first bytes.
  closing = net.createServer((s) => s.on('data', () => s.destroy()));
  await new Promise<void>((r) => closing.listen(join(dir, '.s.PGSQL.5432'), r));
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  refusedPort = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  pg = await startTestPostgres('revenge', 'revenge');
  const dumped = await real('pg_dump', ['-Fc', '-h', pg.socketDir, '-U', 'revenge', '-d', 'revenge']);
  expect(dumped.code).toBe(0);
  archive = dumped.stdout;
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  closing?.close();
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the stand-in pg_dump', () => {
  it.each([
    ['no socket in the directory', () => ['-Fc', '-h', join(dir, 'nowhere'), '-U', 'revenge', '-d', 'revenge']],
    ['a listener that is not PostgreSQL', () => ['-Fc', '-h', dir, '-U', 'revenge', 'revenge']],
    ['a refused TCP port', () => ['-h', '127.0.0.1', '-p', String(refusedPort), 'revenge']],
    ['a host name, with its address', () => ['--host=localhost', `--port=${refusedPort}`, '-Z1', 'revenge']],
    ['a host name that does not resolve', () => ['-h', 'nosuchhost.invalid', 'revenge']],
  ])('fails as the real one does on %s', async (_what, args) => {
    const r = await real('pg_dump', args());
    expect(r.code).toBe(1);
    expect(await dump(args())).toEqual({ code: r.code, stderr: r.stderr });
  });

  it('looks in the image’s socket directory by default, and in PGHOST when it is set', async () => {
    const r = await real('pg_dump', ['-Fc', 'revenge'], undefined, { PGHOST: join(dir, 'nowhere') });
    vi.stubEnv('PGHOST', join(dir, 'nowhere'));
    expect(await dump(['-Fc', 'revenge'])).toEqual({ code: 1, stderr: r.stderr });
    vi.unstubAllEnvs();
    vi.stubEnv('PGHOST', '');
    expect((await dump(['-Fc'], join(dir, 'image-socket'))).stderr).toContain(
      `socket "${join(dir, 'image-socket')}/.s.PGSQL.5432" failed: No such file or directory`,
    );
    vi.unstubAllEnvs();
  });
});

describe('the stand-in pg_restore', () => {
  it.each([
    ['empty input', Buffer.alloc(0)],
    ['a few bytes', Buffer.from('garbage\n')],
    ['a long input that is no archive', Buffer.alloc(2000, 'a')],
  ])('refuses %s before connecting, as the real one does', async (_what, input) => {
    const args = ['-h', join(dir, 'nowhere'), '-d', 'revenge'];
    const r = await real('pg_restore', args, input);
    expect(r.code).toBe(1);
    expect(await restore(args, input)).toEqual({ code: r.code, stderr: r.stderr });
  });

  it('refuses a file that is not there', async () => {
    const args = ['--list', join(dir, 'missing.dump')];
    const r = await real('pg_restore', args);
    expect(await restore(args)).toEqual({ code: 1, stderr: r.stderr });
  });

  it('reads a real archive, then fails to connect as the real one does', async () => {
    for (const args of [
      ['-h', join(dir, 'nowhere'), '-d', 'revenge'],
      ['-h', dir, '-U', 'revenge', '--dbname=revenge', '--exit-on-error'],
    ]) {
      const r = await real('pg_restore', args, archive);
      expect(r.code).toBe(1);
      expect(await restore(args, archive)).toEqual({ code: 1, stderr: r.stderr });
    }
    const file = join(dir, 'revenge.dump');
    await writeFile(file, archive);
    const r = await real('pg_restore', ['-h', join(dir, 'nowhere'), '-d', 'revenge', file]);
    expect(await restore(['-h', join(dir, 'nowhere'), '-d', 'revenge', file])).toEqual({ code: 1, stderr: r.stderr });
  });

  it('says it cannot read a real archive without a database to restore into', async () => {
    const r = await restore(['--list'], archive);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pg_restore: error: the Homeport test stand-in/);
  });
});
