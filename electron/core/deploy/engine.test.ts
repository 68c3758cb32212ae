import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanItem, RolloutStatus } from '@shared/deploy-schemas';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../../sandbox/index';
import { loadKubeconfig } from '../clusters/kubeconfig';
import { resolveConnection, type KubeConnection } from '../kube/kube-connection';
import { createKubeGateway, type KubeGateway } from '../kube/kube-gateway';
import { ValuesError } from '../stacks/values-error';
import { pollChanges } from '../poll-changes';
import { createDeployEngine, type DeployEngine } from './engine';
import { createFixtureCatalog, FIXTURE_STACK } from './testing/fixture-stack';

const run = promisify(execFile);
let sandbox: Sandbox;
let conn: KubeConnection;
let kubeconfig: string;
let gateway: KubeGateway;
let engine: DeployEngine;
let requests = 0;
let opened = 0;

const ns = 'demo';
const ref = { context: SANDBOX_CONTEXT, namespace: ns, stack: FIXTURE_STACK };
const defaults = { replicas: 1, image: 'nginx:1.27', adminUser: 'admin', extraConfig: true };

/** A gateway that counts every request it makes. */
function countingGateway(): KubeGateway {
  const g = createKubeGateway(conn);
  return {
    ...g,
    request: <T>(...args: Parameters<KubeGateway['request']>) => {
      requests++;
      return g.request<T>(...args);
    },
    getJson: <T>(...args: Parameters<KubeGateway['getJson']>) => {
      requests++;
      return g.getJson<T>(...args);
    },
    listAll: <T>(...args: Parameters<KubeGateway['listAll']>) => {
      requests++;
      return g.listAll<T>(...args);
    },
  };
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`not reached; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

/** Follows the rollout (polled like the deploy use cases do) until `done`; returns every status emitted. */
function watchUntil(r: typeof ref, done: (s: RolloutStatus) => boolean, timeoutMs = 10_000) {
  return new Promise<RolloutStatus[]>((resolve, reject) => {
    const seen: RolloutStatus[] = [];
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`rollout not reached; last: ${JSON.stringify(seen.at(-1))}`));
    }, timeoutMs);
    const stop = pollChanges(
      () => engine.rolloutStatus(r),
      (s: RolloutStatus) => {
        seen.push(s);
        if (done(s)) {
          clearTimeout(timer);
          stop();
          resolve(seen);
        }
      },
      { intervalMs: 30 },
    );
  });
}

type Obj = { metadata: { name: string; labels?: Record<string, string> }; data?: Record<string, string> };
const get = (path: string) => gateway.getJson<Obj>(path);
const exists = (path: string) =>
  get(path).then(
    () => true,
    (err: { status?: number }) => {
      if (err.status === 404) return false;
      throw err;
    },
  );
const names = async (path: string) =>
  (await gateway.getJson<{ items: Obj[] }>(path)).items.map((o) => o.metadata.name).sort();
const withoutYaml = (i: PlanItem) => ({ ...i, live: undefined, desired: undefined });
const secretPath = `/api/v1/namespaces/${ns}/secrets/demo-secrets`;
const deployPath = `/apis/apps/v1/namespaces/${ns}/deployments/demo-web`;

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-deploy-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  const config = await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]);
  conn = await resolveConnection(config, SANDBOX_CONTEXT);
  gateway = createKubeGateway(conn);
  let n = 0;
  engine = createDeployEngine({
    openGateway: async () => {
      opened++;
      return countingGateway();
    },
    catalog: createFixtureCatalog(),
    now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, n++)),
  });
});

afterAll(async () => {
  gateway?.close();
  await sandbox?.close();
});

describe('the deploy engine against the sandbox', () => {
  it('rejects invalid values with ValuesError naming each field, before any request', async () => {
    const before = { requests, opened };
    const bad = { ...ref, values: { replicas: 0, image: '' } };
    const err = await engine.plan(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValuesError);
    expect((err as ValuesError).issues.map((i) => i.path).sort()).toEqual(['image', 'replicas']);
    expect((err as ValuesError).message).toMatch(/replicas: .*image: |image: .*replicas: /);
    await expect(engine.apply({ ...bad, prune: true })).rejects.toBeInstanceOf(ValuesError);
    expect({ requests, opened }).toEqual(before);
  });

  it('deploys into a new namespace and the rollout reaches healthy with every workload ready', async () => {
    const plan = await engine.plan({ ...ref, values: {} });
    expect(plan.revision).toBe(1);
    expect(plan.items[0]).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      name: ns,
      action: 'create',
      changedFields: [],
    });
    expect(plan.items.every((i) => i.action === 'create')).toBe(true);
    expect(await exists(`/api/v1/namespaces/${ns}`)).toBe(false);

    const result = await engine.apply({ ...ref, values: {}, prune: false });
    expect(result.revision).toBe(1);
    expect(requests).toBeGreaterThan(0);
    expect(result.plan.items.map((i) => `${i.kind}/${i.name}`)).toEqual([
      `Namespace/${ns}`,
      'Secret/demo-secrets',
      'ConfigMap/demo-extra',
      `PersistentVolume/demo-media-${ns}`,
      'PersistentVolumeClaim/demo-media',
      'Deployment/demo-web',
      'StatefulSet/demo-db',
      'Service/demo-web',
      'HorizontalPodAutoscaler/demo-web',
    ]);
    const secret = await get(secretPath);
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['api-key', 'db-password', 'username']);
    expect(Buffer.from(secret.data?.['db-password'] ?? '', 'base64').toString()).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const statuses = await watchUntil(ref, (s) => s.state === 'healthy');
    const healthy = statuses.at(-1) as RolloutStatus;
    expect(healthy.workloads).toEqual([
      { kind: 'Deployment', name: 'demo-web', ready: 1, desired: 1 },
      { kind: 'StatefulSet', name: 'demo-db', ready: 1, desired: 1 },
    ]);
    expect(statuses.length).toBeGreaterThanOrEqual(1);
    expect(await engine.rolloutStatus(ref)).toEqual(healthy);

    // The pre-bound claim is Bound to the stack's volume; the StatefulSet made its own claim.
    await until(
      () =>
        gateway.getJson<{ status?: { phase?: string } }>(`/api/v1/namespaces/${ns}/persistentvolumeclaims/demo-media`),
      (c) => c.status?.phase === 'Bound',
    );
    expect(await names(`/api/v1/namespaces/${ns}/persistentvolumeclaims`)).toEqual(['data-demo-db-0', 'demo-media']);
  });

  it('shows the objects with their labels to kubectl', async () => {
    const { stdout } = await run(
      'kubectl',
      [
        '--kubeconfig',
        kubeconfig,
        'get',
        'deploy',
        '-n',
        ns,
        '-l',
        `homeport.dev/stack=${FIXTURE_STACK}`,
        '-o',
        'json',
      ],
      { timeout: 20_000 },
    );
    const list = JSON.parse(stdout) as { items: Obj[] };
    expect(list.items.map((d) => d.metadata.name)).toEqual(['demo-web']);
    expect(list.items[0]?.metadata.labels).toMatchObject({
      'homeport.dev/stack': FIXTURE_STACK,
      'app.kubernetes.io/managed-by': 'homeport',
      'app.kubernetes.io/name': 'demo-web',
    });
    const table = await run('kubectl', [
      '--kubeconfig',
      kubeconfig,
      'get',
      'deploy',
      '-n',
      ns,
      '-l',
      `homeport.dev/stack=${FIXTURE_STACK}`,
    ]);
    expect(table.stdout).toMatch(/demo-web\s+1\/1/);
  });

  it('redeploying unchanged values changes nothing and keeps the generated Secret values', async () => {
    const before = await get(secretPath);
    const plan = await engine.plan({ ...ref, values: defaults });
    expect(plan.revision).toBe(2);
    expect(plan.items.filter((i) => i.action !== 'unchanged').map(withoutYaml)).toEqual([]);
    const result = await engine.apply({ ...ref, values: defaults, prune: true });
    expect(result.revision).toBe(2);
    expect(result.pruned).toEqual([]);
    expect((await get(secretPath)).data).toEqual(before.data);
  });

  it('a changed value updates only the affected objects, naming the fields and never a Secret value', async () => {
    const values = { ...defaults, replicas: 2, adminUser: 'root-admin' };
    const plan = await engine.plan({ ...ref, values });
    // The YAML of each change is checked in readable-plan.test.ts; here, which objects and fields.
    const changed = plan.items.filter((i) => i.action !== 'unchanged').map(withoutYaml);
    expect(changed).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        name: 'demo-secrets',
        namespace: ns,
        action: 'update',
        changedFields: ['data.username'],
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'demo-web',
        namespace: ns,
        action: 'update',
        changedFields: ['spec.replicas'],
      },
    ]);
    const text = JSON.stringify(plan);
    expect(text).not.toContain('root-admin');
    expect(text).not.toContain(Buffer.from('root-admin').toString('base64'));
    const generated = (await get(secretPath)).data ?? {};
    for (const key of ['db-password', 'api-key']) expect(text).not.toContain(generated[key]);

    const result = await engine.apply({ ...ref, values, prune: false });
    expect(result.revision).toBe(3);
    const d = await gateway.getJson<{ spec: { replicas: number } }>(deployPath);
    expect(d.spec.replicas).toBe(2);
    expect((await get(secretPath)).data).toMatchObject({
      'db-password': generated['db-password'],
      'api-key': generated['api-key'],
    });
    await watchUntil(ref, (s) => s.state === 'healthy' && s.workloads[0]?.ready === 2);
  });

  it('an object no longer rendered is a prune item: left in place without prune, deleted with it', async () => {
    const values = { ...defaults, replicas: 2, adminUser: 'root-admin', extraConfig: false };
    const plan = await engine.plan({ ...ref, values });
    expect(plan.items.filter((i) => i.action !== 'unchanged').map(withoutYaml)).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'demo-extra', namespace: ns, action: 'prune', changedFields: [] },
    ]);
    const kept = await engine.apply({ ...ref, values, prune: false });
    expect(kept).toMatchObject({ revision: 4, pruned: [], leftOver: ['ConfigMap/demo-extra'] });
    expect(await exists(`/api/v1/namespaces/${ns}/configmaps/demo-extra`)).toBe(true);

    const pruned = await engine.apply({ ...ref, values, prune: true });
    expect(pruned).toMatchObject({ revision: 5, pruned: ['ConfigMap/demo-extra'], leftOver: [] });
    expect(await exists(`/api/v1/namespaces/${ns}/configmaps/demo-extra`)).toBe(false);
    // The StatefulSet's claim is not the stack's to prune.
    expect(await exists(`/api/v1/namespaces/${ns}/persistentvolumeclaims/data-demo-db-0`)).toBe(true);
  });

  it('lists revisions newest first and rolls back to revision 1', async () => {
    const secretBefore = (await get(secretPath)).data ?? {};
    const revisions = await engine.revisions(ref);
    expect(revisions.map((r) => [r.revision, r.current])).toEqual([
      [5, true],
      [4, false],
      [3, false],
      [2, false],
      [1, false],
    ]);
    expect(revisions[4]).toMatchObject({ values: defaults, objects: 8, appliedAt: '2026-01-01T00:00:00.000Z' });

    const result = await engine.rollback({ ...ref, revision: 1 });
    expect(result.revision).toBe(6);
    expect(
      result.plan.items.filter((i) => i.action !== 'unchanged').map((i) => `${i.action} ${i.kind}/${i.name}`),
    ).toEqual(['update Secret/demo-secrets', 'create ConfigMap/demo-extra', 'update Deployment/demo-web']);
    expect((await gateway.getJson<{ spec: { replicas: number } }>(deployPath)).spec.replicas).toBe(1);
    expect(await exists(`/api/v1/namespaces/${ns}/configmaps/demo-extra`)).toBe(true);
    const secret = (await get(secretPath)).data ?? {};
    expect(Buffer.from(secret.username ?? '', 'base64').toString()).toBe('admin');
    expect(secret['db-password']).toBe(secretBefore['db-password']);
    const after = await engine.revisions(ref);
    expect(after[0]).toMatchObject({ revision: 6, current: true, values: defaults });

    // The recorded manifest holds no generated secret values.
    const rev = await get(`/api/v1/namespaces/${ns}/secrets/homeport-rev-${FIXTURE_STACK}-1`);
    const { gunzipSync } = await import('node:zlib');
    const manifest = gunzipSync(Buffer.from(rev.data?.['manifest.json.gz'] ?? '', 'base64')).toString();
    expect(manifest).toContain('demo-secrets');
    expect(manifest).not.toContain(secret['db-password']);
    expect(manifest).not.toContain('db-password":');

    await expect(engine.rollback({ ...ref, revision: 42 })).rejects.toThrow(
      /no revision 42.*revisions are 6, 5, 4, 3, 2, 1/,
    );
  });

  it('reports a failed rollout naming the component and ImagePullBackOff', async () => {
    const broken = { ...ref, namespace: 'broken' };
    await engine.apply({ ...broken, values: { image: 'ghcr.io/me/web:homeport-fail-pull' }, prune: false });
    const statuses = await watchUntil(broken, (s) => s.state === 'failed');
    const failed = statuses.at(-1) as RolloutStatus;
    expect(failed.failed?.component).toBe('demo-web');
    expect(failed.failed?.reason).toMatch(
      /^ImagePullBackOff: Back-off pulling image "ghcr.io\/me\/web:homeport-fail-pull"/,
    );
    expect(failed.failed?.reason).toContain('Failed to pull image');
    expect(failed.workloads.find((w) => w.name === 'demo-web')).toMatchObject({ ready: 0, desired: 1 });

    // Fixed: the failing pods of the old ReplicaSet no longer count while the new version starts.
    await engine.apply({ ...broken, values: { image: 'ghcr.io/me/web:1.0' }, prune: false });
    const fixed = await watchUntil(broken, (s) => s.state === 'healthy');
    expect(fixed.filter((s) => s.state === 'failed')).toEqual([]);
    for (let i = 1; i < fixed.length; i++) expect(fixed[i]).not.toEqual(fixed[i - 1]);

    // With deleteClaims, the claims of the stack's StatefulSets go: by label, and by name.
    await until(
      () => names('/api/v1/namespaces/broken/persistentvolumeclaims'),
      (claims) => claims.includes('data-demo-db-0'),
    );
    await gateway.request('/api/v1/namespaces/broken/persistentvolumeclaims', {
      method: 'POST',
      body: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data-demo-db-9' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    const removed = await engine.uninstall({ ...broken, deleteClaims: true });
    expect(removed.kept).toEqual([]);
    expect(removed.deleted).toEqual(
      expect.arrayContaining([
        'PersistentVolumeClaim/data-demo-db-0',
        'PersistentVolumeClaim/data-demo-db-9',
        'PersistentVolumeClaim/demo-media',
        'PersistentVolume/demo-media-broken',
      ]),
    );
    expect(await names('/api/v1/namespaces/broken/persistentvolumeclaims')).toEqual([]);
  });

  it('uninstalls the stack but keeps the claims and their volumes, then deletes them with deleteClaims', async () => {
    const result = await engine.uninstall({ ...ref, deleteClaims: false });
    expect(result.kept.sort()).toEqual([
      'PersistentVolume/demo-media-demo',
      'PersistentVolumeClaim/data-demo-db-0',
      'PersistentVolumeClaim/demo-media',
    ]);
    expect(result.deleted).toEqual(
      expect.arrayContaining([
        'Deployment/demo-web',
        'StatefulSet/demo-db',
        'HorizontalPodAutoscaler/demo-web',
        'Service/demo-web',
        'ConfigMap/demo-extra',
        'Secret/demo-secrets',
        'Secret/homeport-rev-demo-1',
        'Secret/homeport-rev-demo-6',
      ]),
    );
    const selector = `labelSelector=${encodeURIComponent(`homeport.dev/stack=${FIXTURE_STACK}`)}`;
    expect(await names(`/apis/apps/v1/namespaces/${ns}/deployments?${selector}`)).toEqual([]);
    expect(await names(`/apis/apps/v1/namespaces/${ns}/statefulsets?${selector}`)).toEqual([]);
    expect(await names(`/api/v1/namespaces/${ns}/secrets?${selector}`)).toEqual([]);
    expect(await names(`/api/v1/namespaces/${ns}/services?${selector}`)).toEqual([]);
    expect(await names(`/api/v1/namespaces/${ns}/persistentvolumeclaims`)).toEqual(['data-demo-db-0', 'demo-media']);
    expect(await engine.revisions(ref)).toEqual([]);
    await until(
      () => names(`/api/v1/namespaces/${ns}/pods`),
      (pods) => pods.length === 0,
    );

    const all = await engine.uninstall({ ...ref, deleteClaims: true });
    expect(all.kept).toEqual([]);
    expect(all.deleted.sort()).toEqual([
      'PersistentVolume/demo-media-demo',
      'PersistentVolumeClaim/data-demo-db-0',
      'PersistentVolumeClaim/demo-media',
    ]);
    expect(await names(`/api/v1/namespaces/${ns}/persistentvolumeclaims`)).toEqual([]);
    expect(await exists('/api/v1/persistentvolumes/demo-media-demo')).toBe(false);
  });
});
