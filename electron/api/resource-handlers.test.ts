import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Handlers, SubscriptionHandlers } from '@shared/contract';
import type { ResourceDelta, ResourceRow } from '@shared/resource-schemas';
import { loadKubeconfig } from '../core/clusters/kubeconfig';
import { resolveConnection } from '../core/kube/kube-connection';
import { createKubeGateway } from '../core/kube/kube-gateway';
import { createResourceService, type ResourceService } from '../core/kube/resources/resource-service';
import { testTuning } from '../core/kube/testing/harness';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../sandbox/index';
import { createDispatch, createSubscribe, type Dispatch } from './dispatch';
import { createResourceHandlers, createResourceSubscriptions } from './resource-handlers';

let sandbox: Sandbox;
let service: ResourceService;
let dispatch: Dispatch;
let subscribe: ReturnType<typeof createSubscribe>;
const logged: string[] = [];
const context = SANDBOX_CONTEXT;
const SECRET_VALUE = 'correct-horse-battery-staple';

let openGateway: () => Promise<ReturnType<typeof createKubeGateway>>;

async function put(path: string, body: object) {
  const gateway = await openGateway();
  try {
    await gateway.request(path, { method: 'POST', body });
  } finally {
    gateway.close();
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-resources-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  const config = await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]);
  const conn = await resolveConnection(config, SANDBOX_CONTEXT);
  openGateway = async () => createKubeGateway(conn);
  service = createResourceService({ openGateway: () => openGateway(), tuning: testTuning });
  // Only the resource channels are wired; the dispatch treats the map as the whole Handlers.
  dispatch = createDispatch(createResourceHandlers({ resources: service }) as unknown as Handlers, (m) =>
    logged.push(m),
  );
  subscribe = createSubscribe(createResourceSubscriptions({ resources: service }) as unknown as SubscriptionHandlers);
  await put('/api/v1/namespaces/default/secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'db-creds',
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ stringData: { password: SECRET_VALUE } }),
      },
    },
    data: {
      password: Buffer.from(SECRET_VALUE).toString('base64'),
      blob: Buffer.from([0xff, 0xfe]).toString('base64'),
    },
  });
}, 30_000);

afterAll(async () => {
  service?.close();
  await sandbox?.close();
});

describe('kube:discover', () => {
  it('lists every listable kind of the preferred versions, grouped by API group, without subresources', async () => {
    const out = await dispatch('kube:discover', { context });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    const value = out.value as { resources: { group: string; plural: string; namespaced: boolean }[] };
    const ids = value.resources.map((r) => `${r.plural}.${r.group}`);
    for (const id of [
      'deployments.apps',
      'pods.',
      'nodes.',
      'roles.rbac.authorization.k8s.io',
      'storageclasses.storage.k8s.io',
    ])
      expect(ids).toContain(id);
    expect(ids.some((id) => id.includes('/'))).toBe(false);
    expect(value.resources.find((r) => r.plural === 'nodes')?.namespaced).toBe(false);
  });
});

describe('kube:resources', () => {
  it('streams rows of a kind the browser has no columns for (roles), live', async () => {
    const deltas: ResourceDelta[] = [];
    const started = subscribe(
      'kube:resources',
      { context, group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', namespace: 'default' },
      (d) => deltas.push(d as ResourceDelta),
    );
    expect(started.ok).toBe(true);
    await put('/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'reader' },
      rules: [],
    });
    const rows = () => deltas.flatMap((d) => (d.type === 'reset' || d.type === 'upsert' ? d.items : []));
    await expect.poll(() => rows().map((r) => r.key), { timeout: 5000 }).toContain('default/reader');
    expect(rows().find((r) => r.key === 'default/reader')).toMatchObject({ name: 'reader', cells: {}, problem: false });
    if (started.ok) started.stop();
    await expect.poll(() => service.activeWatches).toBe(0);
  });

  it('a CRD created in the cluster is discovered and its objects stream as generic rows', async () => {
    await put('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'backuppolicies.homelab.example.com' },
      spec: {
        group: 'homelab.example.com',
        scope: 'Namespaced',
        names: { plural: 'backuppolicies', singular: 'backuppolicy', kind: 'BackupPolicy' },
        versions: [{ name: 'v1alpha1', served: true, storage: true }],
      },
    });
    const out = await dispatch('kube:discover', { context });
    expect(out.ok && (out.value as { resources: object[] }).resources).toContainEqual({
      group: 'homelab.example.com',
      version: 'v1alpha1',
      kind: 'BackupPolicy',
      plural: 'backuppolicies',
      namespaced: true,
    });
    const deltas: ResourceDelta[] = [];
    const started = subscribe(
      'kube:resources',
      { context, group: 'homelab.example.com', version: 'v1alpha1', plural: 'backuppolicies' },
      (d) => deltas.push(d as ResourceDelta),
    );
    await put('/apis/homelab.example.com/v1alpha1/namespaces/default/backuppolicies', {
      apiVersion: 'homelab.example.com/v1alpha1',
      kind: 'BackupPolicy',
      metadata: { name: 'nightly' },
      spec: { schedule: '0 3 * * *' },
      status: { conditions: [{ type: 'Ready', status: 'False', reason: 'NoDestination' }] },
    });
    const rows = () => deltas.flatMap((d) => (d.type === 'reset' || d.type === 'upsert' ? d.items : []));
    await expect.poll(() => rows().map((r) => r.key), { timeout: 5000 }).toContain('default/nightly');
    expect(rows().find((r) => r.key === 'default/nightly')).toMatchObject({ status: 'NoDestination', problem: true });
    if (started.ok) started.stop();
  });

  it('a Secret row carries no value', async () => {
    const seen: unknown[] = [];
    const started = subscribe('kube:resources', { context, group: '', version: 'v1', plural: 'secrets' }, (d) =>
      seen.push(d),
    );
    await expect.poll(() => seen.some((d) => JSON.stringify(d).includes('db-creds')), { timeout: 5000 }).toBe(true);
    const text = JSON.stringify(seen);
    expect(text).not.toContain(SECRET_VALUE);
    expect(text).not.toContain(Buffer.from(SECRET_VALUE).toString('base64'));
    const row = (seen as ResourceDelta[])
      .flatMap((d) => (d.type === 'reset' || d.type === 'upsert' ? d.items : []))
      .find((r: ResourceRow) => r.name === 'db-creds');
    expect(row?.cells).toEqual({ type: 'Opaque', keys: 2 });
    if (started.ok) started.stop();
  });

  it('refuses bad parameters naming the field and the fix', () => {
    const refused = subscribe(
      'kube:resources',
      { context, group: 'Apps', version: 'v1', plural: 'deployments' },
      () => {},
    );
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toMatch(/^Group: .*upper-case/);
  });
});

describe('kube:getObject and kube:revealSecret', () => {
  it('shows a Secret as YAML with its key names and masked values, then reveals one value on request', async () => {
    const got = await dispatch('kube:getObject', {
      context,
      group: '',
      version: 'v1',
      plural: 'secrets',
      namespace: 'default',
      name: 'db-creds',
    });
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    const value = got.value as { kind: string; yaml: string; secretKeys: string[] };
    expect(value.kind).toBe('Secret');
    expect(value.secretKeys).toEqual(['blob', 'password']);
    expect(value.yaml).toContain('name: db-creds');
    expect(value.yaml).not.toContain(SECRET_VALUE);
    expect(value.yaml).not.toContain(Buffer.from(SECRET_VALUE).toString('base64'));
    expect(value.yaml).not.toContain('managedFields');

    const revealed = await dispatch('kube:revealSecret', {
      context,
      namespace: 'default',
      name: 'db-creds',
      key: 'password',
    });
    expect(revealed).toEqual({ ok: true, value: { value: SECRET_VALUE, encoding: 'utf8' } });
    const binary = await dispatch('kube:revealSecret', {
      context,
      namespace: 'default',
      name: 'db-creds',
      key: 'blob',
    });
    expect(binary).toEqual({
      ok: true,
      value: { value: Buffer.from([0xff, 0xfe]).toString('base64'), encoding: 'base64' },
    });
  });

  it('a missing key or object is NOT_FOUND naming it, and nothing is logged', async () => {
    const missing = await dispatch('kube:revealSecret', {
      context,
      namespace: 'default',
      name: 'db-creds',
      key: 'nope',
    });
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(missing.error.code).toBe('NOT_FOUND');
      expect(missing.error.message).toContain("no key 'nope'");
      expect(missing.error.message).toContain('blob, password');
      expect(missing.error.message).not.toContain(SECRET_VALUE);
    }
    const gone = await dispatch('kube:getObject', {
      context,
      group: 'apps',
      version: 'v1',
      plural: 'deployments',
      namespace: 'default',
      name: 'nothing-here',
    });
    expect(gone).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    if (!gone.ok) expect(gone.error.message).toContain('deployments.apps default/nothing-here');
    expect(logged.join('\n')).not.toContain(SECRET_VALUE);
  });

  it('refuses a bad key with the field named', async () => {
    const out = await dispatch('kube:revealSecret', { context, namespace: 'default', name: 'db-creds', key: 'a b' });
    expect(out).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    if (!out.ok) expect(out.error.message).toMatch(/^Key: /);
  });
});
