import { resolve } from 'node:path';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..');

/** Cruises one fixture tree (laid out like the repository) with the repository's own rules. */
async function violationsIn(tree: 'bad' | 'clean'): Promise<IViolation[]> {
  const root = resolve(import.meta.dirname, 'fixtures', tree);
  const tsConfig = { fileName: resolve(root, 'tsconfig.json') };
  const options = await extractDepcruiseOptions(resolve(repo, '.dependency-cruiser.mjs'));
  const { output } = await cruise(
    ['.'],
    { ...options, tsConfig, baseDir: root },
    {},
    { tsConfig: extractTSConfig(tsConfig.fileName) },
  );
  const result = output as ICruiseResult;
  const unresolved = result.modules.flatMap((m) =>
    m.dependencies.filter((d) => d.couldNotResolve).map((d) => `${m.source} -> ${d.module}`),
  );
  // A fixture import that resolves nowhere would make a rule look satisfied for the wrong reason.
  expect(unresolved).toEqual([]);
  return result.summary.violations;
}

/** A package by its name, not by the file inside it that resolution happened to pick. */
const packageOf = (to: string) => to.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+)\/.*$/, 'package $1');
const ELECTRON = 'package electron';
const REACT_QUERY = 'package @tanstack/react-query';

describe('import boundaries (.dependency-cruiser.mjs)', () => {
  let bad: IViolation[];
  beforeAll(async () => {
    bad = await violationsIn('bad');
  });

  it('reports every forbidden import in the bad fixtures, and nothing else', () => {
    const edges = bad
      .filter((v) => v.rule.name !== 'no-circular')
      .map((v) => `${v.rule.name}: ${v.from} -> ${packageOf(v.to)}`)
      .sort();
    expect(edges).toEqual(
      [
        // The renderer: no electron, no Node built-ins (with or without node:, static or lazy), no electron/.
        `electron-only-in-shell: renderer/src/imports-electron.ts -> ${ELECTRON}`,
        'renderer-no-node-builtins: renderer/src/imports-fs.ts -> fs',
        'renderer-no-node-builtins: renderer/src/imports-node-path.ts -> path',
        'renderer-no-node-builtins: renderer/src/imports-child-process-lazily.ts -> child_process',
        'renderer-not-to-electron: renderer/src/imports-main-process.ts -> electron/api/handlers.ts',
        'renderer-not-to-electron: renderer/src/imports-main-process-types.ts -> electron/core/deadline.ts',
        // Core: none of the layers that call it, and no electron.
        'core-not-to-outer-layers: electron/core/imports-outer-layers.ts -> electron/api/handlers.ts',
        'core-not-to-outer-layers: electron/core/imports-outer-layers.ts -> electron/cli/entry.ts',
        'core-not-to-outer-layers: electron/core/imports-outer-layers.ts -> electron/main/window.ts',
        'core-not-to-outer-layers: electron/core/imports-outer-layers.ts -> electron/preload/index.ts',
        'core-not-to-outer-layers: electron/core/imports-outer-layers.ts -> electron/transport/http.ts',
        `electron-only-in-shell: electron/core/imports-electron.ts -> ${ELECTRON}`,
        // electron outside electron/main and electron/preload, even as a type.
        `electron-only-in-shell: electron/api/imports-electron.ts -> ${ELECTRON}`,
        `electron-only-in-shell: shared/imports-electron-package.ts -> ${ELECTRON}`,
        // Nothing depends on the renderer; shared depends on neither electron/ nor Node.
        'not-to-renderer: electron/sandbox/imports-renderer.ts -> renderer/src/Screen.tsx',
        'not-to-renderer: shared/imports-renderer.ts -> renderer/src/Screen.tsx',
        'shared-not-to-electron: shared/imports-electron-dir.ts -> electron/core/deadline.ts',
        'shared-no-node-builtins: shared/imports-builtins.ts -> crypto',
        'shared-no-node-builtins: shared/imports-builtins.ts -> events',
        // A feature's components read through its hooks.
        'renderer-screens-read-through-hooks: renderer/src/features/pods/PodsScreen.tsx -> renderer/src/lib/api-client.ts',
        `renderer-screens-read-through-hooks: renderer/src/features/pods/PodsScreen.tsx -> ${REACT_QUERY}`,
        'renderer-screens-read-through-hooks: renderer/src/features/readiness/ReadinessScreen.tsx -> renderer/src/lib/api-client.ts',
      ].sort(),
    );
  });

  it('reports every import cycle: runtime, closed by a type import, and through the @shared alias', () => {
    const cycles = bad
      .filter((v) => v.rule.name === 'no-circular')
      .map((v) => [...new Set([v.from, ...(v.cycle ?? []).map((c) => c.name)])].sort().join(' '));
    expect([...new Set(cycles)].sort()).toEqual([
      'electron/core/kube/hub.ts electron/core/kube/watch.ts',
      'renderer/src/cycle-a.ts renderer/src/cycle-b.ts',
      'shared/cycle-1.ts shared/cycle-2.ts shared/cycle-3.ts',
    ]);
  });

  it('passes a tree that keeps every boundary (electron in main and preload, Node in core and cli)', async () => {
    expect(await violationsIn('clean')).toEqual([]);
  });
});
