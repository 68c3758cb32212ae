/**
 * Test data for backups and restore drills: SQL that builds the same tables with the same rows on
 * every run (rows come from generate_series and fixed expressions, never random() or now()), in
 * the schemas of Revenge's search_path (public, shared, movie), with what a dump and restore must
 * carry unchanged: non-ASCII text, NULLs, jsonb, bytea, timestamptz, numeric, an identity column, a
 * sequence-backed id whose sequence must come back where it was, and foreign keys (restored after
 * the data they point at).
 */

export const SAMPLE_SCHEMAS = ['shared', 'movie'] as const;

/** Every sample table, schema-qualified, parents before the tables that refer to them. */
export const SAMPLE_TABLES = [
  'shared.users',
  'movie.movies',
  'movie.watch_history',
  'public.app_settings',
  'public.audit_log',
] as const;
export type SampleTable = (typeof SAMPLE_TABLES)[number];

/** The table damageSql() changes. */
export const DAMAGED_TABLE: SampleTable = 'movie.movies';

/** The sequence behind shared.users.id: after the load its last value is rowsPerTable. */
export const SAMPLE_SEQUENCE = 'shared.users_id_seq';

export interface SampleDataOptions {
  /** Rows in each table (thousands for a realistic dump). */
  rowsPerTable: number;
}

// Words from several scripts, so the text columns hold multi-byte UTF-8 and a wrong encoding shows.
const WORDS = [
  'Amélie',
  'Das Boot – Director’s Cut',
  '千と千尋の神隠し',
  'Леон',
  'Ça tourne',
  'Crème brûlée 🎬',
  'Ωmega',
  'Smørrebrød',
  'naïve café',
  'O’Brien',
];

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const WORD_ARRAY = `ARRAY[${WORDS.map(sqlString).join(', ')}]::text[]`;
/** The i-th word (1-based, cycling). */
const word = (i: string) => `(${WORD_ARRAY})[1 + (${i}) % ${WORDS.length}]`;

/**
 * The statements that create the sample schemas and tables and fill each with `rowsPerTable` rows,
 * in one transaction. Run it on an empty database (psql -v ON_ERROR_STOP=1 -f -).
 */
export function sampleDataSql({ rowsPerTable }: SampleDataOptions): string {
  if (!Number.isInteger(rowsPerTable) || rowsPerTable < 1)
    throw new Error(`rowsPerTable must be a whole number of at least 1, not ${rowsPerTable}`);
  const n = rowsPerTable;
  return `BEGIN;
SET LOCAL client_encoding = 'UTF8';
${SAMPLE_SCHEMAS.map((s) => `CREATE SCHEMA ${s};`).join('\n')}

CREATE TABLE shared.users (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  email text UNIQUE,
  created_at timestamptz NOT NULL,
  settings jsonb,
  avatar bytea
);
INSERT INTO shared.users (name, email, created_at, settings, avatar)
SELECT ${word('i')} || ' #' || i,
       CASE WHEN i % 7 = 0 THEN NULL ELSE 'user' || i || '@example.test' END,
       timestamptz '2024-01-01 00:00:00+00' + i * interval '37 minutes 11.125 seconds',
       CASE WHEN i % 5 = 0 THEN NULL
            ELSE jsonb_build_object('theme', CASE WHEN i % 2 = 0 THEN 'dark' ELSE 'light' END,
                                    'languages', jsonb_build_array('de', 'ja', ${word('i + 3')}),
                                    'volume', (i % 11) / 10.0) END,
       CASE WHEN i % 3 = 0 THEN NULL ELSE decode(md5('avatar' || i), 'hex') || '\\x00ff00'::bytea END
FROM generate_series(1, ${n}) AS i ORDER BY i;

CREATE TABLE movie.movies (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title text NOT NULL,
  original_title text,
  release_date date,
  runtime_minutes integer,
  rating numeric(4, 2),
  budget numeric(14, 2),
  metadata jsonb NOT NULL,
  added_at timestamptz NOT NULL
);
INSERT INTO movie.movies (title, original_title, release_date, runtime_minutes, rating, budget, metadata, added_at)
SELECT ${word('i * 3')} || ' ' || i,
       CASE WHEN i % 4 = 0 THEN NULL ELSE ${word('i + 1')} END,
       date '1950-01-01' + (i * 13) % 27000,
       CASE WHEN i % 9 = 0 THEN NULL ELSE 80 + i % 100 END,
       (i % 1000) / 100.0,
       CASE WHEN i % 6 = 0 THEN NULL ELSE 1000000.25 * (i % 250) END,
       jsonb_build_object('tmdb_id', 1000 + i, 'genres', jsonb_build_array(${word('i')}, ${word('i + 5')}),
                          'adult', i % 13 = 0, 'nested', jsonb_build_object('λ', i % 17, 'note', null)),
       timestamptz '2023-06-01 12:00:00+02' + i * interval '1 hour 1.5 seconds'
FROM generate_series(1, ${n}) AS i ORDER BY i;

CREATE TABLE movie.watch_history (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES shared.users (id),
  movie_id integer NOT NULL REFERENCES movie.movies (id) ON DELETE CASCADE,
  watched_at timestamptz NOT NULL,
  progress numeric(5, 2) NOT NULL,
  note text
);
CREATE INDEX watch_history_user ON movie.watch_history (user_id, watched_at);
INSERT INTO movie.watch_history (user_id, movie_id, watched_at, progress, note)
SELECT 1 + (i * 7) % ${n}, 1 + (i * 11) % ${n},
       timestamptz '2025-02-28 23:59:59.999999+00' - i * interval '17 minutes',
       (i % 10001) / 100.0,
       CASE WHEN i % 2 = 0 THEN NULL ELSE ${word('i + 7')} || E'\\nline two\\ttab' END
FROM generate_series(1, ${n}) AS i ORDER BY i;

CREATE TABLE public.app_settings (
  key text PRIMARY KEY,
  value jsonb,
  updated_at timestamptz
);
INSERT INTO public.app_settings (key, value, updated_at)
SELECT 'setting.' || lpad(i::text, 6, '0'),
       CASE WHEN i % 8 = 0 THEN NULL ELSE to_jsonb(${word('i')}) END,
       CASE WHEN i % 10 = 0 THEN NULL ELSE timestamptz '2022-12-31 23:00:00-05' + i * interval '1 day' END
FROM generate_series(1, ${n}) AS i ORDER BY i;

CREATE TABLE public.audit_log (
  id bigint PRIMARY KEY,
  actor_id bigint REFERENCES shared.users (id),
  action text NOT NULL,
  payload bytea NOT NULL,
  amount numeric,
  at timestamptz NOT NULL
);
INSERT INTO public.audit_log (id, actor_id, action, payload, amount, at)
SELECT i, CASE WHEN i % 4 = 0 THEN NULL ELSE 1 + i % ${n} END,
       (ARRAY['login', 'play', 'rate', 'délete'])[1 + i % 4],
       decode(lpad(to_hex(i), 8, '0'), 'hex') || convert_to(${word('i')}, 'UTF8'),
       CASE WHEN i % 3 = 0 THEN NULL ELSE 123456789.123456789 / i END,
       timestamptz '2020-02-29 00:00:00+00' + i * interval '1 minute'
FROM generate_series(1, ${n}) AS i ORDER BY i;
COMMIT;
`;
}

/** One statement that changes one row of DAMAGED_TABLE (its row count stays the same). */
export function damageSql(): string {
  return `UPDATE ${DAMAGED_TABLE} SET title = title || ' (damaged)' WHERE id = 1;`;
}
