// The architecture's import boundaries, checked by `npm run lint` (depcruise) and proven by
// lint/boundaries.test.ts. Paths are relative to the repository root.

/** The `electron` package (resolved into node_modules), not this repository's electron/ folder. */
const electronPackage = '(^|/)node_modules/electron/';
/** Everything that is not the domain: core must not know who calls it or how. */
const outerLayers = '^electron/(api|transport|main|preload|cli)/';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'electron-only-in-shell',
      comment: 'Only electron/main and electron/preload may import electron; everything else runs in plain Node.',
      severity: 'error',
      from: { pathNot: '^electron/(main|preload)/' },
      to: { path: electronPackage },
    },
    {
      name: 'renderer-no-node-builtins',
      comment: 'The renderer runs in a browser; it talks to the main process only through the contract.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-not-to-electron',
      comment: 'The renderer talks to the main process only through the contract (shared/).',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^electron/' },
    },
    {
      name: 'core-not-to-outer-layers',
      comment: 'electron/core is the domain: api, transport, main, preload and cli call it, never the other way.',
      severity: 'error',
      from: { path: '^electron/core/' },
      to: { path: outerLayers },
    },
    {
      name: 'not-to-renderer',
      comment: 'The main process and the shared contract never depend on the renderer.',
      severity: 'error',
      from: { path: '^(electron|shared)/' },
      to: { path: '^renderer/' },
    },
    {
      name: 'shared-not-to-electron',
      comment: 'shared/ is used by both sides, so it cannot depend on the main process.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^electron/' },
    },
    {
      name: 'shared-no-node-builtins',
      comment: 'shared/ also runs in the renderer (a browser), so it cannot use Node built-ins.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-screens-read-through-hooks',
      comment:
        "A feature's components get their data from its use-*.ts hooks, never from invoke or React Query directly.",
      severity: 'error',
      from: { path: '^renderer/src/features/[^/]+/.+[.]tsx$' },
      to: { path: ['^renderer/src/lib/api-client[.]ts$', '(^|/)node_modules/@tanstack/react-query/'] },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles make load order matter and layers blur; move the shared piece into its own module.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Type-only imports count: a boundary is about what a module knows, not what survives compilation.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    detectProcessBuiltinModuleCalls: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)lint/fixtures/' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts', '.json'] },
  },
};
