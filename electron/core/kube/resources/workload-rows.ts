/** Rows of workloads: Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and Pods. */
import type { ResourceRow } from '@shared/resource-schemas';
import { directOwner, type PodObject, podStatusReason, summarizePod } from '../pod-summary';
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
  const pod = obj as PodObject;
  const s = summarizePod(pod);
  const reason = podStatusReason(pod);
  const cells = { ready: `${s.ready}/${s.total}`, restarts: s.restarts, node: s.node ?? '' };
  if (POD_TROUBLE.test(reason)) return row(obj, reason, 'error', true, cells);
  if (s.phase === 'Succeeded') return row(obj, reason, 'muted', false, cells);
  if (s.phase === 'Running' && s.ready === s.total) return row(obj, reason, 'ok', false, cells);
  return row(obj, reason, 'warn', false, cells);
}
