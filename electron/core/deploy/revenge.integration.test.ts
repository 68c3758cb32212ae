/** The Revenge stack from the real catalog, deployed to the sandbox end to end. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../../sandbox/index';
import { loadKubeconfig } from '../clusters/kubeconfig';
import { resolveConnection, type KubeConnection } from '../kube/kube-connection';
import { createKubeGateway, type KubeGateway } from '../kube/kube-gateway';
import { createStackCatalog } from '../stacks/catalog';
import { createDeployEngine, type DeployEngine } from './engine';

const run = promisify(execFile);
let sandbox: Sandbox;
let conn: KubeConnection;
let kubeconfig: string;
let gateway: KubeGateway;
let engine: DeployEngine;
const ref = { context: SANDBOX_CONTEXT, namespace: 'media', stack: 'revenge' };

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`not reached; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Obj = { metadata: { name: string }; data?: Record<string, string> };
const names = async (path: string) =>
  (await gateway.getJson<{ items: Obj[] }>(path)).items.map((o) => o.metadata.name).sort();

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-revenge-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  conn = await resolveConnection(await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]), SANDBOX_CONTEXT);
  gateway = createKubeGateway(conn);
  engine = createDeployEngine({
    openGateway: async () => createKubeGateway(conn),
    catalog: createStackCatalog(),
  });
});

afterAll(async () => {
  gateway?.close();
  await sandbox?.close();
});

describe('the Revenge stack on the sandbox', () => {
  it('deploys, becomes healthy, redeploys with no change, and uninstalls keeping its claims', async () => {
    const first = await engine.apply({ ...ref, values: {}, prune: false });
    expect(first.revision).toBe(1);
    expect(first.plan.items.every((i) => i.action === 'create')).toBe(true);

    const healthy = await until(
      () => engine.rolloutStatus(ref),
      (s) => s.state === 'healthy',
    );
    expect(healthy.workloads.map((w) => `${w.kind}/${w.name} ${w.ready}/${w.desired}`).sort()).toEqual([
      'Deployment/dragonfly 1/1',
      'Deployment/frontend 2/2',
      'Deployment/revenge 1/1',
      'StatefulSet/objectstore 1/1',
      'StatefulSet/postgres 1/1',
      'StatefulSet/typesense 1/1',
    ]);

    const secretPath = '/api/v1/namespaces/media/secrets/revenge-secrets';
    const before = await gateway.getJson<Obj>(secretPath);
    expect(Object.keys(before.data ?? {})).toEqual(
      expect.arrayContaining(['database-password', 'jwt-secret', 'search-api-key']),
    );
    // The config file was assembled from the generated keys: the same password the database gets.
    const decode = (o: Obj, key: string) => Buffer.from(o.data?.[key] ?? '', 'base64').toString();
    const config = await gateway.getJson<Obj>('/api/v1/namespaces/media/secrets/revenge-config');
    const yaml = decode(config, 'config.yaml');
    expect(yaml).not.toContain('{{');
    expect(yaml).toContain(`postgres://revenge:${decode(before, 'database-password')}@postgres:5432/revenge?`);
    expect(yaml).toMatch(/encryption_key: "[0-9a-f]{64}"/);
    expect(decode(config, 'typesense.ini')).toContain(`api-key = ${decode(before, 'search-api-key')}`);
    const again = await engine.apply({ ...ref, values: {}, prune: true });
    expect(again.plan.items.filter((i) => i.action !== 'unchanged')).toEqual([]);
    expect(again.pruned).toEqual([]);
    expect((await gateway.getJson<Obj>(secretPath)).data).toEqual(before.data);
    expect((await gateway.getJson<Obj>('/api/v1/namespaces/media/secrets/revenge-config')).data).toEqual(config.data);

    const { stdout } = await run('kubectl', [
      '--kubeconfig',
      kubeconfig,
      'get',
      'deploy',
      '-n',
      'media',
      '-l',
      'homeport.dev/stack=revenge',
      '-o',
      'name',
    ]);
    expect(stdout.trim().split('\n').sort()).toEqual([
      'deployment.apps/dragonfly',
      'deployment.apps/frontend',
      'deployment.apps/revenge',
    ]);

    const claims = await names('/api/v1/namespaces/media/persistentvolumeclaims');
    expect(claims).toContain('revenge-media');
    expect(claims.length).toBeGreaterThan(1);
    const removed = await engine.uninstall({ ...ref, deleteClaims: false });
    expect(removed.kept).toEqual(expect.arrayContaining(claims.map((c) => `PersistentVolumeClaim/${c}`)));
    expect(await names('/apis/apps/v1/namespaces/media/deployments')).toEqual([]);
    expect(await names('/apis/apps/v1/namespaces/media/statefulsets')).toEqual([]);
    expect(await names('/api/v1/namespaces/media/persistentvolumeclaims')).toEqual(claims);
    expect(await engine.revisions(ref)).toEqual([]);
  });
});
