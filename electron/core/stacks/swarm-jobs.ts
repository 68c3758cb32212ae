/**
 * One-shot jobs (a model's `tasks`: migrations) on Swarm: a service in replicated-job mode
 * (`Mode.ReplicatedJob`, MaxConcurrent 1, TotalCompletions 1: one task runs to completion, Docker
 * Engine API, moby api/swagger.yaml:5151-5167), named `<stack>_<job>-<hash8 of its spec>`. A job
 * service is never updated: a changed spec is a new service (a new run); the deployer removes the
 * job's older services afterwards, and an unchanged spec does not run again.
 *
 * Retries: RestartPolicy `on-failure` with MaxAttempts = retries, so a failed task is replaced at
 * most `retries` times; zero retries is Condition `none`, because MaxAttempts 0 means no limit
 * (swarmkit manager/orchestrator/restart/restart.go:242, vendored in moby at the commit read).
 * Swarm does not restart a completed job task whatever the condition (restart.go:219-236).
 * No health check (the job runs to its end), no update or rollback config.
 */
import type { Component, OneShotJob, ScheduledJob } from './model';
import { SECOND } from './swarm-health';
import { SWARM_DESCRIPTION_LABEL, SWARM_JOB_LABEL, SWARM_SCHEDULE_LABEL, type SwarmServiceSpec } from './swarm-spec';
import { hash8, swarmName } from './swarm-util';

/** The job as a component, so the renderer builds its container spec like any other. */
export function oneShotComponent(job: OneShotJob): Component {
  const check = { type: 'exec' as const, command: ['true'] };
  return {
    name: job.name,
    image: job.image,
    ...(job.command ? { command: job.command } : {}),
    ...(job.args ? { args: job.args } : {}),
    ...(job.configFiles ? { configFiles: job.configFiles } : {}),
    ...(job.files ? { files: job.files } : {}),
    ...(job.connectsTo ? { connectsTo: job.connectsTo } : {}),
    ports: [],
    env: job.env,
    secretEnv: job.secretEnv,
    identityEnv: [],
    mounts: job.mounts,
    stateful: false,
    security: job.user ? { user: job.user } : undefined,
    probes: { liveness: { check }, readiness: { check } },
    replicas: 1,
    resources: job.resources,
    stopGracePeriodSeconds: 10,
  };
}

/** The rendered service of a job's component, in replicated-job mode and named by its spec. */
export function jobService(svc: SwarmServiceSpec, job: OneShotJob, stack: string): SwarmServiceSpec {
  const { Name: _name, UpdateConfig: _u, RollbackConfig: _r, ...rest } = svc;
  const body: Omit<SwarmServiceSpec, 'Name'> = {
    ...rest,
    Labels: { ...svc.Labels, [SWARM_JOB_LABEL]: job.name, [SWARM_DESCRIPTION_LABEL]: job.description },
    TaskTemplate: {
      ...svc.TaskTemplate,
      ContainerSpec: {
        ...svc.TaskTemplate.ContainerSpec,
        Healthcheck: { Test: ['NONE'], Interval: 0, Timeout: 0, Retries: 0, StartPeriod: 0 },
      },
      RestartPolicy:
        job.retries > 0
          ? { Condition: 'on-failure', Delay: 5 * SECOND, MaxAttempts: job.retries }
          : { Condition: 'none', Delay: 0, MaxAttempts: 0 },
    },
    Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
  };
  return { Name: swarmName(`${stack}_${job.name}-${hash8(JSON.stringify(body))}`), ...body };
}

/** Scheduled jobs' services carry their schedule and description, for plans and screens. */
export function withScheduleLabels(svc: SwarmServiceSpec, job: ScheduledJob): SwarmServiceSpec {
  return {
    ...svc,
    Labels: { ...svc.Labels, [SWARM_SCHEDULE_LABEL]: job.schedule, [SWARM_DESCRIPTION_LABEL]: job.description },
  };
}
