/**
 * Rollout progress of a deployed stack: ready against desired per Deployment and StatefulSet, why
 * pods are not ready (waiting reasons and Warning events), and the end state.
 */
import type { RolloutStatus, WorkloadStatus } from '@shared/deploy-schemas';
import { MANAGED_BY, MANAGED_BY_LABEL, STACK_LABEL, type KubeObject } from '../stacks/types';
import type { DeployClient } from './client';
import { known } from './paths';

/** Waiting reasons that do not go away by waiting: the rollout has failed. */
export const FAILING_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'CrashLoopBackOff']);

interface WorkloadFields {
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  status?: { readyReplicas?: number; updatedReplicas?: number; replicas?: number; observedGeneration?: number };
}
interface PodFields {
  metadata: { name: string; deletionTimestamp?: string };
  status?: {
    containerStatuses?: { state?: { waiting?: { reason?: string; message?: string } } }[];
    initContainerStatuses?: { state?: { waiting?: { reason?: string; message?: string } } }[];
  };
}
interface EventFields {
  involvedObject?: { kind?: string; name?: string };
  message?: string;
}

const selectorOf = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

function waitingOf(pod: PodFields): { reason: string; message?: string } | undefined {
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const states = all.map((c) => c.state?.waiting).filter((w): w is { reason: string; message?: string } => !!w?.reason);
  return states.find((w) => FAILING_REASONS.has(w.reason)) ?? states[0];
}

export async function readRolloutStatus(
  client: DeployClient,
  namespace: string,
  stack: string,
): Promise<RolloutStatus> {
  const labelSelector = `${STACK_LABEL}=${stack},${MANAGED_BY_LABEL}=${MANAGED_BY}`;
  const workloads = [
    ...(await client.list(known('Deployment'), namespace, { labelSelector })),
    ...(await client.list(known('StatefulSet'), namespace, { labelSelector })),
  ];
  let events: EventFields[] | undefined;
  const warningsFor = async (pods: string[]) => {
    events ??= (await client.list(known('Event'), namespace, { fieldSelector: 'type=Warning' })) as EventFields[];
    const messages = events
      .filter((e) => e.involvedObject?.kind === 'Pod' && pods.includes(e.involvedObject.name ?? ''))
      .map((e) => e.message ?? '')
      .filter(Boolean);
    return [...new Set(messages)];
  };

  const statuses: WorkloadStatus[] = [];
  let failed: RolloutStatus['failed'];
  let healthy = true;
  for (const w of workloads as (KubeObject & WorkloadFields)[]) {
    const desired = w.spec?.replicas ?? 1;
    const ready = w.status?.readyReplicas ?? 0;
    const current =
      (w.status?.observedGeneration ?? 0) >= Number(w.metadata.generation ?? 0) &&
      (w.status?.updatedReplicas ?? 0) >= desired &&
      (w.status?.replicas ?? 0) <= desired;
    const status: WorkloadStatus = { kind: w.kind, name: w.metadata.name, ready, desired };
    if (ready < desired || !current) {
      healthy = false;
      const matchLabels = w.spec?.selector?.matchLabels ?? {};
      const pods = Object.keys(matchLabels).length
        ? ((await client.list(known('Pod'), namespace, { labelSelector: selectorOf(matchLabels) })) as PodFields[])
        : [];
      const waiting = pods
        .filter((p) => !p.metadata.deletionTimestamp)
        .map((p) => ({ pod: p.metadata.name, w: waitingOf(p) }))
        .filter((x): x is { pod: string; w: { reason: string; message?: string } } => !!x.w);
      const worst = waiting.find((x) => FAILING_REASONS.has(x.w.reason)) ?? waiting[0];
      if (worst) {
        const warnings = await warningsFor(waiting.filter((x) => x.w.reason === worst.w.reason).map((x) => x.pod));
        const detail = [worst.w.message, ...warnings].filter((m, i, all): m is string => !!m && all.indexOf(m) === i);
        status.message = `${worst.w.reason}${detail.length ? `: ${detail.join('; ')}` : ''}`;
        if (!failed && FAILING_REASONS.has(worst.w.reason))
          failed = { component: w.metadata.name, reason: status.message };
      } else if (!current) status.message = 'Rolling out the new version';
    }
    statuses.push(status);
  }
  return {
    state: failed ? 'failed' : healthy ? 'healthy' : 'progressing',
    workloads: statuses,
    ...(failed ? { failed } : {}),
  };
}
