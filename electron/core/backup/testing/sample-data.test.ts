/**
 * The sample data on this machine's real PostgreSQL: every table gets its rows, two loads are
 * identical row for row, and the damage changes one table's contents and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../leaders/testing/postgres';
import { DAMAGED_TABLE, damageSql, SAMPLE_SEQUENCE, SAMPLE_TABLES, sampleDataSql } from './sample-data';

const ROWS = 2000;
let pg: TestPostgres;

async function sql(db: string, text: string): Promise<string> {
  const r = await pg.psql(db, ['-A', '-t', '-c', text]);
  if (r.code !== 0) throw new Error(`psql on ${db} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Per table: the row count and an MD5 of every row's text, in a fixed order. */
async function fingerprint(db: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of SAMPLE_TABLES) {
    out[t] = await sql(
      db,
      `SELECT count(*) || ' ' || md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) FROM ${t} x`,
    );
  }
  return out;
}

beforeAll(async () => {
  pg = await startTestPostgres('revenge', 'revenge');
  await sql('revenge', 'CREATE DATABASE copy');
  for (const db of ['revenge', 'copy']) await sql(db, sampleDataSql({ rowsPerTable: ROWS }));
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});

describe('sampleDataSql', () => {
  it('fills every table with the rows asked for, across the search_path schemas', async () => {
    const counts = await fingerprint('revenge');
    expect(Object.keys(counts)).toEqual([...SAMPLE_TABLES]);
    for (const t of SAMPLE_TABLES) expect(counts[t]).toMatch(new RegExp(`^${ROWS} [0-9a-f]{32}$`));
    expect(await sql('revenge', `SELECT last_value FROM ${SAMPLE_SEQUENCE}`)).toBe(String(ROWS));
    expect(
      await sql(
        'revenge',
        "SELECT string_agg(DISTINCT table_schema, ',' ORDER BY table_schema) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
      ),
    ).toBe('movie,public,shared');
  });

  it('holds what a dump must carry: non-ASCII text, NULLs, jsonb, bytea, numeric and foreign keys', async () => {
    expect(await sql('revenge', "SELECT count(*) > 0 FROM movie.movies WHERE title LIKE '%千と千尋%'")).toBe('t');
    expect(await sql('revenge', 'SELECT count(*) > 0 FROM shared.users WHERE email IS NULL AND avatar IS NULL')).toBe(
      't',
    );
    expect(await sql('revenge', "SELECT metadata->'nested'->>'λ' FROM movie.movies WHERE id = 18")).toBe('1');
    expect(await sql('revenge', "SELECT encode(avatar, 'hex') FROM shared.users WHERE id = 1")).toMatch(
      /^[0-9a-f]{32}00ff00$/,
    );
    expect(await sql('revenge', 'SELECT rating FROM movie.movies WHERE id = 1234')).toBe('2.34');
    const fks = await sql(
      'revenge',
      "SELECT count(*) FROM information_schema.table_constraints WHERE constraint_type = 'FOREIGN KEY'",
    );
    expect(Number(fks)).toBe(3);
  });

  it('is the same on every load, and the damage changes one row of one table only', async () => {
    const a = await fingerprint('revenge');
    expect(await fingerprint('copy')).toEqual(a);
    await sql('copy', damageSql());
    const b = await fingerprint('copy');
    for (const t of SAMPLE_TABLES) {
      if (t === DAMAGED_TABLE) {
        expect(b[t]).not.toBe(a[t]);
        expect(b[t]?.split(' ')[0]).toBe(String(ROWS));
      } else expect(b[t]).toBe(a[t]);
    }
  });

  it('refuses a row count that is not a whole number', () => {
    expect(() => sampleDataSql({ rowsPerTable: 0 })).toThrow(/rowsPerTable/);
  });
});
