/**
 * Rollout progress of a deployed stack: ready against desired per Deployment and StatefulSet, why
 * pods are not ready (waiting reasons and Warning events), and the end state. The stack's one-shot
 * Jobs count too (not those its CronJobs start): done when Complete (1 of 1 ready), failed when
 * Failed (the backoff limit reached) or when their pod cannot start, progressing until then.
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
interface PodLabels {
  metadata: { labels?: Record<string, string>; ownerReferences?: { uid?: string }[]; creationTimestamp?: string };
}
interface JobFields {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
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

/** The app.kubernetes.io/name label: the component or job a workload belongs to. */
const NAME_LABEL = 'app.kubernetes.io/name';

/** How a finished pod's container ended, when it failed ('exit code 1 (Error)'). */
function terminationOf(pod: PodFields): string | undefined {
  const statuses = (pod.status?.containerStatuses ?? []) as {
    state?: { terminated?: { exitCode?: number; reason?: string } };
  }[];
  const t = statuses.map((c) => c.state?.terminated).find((x) => x && x.exitCode !== 0);
  return t ? `exit code ${t.exitCode ?? '?'}${t.reason ? ` (${t.reason})` : ''}` : undefined;
}

const DEPLOYMENT_REVISION = 'deployment.kubernetes.io/revision';

/**
 * The pods of the workload's current version: for a Deployment those of its newest ReplicaSet (old
 * ones may still be failing while the new version starts), for a StatefulSet those of its update
 * revision when it reports one.
 */
async function currentPods(client: DeployClient, namespace: string, w: KubeObject & WorkloadFields) {
  const matchLabels = w.spec?.selector?.matchLabels ?? {};
  if (Object.keys(matchLabels).length === 0) return [];
  const labelSelector = selectorOf(matchLabels);
  const pods = (await client.list(known('Pod'), namespace, { labelSelector })) as (PodFields & PodLabels)[];
  if (w.kind === 'StatefulSet') {
    const update = (w.status as { updateRevision?: string } | undefined)?.updateRevision;
    return update ? pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] === update) : pods;
  }
  if (w.kind !== 'Deployment') return pods;
  const sets = ((await client.list(known('ReplicaSet'), namespace, { labelSelector })) as (KubeObject & PodLabels)[])
    .filter((rs) => (rs.metadata.ownerReferences ?? []).some((o) => o.uid === w.metadata.uid))
    .sort(
      (a, b) =>
        Number(b.metadata.annotations?.[DEPLOYMENT_REVISION] ?? 0) -
          Number(a.metadata.annotations?.[DEPLOYMENT_REVISION] ?? 0) ||
        String(b.metadata.creationTimestamp ?? '').localeCompare(String(a.metadata.creationTimestamp ?? '')),
    );
  const hash = sets[0]?.metadata.labels?.['pod-template-hash'];
  return hash ? pods.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash) : pods;
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
  const jobs = (await client.list(known('Job'), namespace, { labelSelector })).filter(
    (j) => !((j.metadata.ownerReferences ?? []) as { kind?: string }[]).some((o) => o.kind === 'CronJob'),
  ) as (KubeObject & JobFields)[];
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
    const observed = (w.status?.observedGeneration ?? 0) >= Number(w.metadata.generation ?? 0);
    if (!observed) {
      // The controller has not seen the new spec yet: the pods still belong to the old version.
      healthy = false;
      status.message = 'Waiting for the controller to pick up the new version';
    } else if (ready < desired || !current) {
      healthy = false;
      const pods = await currentPods(client, namespace, w);
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
  for (const j of jobs) {
    const condition = (type: string) => j.status?.conditions?.find((c) => c.type === type && c.status === 'True');
    const status: WorkloadStatus = {
      kind: 'Job',
      name: j.metadata.name,
      ready: condition('Complete') ? 1 : 0,
      desired: 1,
    };
    const component = j.metadata.labels?.[NAME_LABEL] ?? j.metadata.name;
    const failedCondition = condition('Failed');
    if (failedCondition) {
      // The last attempt's pod says why (its exit code or waiting reason).
      const pods = (await client.list(known('Pod'), namespace, {
        labelSelector: `job-name=${j.metadata.name}`,
      })) as (PodFields & PodLabels)[];
      const why = pods.map(terminationOf).find(Boolean);
      const reason = [failedCondition.reason, failedCondition.message].filter(Boolean).join(': ');
      status.message = why ? `${reason} (${why})` : reason;
      failed ??= { component, reason: status.message };
    } else if (status.ready < 1) {
      healthy = false;
      const pods = (await client.list(known('Pod'), namespace, {
        labelSelector: `job-name=${j.metadata.name}`,
      })) as (PodFields & PodLabels)[];
      const waiting = pods.map((p) => ({ pod: p.metadata.name, w: waitingOf(p) })).filter((x) => x.w);
      const worst = waiting.find((x) => x.w && FAILING_REASONS.has(x.w.reason));
      if (worst?.w) {
        status.message = `${worst.w.reason}${worst.w.message ? `: ${worst.w.message}` : ''}`;
        failed ??= { component, reason: status.message };
      } else status.message = 'Running to completion';
    }
    statuses.push(status);
  }
  return {
    state: failed ? 'failed' : healthy ? 'healthy' : 'progressing',
    workloads: statuses,
    ...(failed ? { failed } : {}),
  };
}
