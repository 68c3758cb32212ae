import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeconfig } from '../core/clusters/kubeconfig';
import { resolveConnection } from '../core/kube/kube-connection';
import { createKubeGateway, type KubeGateway } from '../core/kube/kube-gateway';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from './index';

let sandbox: Sandbox;
let gateway: KubeGateway;

type Obj = {
  metadata: { name: string; labels?: Record<string, string>; generation?: number; uid?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: unknown;
};

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`not reached; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const apply = (path: string, body: unknown, dryRun = false) =>
  gateway.request<Obj>(`${path}?fieldManager=test&force=true${dryRun ? '&dryRun=All' : ''}`, {
    method: 'PATCH',
    body,
    contentType: 'application/apply-patch+yaml',
  });
const get = (path: string) => gateway.getJson<Obj>(path);
const status = async (path: string) => (await get(path).catch(() => undefined))?.status;

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  const config = await loadKubeconfig([{ path: 'sandbox', origin: 'sandbox' }], {
    read: async () => sandbox.kubeconfig(),
  });
  gateway = createKubeGateway(await resolveConnection(config, SANDBOX_CONTEXT));
  await gateway.request('/api/v1/namespaces', { method: 'POST', body: { metadata: { name: 'store' } } });
});

afterAll(async () => {
  gateway?.close();
  await sandbox?.close();
});

describe('sandbox storage and workload status', () => {
  it('serves local-path as the default StorageClass, like k3s', async () => {
    const sc = await get('/apis/storage.k8s.io/v1/storageclasses/local-path');
    expect(sc).toMatchObject({
      metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
  });

  it('creates claims from volumeClaimTemplates, binds them, and keeps them when the StatefulSet goes', async () => {
    const path = '/apis/apps/v1/namespaces/store/statefulsets/db';
    await apply(path, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', labels: { app: 'db' } },
      spec: {
        replicas: 2,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: { containers: [{ name: 'db', image: 'registry.lan/demo/db:16' }] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels: { tier: 'storage' } },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } },
          },
        ],
      },
    });
    const sts = await until(
      () => get(path),
      (s) => s.status?.readyReplicas === 2,
    );
    expect(sts.status).toMatchObject({ observedGeneration: sts.metadata.generation, updatedReplicas: 2 });
    const pvcs = await until(
      () => gateway.getJson<{ items: Obj[] }>('/api/v1/namespaces/store/persistentvolumeclaims?labelSelector=app=db'),
      (l) => l.items.length === 2 && l.items.every((c) => c.status?.phase === 'Bound'),
    );
    expect(pvcs.items.map((c) => c.metadata.name)).toEqual(['data-db-0', 'data-db-1']);
    expect(pvcs.items[0]?.metadata.labels).toEqual({ tier: 'storage', app: 'db' });
    expect(pvcs.items[0]?.spec).toMatchObject({ storageClassName: 'local-path' });
    const pod = await get('/api/v1/namespaces/store/pods/db-0');
    expect(pod.spec?.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } });
    const volumeName = pvcs.items[0]?.spec?.volumeName as string;
    const pv = await get(`/api/v1/persistentvolumes/${volumeName}`);
    expect(pv).toMatchObject({
      spec: {
        claimRef: { name: 'data-db-0', namespace: 'store' },
        storageClassName: 'local-path',
        persistentVolumeReclaimPolicy: 'Delete',
      },
      status: { phase: 'Bound' },
    });

    await gateway.request(path, { method: 'DELETE' });
    await until(
      () => gateway.getJson<{ items: Obj[] }>('/api/v1/namespaces/store/pods'),
      (l) => l.items.length === 0,
    );
    const kept = await gateway.getJson<{ items: Obj[] }>('/api/v1/namespaces/store/persistentvolumeclaims');
    expect(kept.items.map((c) => c.metadata.name)).toEqual(['data-db-0', 'data-db-1']);

    // Deleting a claim deletes its provisioned volume (reclaim policy Delete).
    await gateway.request('/api/v1/namespaces/store/persistentvolumeclaims/data-db-0', { method: 'DELETE' });
    await expect(get(`/api/v1/persistentvolumes/${volumeName}`)).rejects.toMatchObject({ status: 404 });
  });

  it('binds a claim naming a volume to it, and releases a Retain volume when the claim goes', async () => {
    await apply('/api/v1/persistentvolumes/media', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'media', labels: { stack: 'media' } },
      spec: {
        capacity: { storage: '10Gi' },
        accessModes: ['ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: 'manual',
        nfs: { server: '10.0.0.5', path: '/media' },
      },
    });
    expect(await status('/api/v1/persistentvolumes/media')).toEqual({ phase: 'Available' });
    await apply('/api/v1/namespaces/store/persistentvolumeclaims/media', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'media' },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: 'manual',
        volumeName: 'media',
        resources: { requests: { storage: '10Gi' } },
      },
    });
    await until(
      () => status('/api/v1/namespaces/store/persistentvolumeclaims/media'),
      (s) => s?.phase === 'Bound',
    );
    expect(await get('/api/v1/persistentvolumes/media')).toMatchObject({
      spec: { claimRef: { kind: 'PersistentVolumeClaim', namespace: 'store', name: 'media' } },
      status: { phase: 'Bound' },
    });
    const byLabel = await gateway.getJson<{ items: Obj[] }>('/api/v1/persistentvolumes?labelSelector=stack%3Dmedia');
    expect(byLabel.items.map((v) => v.metadata.name)).toEqual(['media']);

    await gateway.request('/api/v1/namespaces/store/persistentvolumeclaims/media', { method: 'DELETE' });
    expect(await status('/api/v1/persistentvolumes/media')).toEqual({ phase: 'Released' });
    await gateway.request('/api/v1/persistentvolumes/media', { method: 'DELETE' });
    await expect(get('/api/v1/persistentvolumes/media')).rejects.toMatchObject({ status: 404 });
  });

  it('answers a dry-run apply with the object as it would be, without storing it', async () => {
    const path = '/api/v1/namespaces/store/secrets/creds';
    const body = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { user: 'admin' } };
    const dry = await apply(path, body, true);
    expect(dry.data).toEqual({ user: Buffer.from('admin').toString('base64') });
    await expect(get(path)).rejects.toMatchObject({ status: 404 });
    await apply(path, body);
    const changed = await apply(path, { ...body, stringData: { user: 'root' } }, true);
    expect(changed.data).toEqual({ user: Buffer.from('root').toString('base64') });
    expect(changed.stringData).toBeUndefined();
    expect((await get(path)).data).toEqual({ user: Buffer.from('admin').toString('base64') });
  });

  it('reports observedGeneration, readyReplicas and updatedReplicas on Deployments', async () => {
    const path = '/apis/apps/v1/namespaces/store/deployments/web';
    const deployment = (replicas: number) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } },
      },
    });
    await apply(path, deployment(1));
    await until(
      () => get(path),
      (d) => d.status?.readyReplicas === 1 && d.status.observedGeneration === d.metadata.generation,
    );
    const scaled = await apply(path, deployment(2));
    expect(scaled.metadata.generation).toBe(2);
    const d = await until(
      () => get(path),
      (x) => x.status?.readyReplicas === 2,
    );
    expect(d.status).toMatchObject({ observedGeneration: 2, updatedReplicas: 2, replicas: 2 });
  });

  it('keeps an autoscaled target within minReplicas..maxReplicas', async () => {
    const path = '/apis/apps/v1/namespaces/store/deployments/scaled';
    await apply(path, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'scaled' },
      spec: {
        selector: { matchLabels: { app: 'scaled' } },
        template: {
          metadata: { labels: { app: 'scaled' } },
          spec: { containers: [{ name: 'app', image: 'app:1' }] },
        },
      },
    });
    await apply('/apis/autoscaling/v2/namespaces/store/horizontalpodautoscalers/scaled', {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'scaled' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'scaled' },
        minReplicas: 3,
        maxReplicas: 5,
      },
    });
    const d = await until(
      () => get(path),
      (x) => x.status?.readyReplicas === 3,
    );
    expect(d.spec?.replicas).toBe(3);
    const hpa = await get('/apis/autoscaling/v2/namespaces/store/horizontalpodautoscalers/scaled');
    expect(hpa.status).toMatchObject({ desiredReplicas: 3 });
  });

  it('numbers ReplicaSet revisions like the deployment controller, reusing a ReplicaSet on rollback', async () => {
    const path = '/apis/apps/v1/namespaces/store/deployments/api';
    const deployment = (image: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api' },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image }] } },
      },
    });
    type Rs = { metadata: { name: string; annotations?: Record<string, string> } };
    const revisions = async () =>
      Object.fromEntries(
        (
          await gateway.getJson<{ items: Rs[] }>('/apis/apps/v1/namespaces/store/replicasets?labelSelector=app%3Dapi')
        ).items.map((rs) => [rs.metadata.name, rs.metadata.annotations?.['deployment.kubernetes.io/revision']]),
      );
    const annotation = async () =>
      ((await get(path)) as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.[
        'deployment.kubernetes.io/revision'
      ];
    await apply(path, deployment('api:1'));
    await until(annotation, (r) => r === '1');
    const [first] = Object.keys(await revisions());
    await apply(path, deployment('api:2'));
    await until(annotation, (r) => r === '2');
    await apply(path, deployment('api:1'));
    await until(annotation, (r) => r === '3');
    const all = await revisions();
    expect(Object.keys(all)).toHaveLength(2);
    expect(all[first ?? '']).toBe('3');
  });
});
