/** A scheduled job of the model as a batch/v1 CronJob (why it looks as it does: scheduled-jobs.ts). */
import { compact } from './json-util';
import type { ScheduledJob } from './model';
import type { KubeObject } from './types';

export interface CronJobContext {
  stack: string;
  namespace: string;
  labels: Record<string, string>;
  claimName(volume: string): string;
}

export function renderCronJob(job: ScheduledJob, ctx: CronJobContext): KubeObject {
  const env = [
    ...job.secretEnv.map((e) => ({ name: e.name, valueFrom: { secretKeyRef: { name: e.secret, key: e.key } } })),
    ...job.env.map((e) => ({ name: e.name, value: e.value })),
    ...(job.stackNameEnv ? [{ name: job.stackNameEnv, value: ctx.stack }] : []),
  ];
  const container = compact({
    name: job.name,
    image: job.image,
    command: [...job.command],
    env: env.length > 0 ? env : undefined,
    volumeMounts: job.mounts.map((m) => ({ name: m.volume, mountPath: m.mountPath, readOnly: m.readOnly })),
    resources: compact({
      requests: compact({ ...job.resources.requests }),
      limits: compact({ ...job.resources.limits }),
    }),
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  });
  const pod = {
    metadata: { labels: ctx.labels },
    spec: compact({
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      securityContext: job.user
        ? {
            runAsNonRoot: true,
            runAsUser: job.user.uid,
            runAsGroup: job.user.gid,
            seccompProfile: { type: 'RuntimeDefault' },
          }
        : undefined,
      containers: [container],
      volumes: job.mounts.map((m) => ({
        name: m.volume,
        persistentVolumeClaim: { claimName: ctx.claimName(m.volume), readOnly: m.readOnly },
      })),
    }),
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: job.name,
      namespace: ctx.namespace,
      labels: ctx.labels,
      annotations: { 'homeport.dev/description': job.description },
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
