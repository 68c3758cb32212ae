/** A scheduled job of the model as a batch/v1 CronJob (why it looks as it does: scheduled-jobs.ts). */
import { compact } from './json-util';
import { DESCRIPTION_ANNOTATION, jobClaimVolumes, jobEnv, jobPodSpec, jobVolumeMounts } from './kubernetes-jobs';
import type { ScheduledJob } from './model';
import type { KubeObject } from './types';

export interface CronJobContext {
  stack: string;
  namespace: string;
  labels: Record<string, string>;
  claimName(volume: string): string;
}

export function renderCronJob(job: ScheduledJob, ctx: CronJobContext): KubeObject {
  const env = [...jobEnv(job), ...(job.stackNameEnv ? [{ name: job.stackNameEnv, value: ctx.stack }] : [])];
  const container = compact({
    name: job.name,
    image: job.image,
    command: [...job.command],
    env: env.length > 0 ? env : undefined,
    volumeMounts: jobVolumeMounts(job),
    resources: compact({
      requests: compact({ ...job.resources.requests }),
      limits: compact({ ...job.resources.limits }),
    }),
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  });
  const pod = {
    metadata: { labels: ctx.labels },
    spec: jobPodSpec(job, container, jobClaimVolumes(job, ctx.claimName)),
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: job.name,
      namespace: ctx.namespace,
      labels: ctx.labels,
      annotations: { [DESCRIPTION_ANNOTATION]: job.description },
    },
    spec: {
      schedule: job.schedule,
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      // A time missed by more than an hour (the cluster was down) is skipped, not run late in a burst.
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: ctx.labels },
        spec: { backoffLimit: 2, template: pod },
      },
    },
  };
}
