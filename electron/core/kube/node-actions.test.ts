import { describe, expect, it } from 'vitest';
import { KubeRequestError } from './kube-errors';
import { drainNode, type NodeGateway, planFromPods } from './node-actions';

const pod = (name: string, extra: Record<string, unknown> = {}, owner?: string) => ({
  metadata: {
    name,
    namespace: 'media',
    uid: `uid-${name}`,
    ...(owner ? { ownerReferences: [{ kind: owner, name: `${name}-owner`, controller: true }] } : {}),
    ...extra,
  },
  status: { phase: 'Running' },
});

describe('drain plan', () => {
  it('evicts controlled and bare pods, leaves DaemonSet, mirror and finished pods with the reason', () => {
    const plan = planFromPods('n1', [
      pod('web', {}, 'ReplicaSet'),
      pod('agent', {}, 'DaemonSet'),
      pod('etcd', { annotations: { 'kubernetes.io/config.mirror': 'abc' } }),
      { ...pod('job-done', {}, 'Job'), status: { phase: 'Succeeded' } },
      pod('bare'),
    ]);
    expect(plan.evict).toEqual([
      { namespace: 'media', name: 'bare' },
      { namespace: 'media', name: 'web', owner: 'ReplicaSet/web-owner' },
    ]);
    expect(plan.skipped.map((s) => [s.name, s.reason])).toEqual([
      ['agent', 'daemonset'],
      ['etcd', 'mirror'],
      ['job-done', 'finished'],
    ]);
  });
});

/** A fake API: pods that go once evicted, a budget that refuses `guarded` a number of times. */
function fakeApi(refusals: number) {
  const calls: string[] = [];
  const present = new Set(['web', 'guarded', 'agent']);
  let refused = 0;
  let clock = 0;
  const g: NodeGateway = {
    request: (async (path: string, opts: { method?: string; body?: unknown } = {}) => {
      calls.push(`${opts.method ?? 'GET'} ${path}`);
      if (path.startsWith('/api/v1/nodes/')) return { metadata: { name: 'n1' }, spec: { unschedulable: true } };
      const m = /pods\/([^/]+)(\/eviction)?$/.exec(path);
      const name = m?.[1] ?? '';
      if (m?.[2]) {
        if (name === 'guarded' && refused < refusals) {
          refused++;
          throw new KubeRequestError(
            'http',
            `https://x answered HTTP 429 for ${path}: Cannot evict pod as it would violate the pod's disruption budget.`,
            429,
          );
        }
        present.delete(name);
        return { kind: 'Status', status: 'Success' };
      }
      if (!present.has(name)) throw new KubeRequestError('http', 'not found', 404);
      return pod(name);
    }) as NodeGateway['request'],
    listAll: (async () => ({
      items: [pod('web', {}, 'ReplicaSet'), pod('guarded', {}, 'ReplicaSet'), pod('agent', {}, 'DaemonSet')],
      resourceVersion: '1',
    })) as NodeGateway['listAll'],
  };
  const timing = {
    retryMs: 5000,
    pollMs: 1000,
    now: () => clock,
    sleep: async (ms: number) => {
      clock += ms;
    },
  };
  return { g, calls, timing };
}

describe('drain', () => {
  it('cordons first, evicts through the Eviction API, never touches DaemonSet pods, retries a refusing budget', async () => {
    const { g, calls, timing } = fakeApi(2);
    const result = await drainNode(g, 'n1', { ...timing, timeoutMs: 60_000 });
    expect(calls[0]).toBe('PATCH /api/v1/nodes/n1');
    expect(calls.filter((c) => c.includes('agent'))).toEqual([]);
    expect(calls.filter((c) => c === 'POST /api/v1/namespaces/media/pods/guarded/eviction')).toHaveLength(3);
    expect(result).toEqual({
      node: 'n1',
      drained: true,
      pods: [
        { namespace: 'media', name: 'guarded', outcome: 'evicted' },
        { namespace: 'media', name: 'web', outcome: 'evicted' },
      ],
    });
  });

  it('reports a pod the budget keeps refusing as blocked, with the API server words, when the timeout passes', async () => {
    const { g, timing } = fakeApi(Infinity);
    const result = await drainNode(g, 'n1', { ...timing, timeoutMs: 12_000 });
    expect(result.drained).toBe(false);
    expect(result.pods.find((p) => p.name === 'guarded')).toEqual({
      namespace: 'media',
      name: 'guarded',
      outcome: 'blocked',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
    });
    expect(result.pods.find((p) => p.name === 'web')?.outcome).toBe('evicted');
  });
});
