/** Rows of workloads: Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and Pods. */
import type { PodSummary } from '@shared/kube-schemas';
import type { ResourceRow, Tone } from '@shared/resource-schemas';
import { directOwner, type PodObject, summarizePod } from '../pod-summary';
import { type AnyObject, arr, condition, duration, num, rec, row, str } from './row-base';

/** Ready x/y against the desired count: a workload short of it is a problem (as a rollout is, until it ends). */
function replicated(obj: AnyObject, ready: number, desired: number, cells: ResourceRow['cells']): ResourceRow {
  if (desired === 0) return row(obj, 'Scaled to 0', 'muted', false, cells);
  if (ready >= desired) return row(obj, 'Ready', 'ok', false, cells);
  return row(obj, `${desired - ready} not ready`, 'error', true, cells);
}

export function summarizeDeployment(obj: AnyObject): ResourceRow {
  const desired = num(obj.spec?.replicas ?? 1);
  const ready = num(obj.status?.readyReplicas);
  const cells = {
    ready: `${ready}/${desired}`,
    upToDate: num(obj.status?.updatedReplicas),
    available: num(obj.status?.availableReplicas),
  };
  const progressing = condition(obj, 'Progressing');
  if (progressing?.status === 'False') return row(obj, progressing.reason || 'Not progressing', 'error', true, cells);
  // Short of ready replicas says more than Available=False (MinimumReplicasUnavailable) would.
  return replicated(obj, ready, desired, cells);
}

export function summarizeStatefulSet(obj: AnyObject): ResourceRow {
  const desired = num(obj.spec?.replicas ?? 1);
  const ready = num(obj.status?.readyReplicas);
  return replicated(obj, ready, desired, { ready: `${ready}/${desired}` });
}

export function summarizeReplicaSet(obj: AnyObject): ResourceRow {
  const desired = num(obj.spec?.replicas ?? 1);
  const ready = num(obj.status?.readyReplicas);
  const owner = directOwner(obj);
  return replicated(obj, ready, desired, {
    ready: `${ready}/${desired}`,
    owner: owner ? `${owner.kind}/${owner.name}` : '',
  });
}

export function summarizeDaemonSet(obj: AnyObject): ResourceRow {
  const desired = num(obj.status?.desiredNumberScheduled);
  const ready = num(obj.status?.numberReady);
  const selector = Object.entries(rec(rec(rec(rec(obj.spec).template).spec).nodeSelector))
    .map(([k, v]) => `${k}=${str(v)}`)
    .join(',');
  const cells = { ready: `${ready}/${desired}`, desired, nodeSelector: selector };
  if (desired === 0) return row(obj, 'No nodes', 'muted', false, cells);
  return replicated(obj, ready, desired, cells);
}

export function summarizeJob(obj: AnyObject): ResourceRow {
  const completions = num(obj.spec?.completions ?? 1);
  const succeeded = num(obj.status?.succeeded);
  const start = str(obj.status?.startTime);
  const end = str(obj.status?.completionTime);
  const cells = { completions: `${succeeded}/${completions}`, duration: start && end ? duration(start, end) : '' };
  const failed = condition(obj, 'Failed');
  if (failed?.status === 'True') return row(obj, failed.reason || 'Failed', 'error', true, cells);
  if (condition(obj, 'Complete')?.status === 'True') return row(obj, 'Complete', 'muted', false, cells);
  if (obj.spec?.suspend === true) return row(obj, 'Suspended', 'muted', false, cells);
  return row(obj, num(obj.status?.active) > 0 ? 'Running' : 'Pending', 'warn', false, cells);
}

export function summarizeCronJob(obj: AnyObject): ResourceRow {
  const cells = {
    schedule: str(obj.spec?.schedule),
    active: arr(obj.status?.active).length,
    lastSchedule: str(obj.status?.lastScheduleTime),
  };
  if (obj.spec?.suspend === true) return row(obj, 'Suspended', 'muted', false, cells);
  return row(obj, 'Scheduled', 'ok', false, cells);
}

const POD_TROUBLE = /BackOff|Err|Failed|Error|OOMKilled|Evicted|Unknown/;

export function summarizePodRow(obj: AnyObject): ResourceRow {
  return podRow(summarizePod(obj as PodObject));
}

/**
 * A pod's browser row from its summary, so the browser's pods share the Pods screen's watch (one
 * list+watch per cluster and namespace, whichever screen asked first).
 */
export function podRow(s: PodSummary): ResourceRow {
  const base = { key: `${s.namespace}/${s.name}`, name: s.name, namespace: s.namespace, createdAt: s.createdAt };
  const cells = { ready: `${s.ready}/${s.total}`, restarts: s.restarts, node: s.node ?? '' };
  const made = (status: string, tone: Tone, problem: boolean): ResourceRow => ({
    ...base,
    status,
    tone,
    problem,
    cells,
  });
  const reason = s.reason ?? s.phase;
  // A pod being deleted says so whatever its own status, as every row does.
  if (s.deleting) return made('Terminating', 'warn', POD_TROUBLE.test(reason));
  if (POD_TROUBLE.test(reason)) return made(reason, 'error', true);
  if (s.phase === 'Succeeded') return made(reason, 'muted', false);
  if (s.phase === 'Running' && s.ready === s.total) return made(reason, 'ok', false);
  return made(reason, 'warn', false);
}
