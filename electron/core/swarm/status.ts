/**
 * Convergence of a deployed Swarm stack: running against desired tasks per service, counting only
 * tasks of the service's current spec, and the end state.
 */
import type { RolloutStatus, WorkloadStatus } from '@shared/deploy-schemas';
import { SWARM_COMPONENT_LABEL } from '../stacks/swarm';
import type { EngineApi, LiveService, LiveTask, UpdateState } from './engine-api';
import { jobOutcome } from './job-status';
import { sameContainerSpec } from './normalize';

/** Update states after which the service does not move on by itself. */
export const FAILED_UPDATE_STATES = new Set<UpdateState>(['rollback_completed', 'rollback_paused', 'paused']);
const IN_PROGRESS = new Set<UpdateState>(['updating', 'rollback_started']);
const FAILED_TASK_STATES = new Set(['failed', 'rejected', 'orphaned']);

const newestFirst = (a: LiveTask, b: LiveTask) =>
  String(b.Status.Timestamp ?? b.UpdatedAt ?? '').localeCompare(String(a.Status.Timestamp ?? a.UpdatedAt ?? ''));

export const componentOf = (s: LiveService) => s.Spec.Labels?.[SWARM_COMPONENT_LABEL] ?? s.Spec.Name;

/** The running tasks of a service, by ID. */
export async function runningTaskIds(api: EngineApi, service: { ID: string; Spec: { Name: string } }) {
  const tasks = await api.tasks([service.Spec.Name]);
  return new Set(tasks.filter((t) => t.ServiceID === service.ID && t.Status.State === 'running').map((t) => t.ID));
}

/**
 * Where the update of a service stands, knowing the tasks that ran before it: 'done' once the
 * update is no longer in progress, the desired count of tasks runs and none of the earlier tasks
 * does (a change outside the task template replaces no task, so it is done at once); 'failed'
 * when the engine paused or rolled it back; 'pending' otherwise.
 */
export async function updateOutcome(
  api: EngineApi,
  id: string,
  before: ReadonlySet<string>,
  replacesTasks: boolean,
): Promise<'done' | 'failed' | 'pending'> {
  const s = await api.service(id);
  const state = s.UpdateStatus?.State;
  if (state && FAILED_UPDATE_STATES.has(state)) return 'failed';
  if (!replacesTasks) return 'done';
  if (state && IN_PROGRESS.has(state)) return 'pending';
  const running = await runningTaskIds(api, s);
  const fresh = [...running].filter((t) => !before.has(t));
  const settled = fresh.length === (s.Spec.Mode?.Replicated?.Replicas ?? 0) && fresh.length === running.size;
  return settled ? 'done' : 'pending';
}

export async function readSwarmStatus(api: EngineApi, selector: string): Promise<RolloutStatus> {
  const services = (await api.services(selector)).sort((a, b) => a.Spec.Name.localeCompare(b.Spec.Name));
  const tasks = await api.tasks(services.map((s) => s.Spec.Name));
  const workloads: WorkloadStatus[] = [];
  let failed: RolloutStatus['failed'];
  let healthy = true;
  for (const s of services) {
    const desired = s.Spec.Mode?.Replicated?.Replicas ?? 0;
    const own = tasks.filter((t) => t.ServiceID === s.ID).sort(newestFirst);
    if (s.Spec.Mode?.ReplicatedJob) {
      const job = jobOutcome(s, componentOf(s), own);
      workloads.push(job.status);
      if (job.state === 'failed') failed ??= { component: componentOf(s), reason: job.status.message ?? 'failed' };
      if (job.state !== 'done') healthy = false;
      continue;
    }
    const spec = s.Spec.TaskTemplate.ContainerSpec;
    const running = own.filter((t) => t.Status.State === 'running' && t.DesiredState === 'running');
    // Scaled away or replaced, and not stopped yet: docker service ls still counts it, so not converged.
    const stopping = own.filter((t) => t.Status.State === 'running' && t.DesiredState !== 'running');
    const current = running.filter((t) => sameContainerSpec(t.Spec.ContainerSpec, spec));
    const state = s.UpdateStatus?.State;
    const status: WorkloadStatus = { kind: 'Service', name: s.Spec.Name, ready: current.length, desired };
    const latestFailure = own.find((t) => FAILED_TASK_STATES.has(t.Status.State));
    const taskError = latestFailure
      ? `${latestFailure.Status.Err || latestFailure.Status.Message || latestFailure.Status.State}`
      : undefined;
    if (state && FAILED_UPDATE_STATES.has(state)) {
      healthy = false;
      const reason = [s.UpdateStatus?.Message, taskError].filter(Boolean).join(': ') || `update ${state}`;
      status.message = reason;
      failed ??= { component: componentOf(s), reason };
    } else if (running.length === 0 && desired > 0 && own[0] && FAILED_TASK_STATES.has(own[0].Status.State)) {
      healthy = false;
      status.message = `task ${own[0].Status.State}: ${taskError ?? ''}`;
      failed ??= { component: componentOf(s), reason: status.message };
    } else if (
      current.length !== desired ||
      running.length !== current.length ||
      stopping.length > 0 ||
      (state && IN_PROGRESS.has(state))
    ) {
      healthy = false;
      const starting = own.find((t) => t.DesiredState === 'running' && t.Status.State !== 'running');
      status.message =
        state && IN_PROGRESS.has(state)
          ? s.UpdateStatus?.Message || `update ${state}`
          : starting
            ? `task ${starting.Status.State}${starting.Status.Err ? `: ${starting.Status.Err}` : ''}`
            : current.length === desired && stopping.length > 0
              ? `Stopping ${stopping.length} old task${stopping.length === 1 ? '' : 's'}`
              : 'Rolling out the new version';
    }
    workloads.push(status);
  }
  return {
    state: failed ? 'failed' : healthy ? 'healthy' : 'progressing',
    workloads,
    ...(failed ? { failed } : {}),
  };
}
