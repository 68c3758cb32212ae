/**
 * Revenge deployed to the sandbox, whose kubelet runs its images as their upstream contracts say:
 * the corrected stack becomes healthy; the same deploy with one mistake of the earlier shape put
 * back (a probe path, the config file's place) fails, naming the component and the reason.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutStatus } from '@shared/deploy-schemas';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../../sandbox/index';
import { loadKubeconfig } from '../clusters/kubeconfig';
import { resolveConnection, type KubeConnection } from '../kube/kube-connection';
import { createKubeGateway } from '../kube/kube-gateway';
import { createStackCatalog } from '../stacks/catalog';
import type { StackDefinition } from '../stacks/model';
import { revenge } from '../stacks/revenge-stack';
import { revengeWith } from '../stacks/testing/revenge-variants';
import { createDeployEngine } from './engine';

let sandbox: Sandbox;
let conn: KubeConnection;
let kubeconfig: string;
const run = promisify(execFile);

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-faithful-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  conn = await resolveConnection(await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]), SANDBOX_CONTEXT);
});
afterAll(async () => sandbox?.close());

async function deploy(def: StackDefinition, namespace: string, until: (s: RolloutStatus) => boolean) {
  const engine = createDeployEngine({
    openGateway: async () => createKubeGateway(conn),
    catalog: createStackCatalog([def]),
  });
  const ref = { context: SANDBOX_CONTEXT, namespace, stack: 'revenge' };
  await engine.apply({ ...ref, values: { nfs: { server: '10.0.0.20', path: '/srv/media' } }, prune: false });
  const deadline = Date.now() + 30_000;
  let last: RolloutStatus = await engine.rolloutStatus(ref);
  while (!until(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 150));
    last = await engine.rolloutStatus(ref);
  }
  return last;
}

describe('Revenge on a sandbox that runs its images as their contracts say', () => {
  it('the corrected stack becomes healthy', async () => {
    const s = await deploy(revenge as StackDefinition, 'right', (x) => x.state !== 'progressing');
    expect(s.state, JSON.stringify(s)).toBe('healthy');
  }, 60_000);

  it('a startup probe on /health/startup (the earlier shape) never lets the API start, and says why', async () => {
    const wrong = revengeWith((api) => {
      api.probes.startup = {
        check: { type: 'http', path: '/health/startup', port: 8096 },
        periodSeconds: 1,
        failureThreshold: 2,
      };
    });
    const s = await deploy(wrong, 'probe', (x) =>
      /404/.test(x.workloads.find((w) => w.name === 'revenge')?.message ?? ''),
    );
    const api = s.workloads.find((w) => w.name === 'revenge');
    expect(api?.ready).toBe(0);
    expect(api?.message).toMatch(/Startup probe failed: HTTP probe failed with statuscode: 404/);
  }, 60_000);

  it('the config file somewhere Revenge does not read it crash-loops the API, naming the setting', async () => {
    const wrong = revengeWith((api) => {
      api.files = (api.files ?? []).map((f) => ({ ...f, path: '/config/config.yaml' }));
    });
    const s = await deploy(wrong, 'config', (x) => x.state === 'failed');
    expect(s.state).toBe('failed');
    expect(s.failed?.component).toBe('revenge');
    expect(s.failed?.reason).toMatch(/CrashLoopBackOff/);
    // The program's own words are in its log, as kubectl shows them.
    const { stdout } = await run('kubectl', [
      '--kubeconfig',
      kubeconfig,
      'logs',
      '-n',
      'config',
      '-l',
      'app.kubernetes.io/name=revenge',
    ]);
    expect(stdout).toMatch(/Error: database\.url must name postgres:5432, not localhost:5432/);
  }, 60_000);
});
