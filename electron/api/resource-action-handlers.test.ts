import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '@shared/contract';
import type { EventGroup, EventGroupDelta } from '@shared/resource-action-schemas';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../sandbox/index';
import { loadKubeconfig } from '../core/clusters/kubeconfig';
import { resolveConnection } from '../core/kube/kube-connection';
import { createKubeGateway, type KubeGateway } from '../core/kube/kube-gateway';
import { createResourceActionHandlers, createResourceActionSubscriptions } from './resource-action-handlers';

let sandbox: Sandbox;
let handlers: ReturnType<typeof createResourceActionHandlers>;
let subscriptions: ReturnType<typeof createResourceActionSubscriptions>;
let gateway: KubeGateway;
const context = SANDBOX_CONTEXT;

const deployment = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: default}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: main, image: 'registry.lan/demo/${name}:1'}]
`;

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`not met in ${ms} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const readyPods = (app: string) =>
  gateway
    .getJson<{
      items: {
        metadata: { name: string };
        spec: { nodeName?: string };
        status: { conditions?: { type: string; status: string }[] };
      }[];
    }>(`/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`)
    .then((l) => l.items.filter((p) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')));

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05, contracts: [] });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-resact-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  const conn = await resolveConnection(await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]), context);
  const clusters = { openGateway: async () => createKubeGateway(conn) };
  gateway = createKubeGateway(conn);
  handlers = createResourceActionHandlers({ clusters }, { retryMs: 300, pollMs: 100 });
  subscriptions = createResourceActionSubscriptions({ clusters });
});

afterAll(async () => {
  gateway?.close();
  await sandbox?.close();
});

describe('edit and apply', () => {
  it('applies as homeport, then returns a conflict with the field manager that owns the field, and forces only when asked', async () => {
    const created = await handlers['kube:applyObject']({ context, yaml: deployment('editme', 1) });
    expect(created).toMatchObject({ result: 'applied', kind: 'Deployment', namespace: 'default', name: 'editme' });
    // Another manager (kubectl scale, say) takes spec.replicas with an update.
    await gateway.request('/apis/apps/v1/namespaces/default/deployments/editme?fieldManager=kubectl-edit', {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 2 } },
    });
    const conflict = await handlers['kube:applyObject']({ context, yaml: deployment('editme', 3) });
    expect(conflict).toEqual({
      result: 'conflicts',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
      conflicts: [{ field: '.spec.replicas', manager: 'kubectl-edit' }],
    });
    const live = await gateway.getJson<{ spec: { replicas: number } }>(
      '/apis/apps/v1/namespaces/default/deployments/editme',
    );
    expect(live.spec.replicas).toBe(2);
    expect(await handlers['kube:applyObject']({ context, yaml: deployment('editme', 3), force: true })).toMatchObject({
      result: 'applied',
    });
    const forced = await gateway.getJson<{ spec: { replicas: number } }>(
      '/apis/apps/v1/namespaces/default/deployments/editme',
    );
    expect(forced.spec.replicas).toBe(3);
  });

  it('gives the YAML to edit without server-owned fields, and refuses Secrets', async () => {
    const { yaml } = await handlers['kube:objectYaml']({
      context,
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'default',
      name: 'editme',
    });
    expect(yaml).toContain('kind: Deployment');
    expect(yaml).not.toContain('managedFields');
    expect(yaml).not.toContain('resourceVersion');
    await gateway.request('/api/v1/namespaces/default/secrets', {
      method: 'POST',
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'hunter2' } },
    });
    const refused = await handlers['kube:objectYaml']({
      context,
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: 'default',
      name: 'db',
    }).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toContain('does not open Secrets');
    expect((refused as Error).message).not.toContain('hunter2');
  });

  it('names the field of a bad object', async () => {
    await expect(
      handlers['kube:applyObject']({
        context,
        yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: default}\n',
      }),
    ).rejects.toThrow(/metadata\.name: required/);
    expect(channels['kube:applyObject'].input.safeParse({ context, yaml: '' }).error?.issues[0]?.message).toContain(
      'YAML',
    );
  });
});

describe('nodes', () => {
  it('cordons, plans and drains a node, held back by a PodDisruptionBudget until the timeout', async () => {
    const nodes = await handlers['kube:listNodes']({ context });
    expect(nodes.nodes.map((n) => n.name)).toEqual(['sandbox-agent-1', 'sandbox-agent-2', 'sandbox-server-0']);
    for (const node of ['sandbox-server-0', 'sandbox-agent-1'])
      expect(await handlers['kube:cordonNode']({ context, node, unschedulable: true })).toMatchObject({
        name: node,
        unschedulable: true,
      });
    await handlers['kube:applyObject']({ context, yaml: deployment('keep', 1) });
    await handlers['kube:applyObject']({ context, yaml: deployment('move', 1) });
    await handlers['kube:applyObject']({
      context,
      yaml: 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: keep, namespace: default}\nspec: {minAvailable: 1, selector: {matchLabels: {app: keep}}}\n',
    });
    const [keep] = await until(
      () => readyPods('keep'),
      (p) => p.length === 1,
    );
    const [move] = await until(
      () => readyPods('move'),
      (p) => p.length === 1,
    );
    expect(keep?.spec.nodeName).toBe('sandbox-agent-2');
    for (const node of ['sandbox-server-0', 'sandbox-agent-1'])
      await handlers['kube:cordonNode']({ context, node, unschedulable: false });

    const plan = await handlers['kube:drainPlan']({ context, node: 'sandbox-agent-2' });
    expect(plan.evict.map((p) => p.name)).toEqual(expect.arrayContaining([keep?.metadata.name, move?.metadata.name]));
    const result = channels['kube:drainNode'].output.parse(
      await handlers['kube:drainNode']({ context, node: 'sandbox-agent-2', timeoutSeconds: 5 }),
    );
    expect(result.drained).toBe(false);
    expect(result.pods.find((p) => p.name === move?.metadata.name)?.outcome).toBe('evicted');
    expect(result.pods.find((p) => p.name === keep?.metadata.name)).toMatchObject({
      outcome: 'blocked',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
    });
    const nodesAfter = await handlers['kube:listNodes']({ context });
    expect(nodesAfter.nodes.find((n) => n.name === 'sandbox-agent-2')?.unschedulable).toBe(true);
    expect(
      channels['kube:drainNode'].input.safeParse({ context, node: 'x', timeoutSeconds: 1 }).error?.issues[0]?.message,
    ).toBe('Timeout (seconds): at least 5');
  }, 60_000);
});

describe('events', () => {
  it('streams the sandbox kubelet events deduplicated, with counts', async () => {
    const groups = new Map<string, EventGroup>();
    const stop = subscriptions['kube:events']({ context, namespace: 'default' }, (d: EventGroupDelta) => {
      if (d.type === 'reset') groups.clear();
      if (d.type === 'reset' || d.type === 'upsert') for (const g of d.items) groups.set(g.key, g);
      if (d.type === 'delete') for (const k of d.keys) groups.delete(k);
    });
    try {
      await until(
        async () => [...groups.values()],
        (gs) => gs.some((g) => g.reason === 'Scheduled' && g.object.kind === 'Pod'),
      );
      const keys = [...groups.values()].map((g) => `${g.object.name} ${g.reason} ${g.message}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect([...groups.values()].every((g) => g.count >= 1 && g.firstSeen <= g.lastSeen)).toBe(true);
    } finally {
      stop();
    }
  });
});
