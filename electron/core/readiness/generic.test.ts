/**
 * Stack knowledge lives in the stack: the scorecard, the dashboards, the Leaders screen and the
 * generic modules they use read a stack's signals and contracts and name no stack, component,
 * setting, metric or port of their own. Test files are left out; everything else is read.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const GENERIC = [
  'electron/core/readiness',
  'electron/core/metrics',
  'electron/core/leaders',
  'electron/api/leader-handlers.ts',
  'shared/leader-schemas.ts',
  'renderer/src/features/leaders',
  'electron/core/swarm/revisions.ts',
  'electron/api/deploy-handlers.ts',
  'shared/deploy-schemas.ts',
  'shared/readiness-schemas.ts',
];

/** What only a stack may say: its name, its programs' settings, metrics, components and ports. */
const FORBIDDEN: [RegExp, string][] = [
  [/revenge/i, 'the Revenge stack'],
  [/REVENGE_|revenge_/, "Revenge's settings or metric names"],
  [/['"`]api['"`]/, "a component named 'api'"],
  [/['"`](frontend|objectstore|cache|web)['"`]/, 'a component name'],
  [/dragonfly|typesense|lusoris/i, "a Revenge component's program"],
  // 'postgres-table' (PostgresTableLeader) is a kind of leader source and PostgreSQL a kind of
  // database, not a stack's component.
  [/postgres(?!-table|TableLeader|ql)/i, 'a database component'],
  [/river_leader|revenge-jobs/, "Revenge's leader"],
  [/\b(8096|9096)\b/, "Revenge's ports"],
];

function files(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full).flatMap((name) => files(join(path, name)));
}

describe('generic code names no stack', () => {
  // Test files and test fixtures (testing/) are the tests' own stacks.
  const sources = GENERIC.flatMap(files).filter(
    (f) => /\.(ts|tsx)$/.test(f) && !/\.test\.tsx?$/.test(f) && !/\/testing\//.test(f),
  );

  it('reads the files it is meant to', () => {
    expect(sources.length).toBeGreaterThan(20);
    expect(sources.map((f) => relative(ROOT, f))).toContain('electron/core/readiness/kube-checks/state.ts');
  });

  it('finds no stack name, setting, metric, component or port in them', () => {
    const found: string[] = [];
    for (const file of sources) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, n) => {
          for (const [pattern, what] of FORBIDDEN) {
            if (pattern.test(line)) found.push(`${relative(ROOT, file)}:${n + 1}: ${what}: ${line.trim()}`);
          }
        });
    }
    expect(found).toEqual([]);
  });
});
