/**
 * A user stack from a compose file deployed to the sandbox (the simulated k3s) exactly like a
 * catalog stack, with the sandbox's kubelet running each image as its derived contract says: the
 * proxy answers its health check's URL, the wiki its port, the database pg_isready.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../../sandbox/index';
import { loadKubeconfig } from '../clusters/kubeconfig';
import { createDeployEngine, type DeployEngine } from '../deploy/engine';
import { resolveConnection, type KubeConnection } from '../kube/kube-connection';
import { createKubeGateway, type KubeGateway } from '../kube/kube-gateway';
import { builtinStacks, createStackCatalog } from '../stacks/catalog';
import { userStackDefinition } from './definition';
import { composeDocument } from './testing/fixtures';

const def = userStackDefinition(composeDocument('wiki-proxy'));
const ref = { context: SANDBOX_CONTEXT, namespace: 'wiki', stack: 'wiki-proxy' };
let sandbox: Sandbox;
let conn: KubeConnection;
let gateway: KubeGateway;
let engine: DeployEngine;

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`not reached; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05, contracts: def.contracts });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-compose-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  conn = await resolveConnection(await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]), SANDBOX_CONTEXT);
  gateway = createKubeGateway(conn);
  engine = createDeployEngine({
    openGateway: async () => createKubeGateway(conn),
    catalog: createStackCatalog([...builtinStacks, def]),
  });
});

afterAll(async () => {
  gateway?.close();
  await sandbox?.close();
});

describe('the wiki behind a proxy on the sandbox', () => {
  it('deploys, becomes healthy, redeploys unchanged, scales, rolls back and uninstalls', async () => {
    const first = await engine.apply({ ...ref, values: {}, prune: false });
    expect(first.revision).toBe(1);
    expect(first.plan.items.every((i) => i.action === 'create')).toBe(true);
    const healthy = await until(
      () => engine.rolloutStatus(ref),
      (s) => s.state === 'healthy',
    );
    expect(healthy.workloads.map((w) => `${w.kind}/${w.name} ${w.ready}/${w.desired}`).sort()).toEqual([
      'Deployment/db 1/1',
      'Deployment/proxy 1/1',
      'Deployment/wiki 1/1',
    ]);
    const secret = await gateway.getJson<{ data?: Record<string, string> }>(
      '/api/v1/namespaces/wiki/secrets/wiki-proxy-secrets',
    );
    expect(Buffer.from(secret.data?.wiki_db_password ?? '', 'base64').toString()).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const again = await engine.apply({ ...ref, values: {}, prune: true });
    expect(again.plan.items.filter((i) => i.action !== 'unchanged')).toEqual([]);

    await engine.apply({ ...ref, values: { services: { wiki: { replicas: 2 } } }, prune: true });
    await until(
      () => engine.rolloutStatus(ref),
      (s) => s.state === 'healthy' && s.workloads.find((w) => w.name === 'wiki')?.ready === 2,
    );
    const back = await engine.rollback({ ...ref, revision: 1 });
    expect(back.revision).toBe(4);
    await until(
      () => engine.rolloutStatus(ref),
      (s) => s.state === 'healthy' && s.workloads.find((w) => w.name === 'wiki')?.desired === 1,
    );
    expect((await engine.revisions(ref)).map((r) => [r.revision, r.current])).toEqual([
      [4, true],
      [3, false],
      [2, false],
      [1, false],
    ]);
    await engine.uninstall({ ...ref, deleteClaims: true });
    await until(
      () => engine.rolloutStatus(ref),
      (s) => s.workloads.length === 0,
    );
  }, 120_000);
});
