/**
 * From zero to something: `npm start` without Electron's binary says what to do in one line;
 * `serve --sandbox` starts a sandbox with a demo workload and prints the `export KUBECONFIG=...`
 * line with which kubectl and `homeport contexts` see the contexts the UI shows.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSettingsStore } from '../core/storage/settings';
import { main } from './index';
import { runServe } from './serve-command';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `homeport-${name}-`));

async function start(env: NodeJS.ProcessEnv, args: string[] = []) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin', 'start.js'), ...args], {
      env: { ...process.env, ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm start without Electron's binary", () => {
  it("says in one line that Electron's binary is missing and what to do, exit 1", async () => {
    // electron's own override of where its binary is: an empty directory has none.
    const r = await start({ ELECTRON_OVERRIDE_DIST_PATH: tempDir('no-electron') });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "Electron's binary is not installed: run `npm rebuild electron` with network access, or use `npm run serve` for web mode\n",
    );
  });

  it('finds the binary when it is there', async () => {
    const dist = tempDir('electron-dist');
    writeFileSync(join(dist, 'electron'), '');
    const r = await start({ ELECTRON_OVERRIDE_DIST_PATH: dist }, ['--check']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(join(dist, 'electron'));
  });
});

const homeConfig = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: 'nas', cluster: { server: 'https://10.0.0.5:6443' } }],
  users: [{ name: 'admin', user: { token: 'x' } }],
  contexts: [{ name: 'nas-k3s', context: { cluster: 'nas', user: 'admin' } }],
});

describe('homeport serve --sandbox', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('prints the export KUBECONFIG line; kubectl and homeport contexts then see what the UI shows, demo pods included', async () => {
    const dataDir = tempDir('first-run');
    const added = join(tempDir('added-kubeconfig'), 'config');
    writeFileSync(added, homeConfig);
    await createSettingsStore(dataDir).update((s) => ({ ...s, kubeconfigFiles: [added] }));
    vi.stubEnv('KUBECONFIG', join(dataDir, 'no-such-kubeconfig'));
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation(() => {});

    let exported = '';
    let contexts = '';
    let demoPods = '';
    const code = await runServe({ port: '0', 'data-dir': dataDir, sandbox: true }, async () => {
      const line = out.find((l) => l.startsWith('export KUBECONFIG='));
      exported = line?.slice('export KUBECONFIG='.length) ?? '';
      vi.stubEnv('KUBECONFIG', exported);
      await main(['contexts', '--data-dir', dataDir]);
      contexts = out.join('\n');
      const kubectl = async (...args: string[]) =>
        (await run('kubectl', args, { env: { ...process.env, KUBECONFIG: exported }, timeout: 20_000 })).stdout;
      expect(await kubectl('config', 'get-contexts', '-o', 'name')).toMatch(
        /homeport-sandbox[\s\S]*nas-k3s|nas-k3s[\s\S]*homeport-sandbox/,
      );
      await vi.waitFor(
        async () => {
          demoPods = await kubectl('--context', 'homeport-sandbox', 'get', 'pods', '-n', 'demo', '--no-headers');
          expect(demoPods.match(/Running/g)?.length).toBe(2);
        },
        { timeout: 30_000, interval: 500 },
      );
    });
    expect(code).toBe(0);
    expect(exported.split(':')).toEqual([
      join(dataDir, 'no-such-kubeconfig'),
      added,
      join(dataDir, 'sandbox.kubeconfig'),
    ]);
    expect(contexts).toMatch(/\bhomeport-sandbox\b/);
    expect(contexts).toMatch(/\bnas-k3s\b/);
    expect(demoPods).toMatch(/^hello-/m);
  }, 60_000);

  it('--no-demo starts the sandbox empty', async () => {
    const dataDir = tempDir('first-run-empty');
    vi.stubEnv('KUBECONFIG', join(dataDir, 'no-such-kubeconfig'));
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    let namespaces = '';
    const code = await runServe({ port: '0', 'data-dir': dataDir, sandbox: true, 'no-demo': true }, async () => {
      const kubeconfig = join(dataDir, 'sandbox.kubeconfig');
      namespaces = (await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'namespaces', '-o', 'name'])).stdout;
    });
    expect(code).toBe(0);
    expect(namespaces).toContain('namespace/default');
    expect(namespaces).not.toContain('namespace/demo');
  }, 60_000);
});
