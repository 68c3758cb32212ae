/**
 * Node maintenance as kubectl does it: cordon and uncordon (spec.unschedulable), and drain =
 * cordon, then evict every pod of the node through the Eviction API (so PodDisruptionBudgets are
 * respected) except DaemonSet pods and mirror pods, and wait for them to go.
 */
import type { DrainPlan, DrainResult, NodeSummary } from '@shared/resource-action-schemas';
import type { KubeGateway } from './kube-gateway';
import { KubeRequestError } from './kube-errors';

export type NodeGateway = Pick<KubeGateway, 'request' | 'listAll'>;

interface NodeObject {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { unschedulable?: boolean };
  status?: { conditions?: { type: string; status: string }[] };
}

interface PodObject {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  };
  status?: { phase?: string };
}

const nodePath = (node: string) => `/api/v1/nodes/${encodeURIComponent(node)}`;
const podPath = (ns: string, name: string) =>
  `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}`;
/** Static pods the kubelet reads from disk show up in the API as mirror pods with this annotation. */
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export function summarizeNode(n: NodeObject): NodeSummary {
  return {
    name: n.metadata?.name ?? '',
    ready: (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    unschedulable: n.spec?.unschedulable === true,
    roles: Object.keys(n.metadata?.labels ?? {})
      .filter((l) => l.startsWith('node-role.kubernetes.io/'))
      .map((l) => l.slice('node-role.kubernetes.io/'.length)),
  };
}

export async function listNodes(g: NodeGateway): Promise<NodeSummary[]> {
  const { items } = await g.listAll<NodeObject>('/api/v1/nodes');
  return items.map(summarizeNode).sort((a, b) => a.name.localeCompare(b.name));
}

/** Cordon (true) or uncordon (false), with the strategic merge patch kubectl sends. */
export async function setUnschedulable(g: NodeGateway, node: string, unschedulable: boolean): Promise<NodeSummary> {
  const patched = await g.request<NodeObject>(nodePath(node), {
    method: 'PATCH',
    contentType: 'application/strategic-merge-patch+json',
    // null removes the field, as kubectl uncordon leaves it.
    body: { spec: { unschedulable: unschedulable ? true : null } },
  });
  return summarizeNode(patched);
}

/** Which pods a drain of the node evicts and which it leaves, and why. */
export function planFromPods(node: string, pods: PodObject[]): DrainPlan {
  const plan: DrainPlan = { node, evict: [], skipped: [] };
  for (const p of pods) {
    const ref = { namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '' };
    const controller =
      (p.metadata?.ownerReferences ?? []).find((o) => o.controller) ?? p.metadata?.ownerReferences?.[0];
    if (p.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined) plan.skipped.push({ ...ref, reason: 'mirror' });
    else if (controller?.kind === 'DaemonSet') plan.skipped.push({ ...ref, reason: 'daemonset' });
    else if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')
      plan.skipped.push({ ...ref, reason: 'finished' });
    else plan.evict.push({ ...ref, ...(controller ? { owner: `${controller.kind}/${controller.name}` } : {}) });
  }
  const byName = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) =>
    `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`);
  plan.evict.sort(byName);
  plan.skipped.sort(byName);
  return plan;
}

async function podsOn(g: NodeGateway, node: string): Promise<PodObject[]> {
  const selector = encodeURIComponent(`spec.nodeName=${node}`);
  return (await g.listAll<PodObject>(`/api/v1/pods?fieldSelector=${selector}`)).items;
}

export async function planDrain(g: NodeGateway, node: string): Promise<DrainPlan> {
  await g.request<NodeObject>(nodePath(node), { method: 'GET' });
  return planFromPods(node, await podsOn(g, node));
}

export interface DrainTiming {
  timeoutMs: number;
  /** Between evictions a budget refused, as kubectl waits 5 s. */
  retryMs?: number;
  /** Between checks that an evicted pod is gone. */
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

type PodOutcome = DrainResult['pods'][number];

/**
 * Cordons the node, then evicts the plan's pods (all at once, as kubectl does), retrying the
 * ones a disruption budget refuses (HTTP 429) until the timeout, and waits for evicted pods to go.
 */
export async function drainNode(g: NodeGateway, node: string, timing: DrainTiming): Promise<DrainResult> {
  const now = timing.now ?? Date.now;
  const sleep = timing.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + timing.timeoutMs;
  await setUnschedulable(g, node, true);
  const pods = await podsOn(g, node);
  const plan = planFromPods(node, pods);
  const uids = new Map(pods.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p.metadata?.uid]));

  async function gone(ns: string, name: string): Promise<boolean> {
    try {
      const p = await g.request<PodObject>(podPath(ns, name), { method: 'GET' });
      // A pod of the same name made again (a StatefulSet's) is a new pod: the old one is gone.
      return p.metadata?.uid !== uids.get(`${ns}/${name}`);
    } catch (err) {
      if (err instanceof KubeRequestError && err.status === 404) return true;
      throw err;
    }
  }

  async function evictOne(ref: { namespace: string; name: string }): Promise<PodOutcome> {
    for (;;) {
      try {
        await g.request(`${podPath(ref.namespace, ref.name)}/eviction`, {
          method: 'POST',
          body: {
            apiVersion: 'policy/v1',
            kind: 'Eviction',
            metadata: { name: ref.name, namespace: ref.namespace },
          },
        });
        break;
      } catch (err) {
        if (err instanceof KubeRequestError && err.status === 404) return { ...ref, outcome: 'evicted' };
        if (err instanceof KubeRequestError && err.status === 429) {
          const refusal = err.message.replace(/^.*?answered HTTP 429 for \S+: /, '');
          if (now() + (timing.retryMs ?? 5000) > deadline) return { ...ref, outcome: 'blocked', message: refusal };
          await sleep(timing.retryMs ?? 5000);
          continue;
        }
        return { ...ref, outcome: 'failed', message: err instanceof Error ? err.message : String(err) };
      }
    }
    for (;;) {
      if (await gone(ref.namespace, ref.name)) return { ...ref, outcome: 'evicted' };
      if (now() >= deadline)
        return { ...ref, outcome: 'timeout', message: 'evicted, but still terminating when the timeout passed' };
      await sleep(timing.pollMs ?? 1000);
    }
  }

  const results = await Promise.all(plan.evict.map(({ namespace, name }) => evictOne({ namespace, name })));
  return { node, drained: results.every((r) => r.outcome === 'evicted'), pods: results };
}
