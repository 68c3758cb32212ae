// The in-cluster dump script, run by a real sh with this machine's pg_dump against a real PostgreSQL
// (the leaders' fixture: a throwaway cluster on a Unix socket, which libpq's PGHOST also takes).
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProgram, startTestPostgres, type TestPostgres } from '../leaders/testing/postgres';
import { DUMP_SCRIPT } from './postgres-backup-job';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres('revenge', 'revenge');
  const made = await pg.psql('revenge', [
    '-c',
    'CREATE TABLE movies (id int PRIMARY KEY, title text); INSERT INTO movies SELECT g, md5(g::text) FROM generate_series(1, 500) g;',
  ]);
  expect(made.stderr).toBe('');
}, 60_000);
afterAll(() => pg?.stop());

function dump(dir: string, over: Record<string, string> = {}) {
  const passwordFile = join(dir, '..', 'password');
  writeFileSync(passwordFile, 'not-needed-on-a-trusted-socket');
  return runProgram('sh', ['-c', DUMP_SCRIPT, 'pg-backup'], {
    PATH: process.env.PATH,
    PGHOST: pg.socketDir,
    PGUSER: 'revenge',
    PGDATABASE: 'revenge',
    PGPASSWORD_FILE: passwordFile,
    BACKUP_DIR: dir,
    BACKUP_PREFIX: 'revenge',
    BACKUP_KEEP: '2',
    ...over,
  });
}

describe('the in-cluster dump script', () => {
  it('writes <stack>-<UTC time>.dump in pg_dump custom format and keeps the newest BACKUP_KEEP', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'homeport-dumps-')), 'backups');
    await runProgram('mkdir', [dir]);
    // Older dumps, another stack's dump and a stranger's file: only this stack's dumps are rotated.
    for (const f of [
      'revenge-20261101T030000Z.dump',
      'revenge-20261102T030000Z.dump',
      'media-20261101T030000Z.dump',
      'notes.txt',
    ]) {
      writeFileSync(join(dir, f), 'old');
    }
    const r = await dump(dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const written = /^wrote (revenge-\d{8}T\d{6}Z\.dump) \((\d+) bytes\)$/m.exec(r.stdout);
    expect(written, r.stdout).not.toBeNull();
    expect(r.stdout).toContain('removed revenge-20261101T030000Z.dump');
    expect(readdirSync(dir).sort()).toEqual(
      [written![1]!, 'media-20261101T030000Z.dump', 'notes.txt', 'revenge-20261102T030000Z.dump'].sort(),
    );
    // A real custom-format archive holding the table.
    const list = await runProgram('pg_restore', ['--list', join(dir, written![1]!)]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/TABLE DATA public movies revenge/);
  });

  it('leaves nothing that looks like a dump when pg_dump fails, and exits non-zero', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'homeport-dumps-'));
    writeFileSync(join(dir, 'revenge-20261101T030000Z.dump'), 'old');
    const r = await dump(dir, { PGDATABASE: 'missing' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('database "missing" does not exist');
    // No new file, no temporary one, and the old dump is not rotated away by a failed run.
    expect(readdirSync(dir)).toEqual(['revenge-20261101T030000Z.dump']);
  });
});
