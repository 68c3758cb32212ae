/**
 * Where a one-shot job's service stands (stacks/swarm-jobs.ts): done when its task completed,
 * failed when every attempt its restart policy allows has failed and none is left running,
 * progressing otherwise. Swarm replaces a failed job task at most MaxAttempts times under
 * `on-failure` (none under `none`; without limit when MaxAttempts is 0).
 */
import type { WorkloadStatus } from '@shared/deploy-schemas';
import type { LiveService, LiveTask } from './engine-api';

const FAILED = new Set(['failed', 'rejected', 'orphaned']);
const ENDED = new Set(['complete', 'failed', 'rejected', 'shutdown', 'orphaned', 'remove']);

export interface JobOutcome {
  status: WorkloadStatus;
  state: 'done' | 'failed' | 'progressing';
}

/** Attempts the restart policy allows in all; undefined when unlimited. */
export function allowedAttempts(s: LiveService): number | undefined {
  const policy = s.Spec.TaskTemplate.RestartPolicy;
  if (policy?.Condition === 'none') return 1;
  const max = policy?.MaxAttempts ?? 0;
  return max > 0 ? max + 1 : undefined;
}

/** `tasks`: the service's own tasks, newest first. */
export function jobOutcome(s: LiveService, job: string, tasks: LiveTask[]): JobOutcome {
  const desired = s.Spec.Mode.ReplicatedJob?.TotalCompletions ?? 1;
  const completed = tasks.filter((t) => t.Status.State === 'complete').length;
  const base = { kind: 'Job', name: s.Spec.Name, ready: Math.min(completed, desired), desired };
  if (completed >= desired) return { state: 'done', status: { ...base, message: 'completed' } };
  const failed = tasks.filter((t) => FAILED.has(t.Status.State));
  const attempts = allowedAttempts(s);
  const running = tasks.some((t) => !ENDED.has(t.Status.State));
  const last = failed[0];
  const why = last ? last.Status.Err || last.Status.Message || last.Status.State : '';
  if (attempts !== undefined && failed.length >= attempts && !running) {
    const message = `job '${job}' failed after ${failed.length} attempt${failed.length === 1 ? '' : 's'}: ${why}`;
    return { state: 'failed', status: { ...base, message } };
  }
  const current = tasks[0];
  const message = current
    ? `attempt ${tasks.length}${attempts ? ` of ${attempts}` : ''}: ${current.Status.State}` +
      (failed.length && why ? ` (last failure: ${why})` : '')
    : 'waiting for its task';
  return { state: 'progressing', status: { ...base, message } };
}
