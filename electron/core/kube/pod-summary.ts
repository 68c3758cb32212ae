import type { LeaseSummary, PodSummary } from '@shared/kube-schemas';
import type { KubeObject } from './kube-stream';

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number; signal?: number };
}

export interface ContainerStatus {
  name: string;
  image?: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerState;
}

/** The parts of a Pod the summaries read. */
export interface PodObject extends KubeObject {
  spec?: { nodeName?: string; containers?: { name: string; image?: string }[]; initContainers?: unknown[] };
  status?: {
    phase?: string;
    reason?: string;
    podIP?: string;
    conditions?: { type: string; status: string; reason?: string; lastTransitionTime?: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

/**
 * The STATUS column as kubectl computes it (printPod in kubectl's printers): init container
 * progress first, then the last container's waiting or terminated reason, then Terminating.
 */
export function podStatusReason(pod: PodObject): string {
  const status = pod.status ?? {};
  let reason = status.reason || status.phase || 'Unknown';
  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  const initTotal = pod.spec?.initContainers?.length ?? inits.length;
  for (let i = 0; i < inits.length; i++) {
    const state = inits[i]!.state ?? {};
    if (state.terminated && state.terminated.exitCode === 0) continue;
    initializing = true;
    if (state.terminated) {
      const t = state.terminated;
      reason = t.reason
        ? `Init:${t.reason}`
        : t.signal
          ? `Init:Signal:${t.signal}`
          : `Init:ExitCode:${t.exitCode ?? 0}`;
    } else if (state.waiting?.reason && state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${state.waiting.reason}`;
    } else {
      reason = `Init:${i}/${initTotal}`;
    }
    break;
  }
  if (!initializing) {
    let hasRunning = false;
    const containers = status.containerStatuses ?? [];
    for (let i = containers.length - 1; i >= 0; i--) {
      const c = containers[i]!;
      const state = c.state ?? {};
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated?.reason) reason = state.terminated.reason;
      else if (state.terminated) {
        reason = state.terminated.signal
          ? `Signal:${state.terminated.signal}`
          : `ExitCode:${state.terminated.exitCode ?? 0}`;
      } else if (c.ready && state.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) {
      const ready = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      reason = ready ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata?.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

/** The controlling owner as written on the pod (a ReplicaSet is resolved later, by the caller). */
export function directOwner(obj: KubeObject): { kind: string; name: string } | undefined {
  const refs = obj.metadata?.ownerReferences ?? [];
  const ref = refs.find((r) => r.controller) ?? refs[0];
  return ref ? { kind: ref.kind, name: ref.name } : undefined;
}

/**
 * Keeps one copy of each string that many pods repeat (namespaces, phases, nodes, reasons), so a
 * cluster's summaries do not each hold their own "Running". Bounded: past `limit` distinct strings
 * it starts over, so an unusual cluster costs no more than no pooling at all.
 */
export function createInterner(limit = 4096): (text: string) => string {
  let pool = new Map<string, string>();
  return (text) => {
    const known = pool.get(text);
    if (known !== undefined) return known;
    if (pool.size >= limit) pool = new Map();
    pool.set(text, text);
    return text;
  };
}

const same = (text: string) => text;
/** The string held before when it is equal: the new copy is then left to die young. */
const kept = (next: string, before: string | undefined) => (next === before ? before : next);

/**
 * What a long-lived watch passes to keep its summaries small: the pool of repeated strings, and
 * the pod's summary before this change, whose strings are kept where they did not change (the old
 * ones are already in the old generation; the event's copies then die young).
 */
export interface SummaryReuse {
  intern?: (text: string) => string;
  previous?: PodSummary | undefined;
}

export function summarizePod(pod: PodObject, reuse: SummaryReuse = {}): PodSummary {
  const intern = reuse.intern ?? same;
  const previous = reuse.previous;
  const containers = pod.status?.containerStatuses ?? [];
  let restarts = 0;
  let ready = 0;
  for (const c of containers) {
    restarts += c.restartCount ?? 0;
    if (c.ready) ready++;
  }
  for (const c of pod.status?.initContainerStatuses ?? []) restarts += c.restartCount ?? 0;
  const phase = intern(pod.status?.phase ?? 'Unknown');
  const reason = podStatusReason(pod);
  const summary: PodSummary = {
    uid: kept(pod.metadata?.uid ?? '', previous?.uid),
    name: kept(pod.metadata?.name ?? '', previous?.name),
    namespace: intern(pod.metadata?.namespace ?? ''),
    phase,
    ready,
    total: pod.spec?.containers?.length ?? containers.length,
    restarts,
    createdAt: kept(pod.metadata?.creationTimestamp ?? '', previous?.createdAt),
    deleting: Boolean(pod.metadata?.deletionTimestamp),
  };
  if (reason !== phase) summary.reason = intern(reason);
  if (pod.spec?.nodeName) summary.node = intern(pod.spec.nodeName);
  return summary;
}

interface LeaseObject extends KubeObject {
  spec?: {
    holderIdentity?: string;
    acquireTime?: string;
    renewTime?: string;
    leaseDurationSeconds?: number;
    leaseTransitions?: number;
  };
}

export function summarizeLease(lease: LeaseObject): LeaseSummary {
  const spec = lease.spec ?? {};
  const namespace = lease.metadata?.namespace ?? '';
  const summary: LeaseSummary = {
    namespace,
    name: lease.metadata?.name ?? '',
    transitions: spec.leaseTransitions ?? 0,
    controlPlane: namespace === 'kube-system',
  };
  if (spec.holderIdentity) summary.holder = spec.holderIdentity;
  if (spec.acquireTime) summary.acquireTime = spec.acquireTime;
  if (spec.renewTime) summary.renewTime = spec.renewTime;
  if (spec.leaseDurationSeconds !== undefined) summary.durationSeconds = spec.leaseDurationSeconds;
  return summary;
}
