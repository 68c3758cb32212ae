/**
 * The sandbox's kubeconfig says what runs its pods, and the context list carries it so the UI can
 * say "sandbox (Docker runtime)" where exec and port-forward reach real containers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sandboxLabel } from '@shared/contract';
import { startSandbox, type Sandbox } from '../../sandbox';
import { summarize } from './clusters-service';
import { loadKubeconfig } from './kubeconfig';

function withExtension(extension: unknown): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'cl',
        cluster: { server: 'https://127.0.0.1:6443', extensions: [{ name: 'homeport.dev/sandbox', extension }] },
      },
      { name: 'plain', cluster: { server: 'https://10.0.0.1:6443' } },
    ],
    users: [{ name: 'u', user: { token: 't' } }],
    contexts: [
      { name: 'sandbox', context: { cluster: 'cl', user: 'u' } },
      { name: 'other', context: { cluster: 'plain', user: 'u' } },
    ],
  });
}

async function contexts(config: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'homeport-sbx-label-')), 'config');
  writeFileSync(file, config);
  const list = summarize(await loadKubeconfig([{ path: file, origin: 'added' }]), []);
  return Object.fromEntries(list.contexts.map((c) => [c.name, c]));
}

let sandbox: Sandbox | undefined;
afterAll(() => sandbox?.close());

describe('the sandbox runtime in a kubeconfig', () => {
  it('reads docker, simulated, and the marker older versions wrote, and labels each', async () => {
    const docker = await contexts(withExtension({ runtime: 'docker' }));
    expect(docker.sandbox).toMatchObject({ simulated: true, sandboxRuntime: 'docker' });
    expect(sandboxLabel(docker.sandbox!)).toBe('sandbox (Docker runtime)');
    expect(docker.other!.simulated).toBe(false);
    expect(docker.other!.sandboxRuntime).toBeUndefined();
    expect(sandboxLabel(docker.other!)).toBeUndefined();

    const simulated = await contexts(withExtension({ runtime: 'simulated' }));
    expect(simulated.sandbox).toMatchObject({ simulated: true, sandboxRuntime: 'simulated' });
    expect(sandboxLabel(simulated.sandbox!)).toBe('simulated');

    // Written before the runtime was recorded, or by a later version with a runtime unknown here.
    for (const old of [{ simulated: true }, { runtime: 'podman' }]) {
      const c = (await contexts(withExtension(old))).sandbox!;
      expect(c.sandboxRuntime).toBe('simulated');
      expect(sandboxLabel(c)).toBe('simulated');
    }
  });

  it('loads a cluster extension whose value is null, as kubectl does', async () => {
    const list = await contexts(withExtension(null));
    expect(Object.keys(list).sort()).toEqual(['other', 'sandbox']);
    expect(list.sandbox!.sandboxRuntime).toBe('simulated');
  });

  it('is written by the sandbox: simulated unless it runs pods on Docker', async () => {
    sandbox = await startSandbox({ speed: 0.05 });
    const list = await contexts(sandbox.kubeconfig());
    expect(Object.values(list).map((c) => [c.simulated, c.sandboxRuntime])).toEqual([[true, 'simulated']]);
  });
});
