/**
 * The `eviction` subresource of pods (policy/v1 Eviction): a delete that PodDisruptionBudgets may
 * refuse. What the API server answers, and in which words, follows
 * kubernetes/pkg/registry/core/pod/storage/eviction.go (EvictionREST.Create and checkAndDecrement).
 */
import { ApiError, labelMatcher, notFound } from './http-util';
import { RESOURCES, type ResourceType } from './resources';
import { PODS } from './runtime';
import type { KObject, Store } from './store';

const PDBS = RESOURCES.find((r) => r.plural === 'poddisruptionbudgets') as ResourceType;

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** A label selector object as the `a=b,c in (x)` string labelMatcher reads. */
function selectorString(s: LabelSelector | undefined): string | null {
  if (!s) return null;
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

const isReady = (p: KObject) =>
  !p.metadata.deletionTimestamp &&
  ((p.status?.conditions as { type: string; status: string }[] | undefined) ?? []).some(
    (c) => c.type === 'Ready' && c.status === 'True',
  );

/** An intOrString of a budget scaled to `expected` pods, rounding up as the disruption controller does. */
function scaled(value: number | string, expected: number): number {
  if (typeof value === 'number') return value;
  const pct = /^(\d+)%$/.exec(value);
  if (!pct) throw new ApiError(422, 'Invalid', `"${value}" is not a whole number or a percentage`);
  return Math.ceil((Number(pct[1]) * expected) / 100);
}

export interface BudgetStatus {
  name: string;
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
}

/**
 * What the disruption controller would write in the budget's status, computed now. The real one
 * counts expected pods from the owning controllers' scale; here the budget's selected pods that are
 * not being deleted stand for them.
 */
export function budgetStatus(store: Store, pdb: KObject): BudgetStatus {
  const spec = (pdb.spec ?? {}) as {
    selector?: LabelSelector;
    minAvailable?: number | string;
    maxUnavailable?: number | string;
  };
  const matches = labelMatcher(selectorString(spec.selector));
  const pods = store.list(PODS, pdb.metadata.namespace).filter((p) => matches(p.metadata.labels));
  const expectedPods = pods.filter((p) => !p.metadata.deletionTimestamp).length;
  const currentHealthy = pods.filter(isReady).length;
  const desiredHealthy =
    spec.minAvailable !== undefined
      ? scaled(spec.minAvailable, expectedPods)
      : Math.max(0, expectedPods - scaled(spec.maxUnavailable ?? 0, expectedPods));
  return {
    name: pdb.metadata.name,
    expectedPods,
    currentHealthy,
    desiredHealthy,
    disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy),
  };
}

/** The budgets of the pod's namespace whose selector picks the pod. */
export function budgetsOf(store: Store, pod: KObject): KObject[] {
  return store.list(PDBS, pod.metadata.namespace).filter((pdb) => {
    const selector = (pdb.spec as { selector?: LabelSelector } | undefined)?.selector;
    // A budget without a selector selects nothing in policy/v1.
    if (!selector) return false;
    return labelMatcher(selectorString(selector))(pod.metadata.labels);
  });
}

/**
 * Evicts a pod: deletes it (gracefully, through `remove`) unless a PodDisruptionBudget would be
 * violated, which the API server answers with 429 TooManyRequests and the budget's numbers.
 */
export function evictPod(
  store: Store,
  namespace: string,
  name: string,
  eviction: { metadata?: { name?: string }; deleteOptions?: { gracePeriodSeconds?: number } },
  remove: (namespace: string, name: string, gracePeriodSeconds?: number) => void,
  dryRun: boolean,
) {
  if (eviction.metadata?.name && eviction.metadata.name !== name) {
    throw new ApiError(400, 'BadRequest', 'name in URL does not match name in Eviction object');
  }
  const pod = store.get(PODS, namespace, name);
  if (!pod) throw notFound('pods', name);
  const done = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  const phase = pod.status?.phase as string | undefined;
  // Pods that are finished, not yet running, or already going need no budget (canIgnorePDB).
  const ignoresBudget =
    phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(pod.metadata.deletionTimestamp);
  const budgets = ignoresBudget ? [] : budgetsOf(store, pod);
  if (budgets.length > 1) {
    throw new ApiError(
      500,
      'InternalError',
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  }
  const pdb = budgets[0];
  if (pdb) {
    const status = budgetStatus(store, pdb);
    // An unready pod may go while the budget is met (unhealthyPodEvictionPolicy IfHealthyBudget).
    const allowed = isReady(pod) ? status.disruptionsAllowed > 0 : status.currentHealthy >= status.desiredHealthy;
    if (!allowed) {
      throw new ApiError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
        causes: [
          {
            reason: 'DisruptionBudget',
            message: `The disruption budget ${status.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
          },
        ],
      });
    }
  }
  if (!dryRun) remove(namespace, name, eviction.deleteOptions?.gracePeriodSeconds);
  return done;
}
