/**
 * A Revenge deployed with the earlier (wrong) shape is planned and upgraded in place: the plan names
 * the renamed API objects and the Lease RBAC that go, and the data claims stay.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../../sandbox/index';
import { loadKubeconfig } from '../clusters/kubeconfig';
import { resolveConnection } from '../kube/kube-connection';
import { createKubeGateway, type KubeGateway } from '../kube/kube-gateway';
import { createStackCatalog } from '../stacks/catalog';
import oldShape from '../stacks/testing/revenge-v1.kubernetes.json';
import type { KubeObject } from '../stacks/types';
import { createDeployClient } from './client';
import { createDeployEngine, type DeployEngine } from './engine';
import { resourceOf } from './paths';

const ns = 'oldshape';
let sandbox: Sandbox;
let gateway: KubeGateway;
let engine: DeployEngine;

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-upgrade-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  const conn = await resolveConnection(
    await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]),
    SANDBOX_CONTEXT,
  );
  gateway = createKubeGateway(conn);
  engine = createDeployEngine({ openGateway: async () => createKubeGateway(conn), catalog: createStackCatalog() });
  // What an earlier Homeport applied (rendered by it into the namespace 'oldshape'), as it was.
  const client = createDeployClient(gateway);
  await gateway.request('/api/v1/namespaces', {
    method: 'POST',
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
  });
  for (const o of (oldShape as { objects: KubeObject[] }).objects) {
    const object =
      o.kind === 'Secret'
        ? {
            ...o,
            data: {
              'database-password': 'cHc=',
              'jwt-secret': 'and0',
              'search-api-key': 'a2V5',
              's3-access-key-id': 'aWQ=',
              's3-secret-access-key': 'c2s=',
            },
          }
        : o;
    await client.apply(await resourceOf(gateway, object), object, { dryRun: false });
  }
});

afterAll(async () => {
  gateway?.close();
  await sandbox?.close();
});

const names = async (path: string) =>
  (await gateway.getJson<{ items: { metadata: { name: string } }[] }>(path)).items.map((i) => i.metadata.name).sort();

describe('upgrading a Revenge of the earlier shape', () => {
  const ref = { context: SANDBOX_CONTEXT, namespace: ns, stack: 'revenge' };
  const values = { nfs: { server: '10.0.0.20', path: '/srv/media' } };

  it('plans the renamed API, the removed Lease RBAC and autoscaler, and keeps the data', async () => {
    const plan = await engine.plan({ ...ref, values });
    const by = (action: string) =>
      plan.items
        .filter((i) => i.action === action)
        .map((i) => `${i.kind}/${i.name}`)
        .sort();
    expect(by('prune')).toEqual(
      [
        'Deployment/api',
        'HorizontalPodAutoscaler/api',
        'NetworkPolicy/objectstore',
        'PodDisruptionBudget/api',
        'Role/api-leader-election',
        'RoleBinding/api-leader-election',
        'Service/api',
        'ServiceAccount/api',
      ].sort(),
    );
    expect(by('create')).toEqual(
      expect.arrayContaining(['Deployment/revenge', 'Secret/revenge-config', 'Service/revenge']),
    );
    // The database and search claims are the StatefulSets' own: never planned away.
    expect(plan.items.some((i) => i.kind === 'PersistentVolumeClaim' && i.action === 'prune')).toBe(false);
    expect(plan.items.find((i) => i.kind === 'StatefulSet' && i.name === 'postgres')?.action).toBe('update');
  });

  it('applies in place: the earlier objects go, the claims and the generated passwords stay', async () => {
    const claimsBefore = await names(`/api/v1/namespaces/${ns}/persistentvolumeclaims`);
    const secretBefore = await gateway.getJson<{ data: Record<string, string> }>(
      `/api/v1/namespaces/${ns}/secrets/revenge-secrets`,
    );
    const result = await engine.apply({ ...ref, values, prune: true });
    expect(result.pruned).toEqual(
      expect.arrayContaining(['Deployment/api', 'Service/api', 'Role/api-leader-election']),
    );
    expect(await names(`/apis/apps/v1/namespaces/${ns}/deployments`)).toEqual(['dragonfly', 'frontend', 'revenge']);
    expect(await names(`/api/v1/namespaces/${ns}/persistentvolumeclaims`)).toEqual(claimsBefore);
    const secretAfter = await gateway.getJson<{ data: Record<string, string> }>(
      `/api/v1/namespaces/${ns}/secrets/revenge-secrets`,
    );
    // The database password the data was created with is kept; only the new encryption key is added.
    expect(secretAfter.data['database-password']).toBe(secretBefore.data['database-password']);
    expect(Buffer.from(secretAfter.data['encryption-key'] ?? '', 'base64').toString()).toMatch(/^[0-9a-f]{64}$/);
  });
});
