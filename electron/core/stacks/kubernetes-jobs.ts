/**
 * Configuration sets as ConfigMaps, and one-shot jobs (migrations) as batch/v1 Jobs.
 *
 * A one-shot job's Job is named `<job>-<hash8>`, the hash over its rendered pod template (which
 * carries a hash of the configuration files it reads). Job pod templates are immutable and a Job
 * runs once: so a changed spec is a new Job, which runs, and the deploy engine prunes the old one
 * as it prunes any object the stack no longer renders; an unchanged spec is the same Job,
 * unchanged, so re-applying it runs nothing. The Job has no ttlSecondsAfterFinished: a finished Job
 * deleted by the cluster would be created, and run, again by the next deploy.
 *
 * restartPolicy Never: each failed attempt is a new pod that stays, with its log, for `kubectl logs`
 * and the rollout's failure reason; backoffLimit (the job's retries) counts those pods. OnFailure
 * would restart the container in place, keeping only the last attempt's log, and Kubernetes deletes
 * the job's running pod when the limit is reached.
 */
import { createHash } from 'node:crypto';
import { compact, sortKeys, stableJson } from './json-util';
import type { ConfigSpec, OneShotJob, StackModel } from './model';
import {
  amounts,
  CONFIG_HASH_ANNOTATION,
  configMounts,
  configVolumes,
  fileVolume,
  pullPolicy,
  usedConfigs,
} from './kubernetes-pods';
import type { KubeObject } from './types';

export const DESCRIPTION_ANNOTATION = 'homeport.dev/description';

export interface JobContext {
  namespace: string;
  labels: Record<string, string>;
  claimName(volume: string): string;
}

export function renderConfigMap(config: ConfigSpec, namespace: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: config.name, namespace, labels },
    data: Object.fromEntries(config.files.map((f) => [f.key, f.content])),
  };
}

const hash = (value: unknown, length: number) =>
  createHash('sha256').update(stableJson(value)).digest('hex').slice(0, length);

/** The Job's name: the job's name and 8 hex digits of the hash of its pod template. */
export function jobName(job: OneShotJob, template: unknown): string {
  return `${job.name}-${hash(template, 8)}`;
}

type RunToEnd = Pick<OneShotJob, 'env' | 'secretEnv' | 'mounts' | 'user'>;

/** A run-to-end program's environment: secret variables first, then plain ones (which may reference them). */
export const jobEnv = (job: RunToEnd) => [
  ...job.secretEnv.map((e) => ({ name: e.name, valueFrom: { secretKeyRef: { name: e.secret, key: e.key } } })),
  ...job.env.map((e) => ({ name: e.name, value: e.value })),
];

export const jobVolumeMounts = (job: RunToEnd) =>
  job.mounts.map((m) => ({ name: m.volume, mountPath: m.mountPath, readOnly: m.readOnly }));

export const jobClaimVolumes = (job: RunToEnd, claimName: (volume: string) => string) =>
  job.mounts.map((m) => ({
    name: m.volume,
    persistentVolumeClaim: { claimName: claimName(m.volume), readOnly: m.readOnly },
  }));

/** The pod of a Job or a CronJob's Job: never restarted in place, no API token, the job's own user. */
export function jobPodSpec(job: RunToEnd, container: object, volumes: object[] | undefined) {
  return compact({
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
    volumes,
  });
}

export function renderOneShotJob(job: OneShotJob, model: StackModel, ctx: JobContext): KubeObject {
  const env = jobEnv(job);
  const files = job.files ?? [];
  const mounts = [
    ...jobVolumeMounts(job),
    ...configMounts(job.configFiles),
    ...files.map((f) => ({ name: fileVolume(f.secret), mountPath: f.path, subPath: f.key, readOnly: true })),
  ];
  const volumes = [
    ...jobClaimVolumes(job, ctx.claimName),
    ...configVolumes(job.configFiles),
    ...[...new Set(files.map((f) => f.secret))].map((secret) => ({
      name: fileVolume(secret),
      secret: { secretName: secret },
    })),
  ];
  const container = compact({
    name: job.name,
    image: job.image,
    imagePullPolicy: pullPolicy(job.image),
    command: job.command ? [...job.command] : undefined,
    args: job.args ? [...job.args] : undefined,
    env: env.length > 0 ? env : undefined,
    volumeMounts: mounts.length > 0 ? mounts : undefined,
    resources: compact({ requests: amounts(job.resources.requests), limits: amounts(job.resources.limits) }),
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  });
  const template = {
    metadata: {
      labels: ctx.labels,
      annotations: sortKeys({ [CONFIG_HASH_ANNOTATION]: hash(usedConfigs(job.configFiles, model), 16) }),
    },
    spec: jobPodSpec(job, container, volumes.length > 0 ? volumes : undefined),
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(job, template),
      namespace: ctx.namespace,
      labels: ctx.labels,
      annotations: { [DESCRIPTION_ANNOTATION]: job.description },
    },
    spec: { backoffLimit: job.retries, template },
  };
}
