/**
 * The platform-neutral stack model. A stack definition turns the user's validated values into a
 * StackModel: the components that run, the shared volumes they mount, the secrets they read and
 * how the stack is reached from outside. Renderers (kubernetes.ts) translate the model for one
 * target platform; nothing here names a platform's object kinds.
 */
import type { z } from 'zod';
import type { StackBackup } from './backup-declaration';
import type { StackSignals } from './signals';
import type { ImageContract } from './upstream';

/** A named network port a component listens on (TCP). */
export interface PortSpec {
  name: string;
  port: number;
}

/** A health check: an HTTP GET that must answer 2xx/3xx, a TCP connect, or a command that must exit 0. */
export type HealthCheck =
  { type: 'http'; path: string; port: number } | { type: 'tcp'; port: number } | { type: 'exec'; command: string[] };

export interface Probe {
  check: HealthCheck;
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export interface Probes {
  /** Failing restarts the instance. */
  liveness: Probe;
  /** Failing takes the instance out of load balancing. */
  readiness: Probe;
  /** Until it passes, liveness and readiness are not checked (slow starts). */
  startup?: Probe;
}

/** A plain environment variable. The value may reference variables defined before it with `$(NAME)`. */
export interface EnvVar {
  name: string;
  value: string;
}

/** An environment variable read from a key of a secret (one of the model's secrets or an existing one). */
export interface SecretEnvVar {
  name: string;
  secret: string;
  key: string;
}

/** Facts about the running instance a component wants in its environment. */
/**
 * instanceSlot: the instance's ordinal among its component's instances (Kubernetes: a StatefulSet
 * pod's `apps.kubernetes.io/pod-index` label, 0-based; Swarm: `{{.Task.Slot}}`, 1-based).
 */
export type InstanceField = 'instanceName' | 'namespace' | 'instanceIp' | 'hostName' | 'instanceSlot';

export interface IdentityEnvVar {
  name: string;
  field: InstanceField;
}

/** A shared volume mounted into a component. */
export interface VolumeMount {
  /** Name of one of the model's shared volumes. */
  volume: string;
  mountPath: string;
  readOnly: boolean;
}

/** Per-instance persistent storage of a stateful component. */
export interface DataVolume {
  mountPath: string;
  /** Size as a quantity ('10Gi'). */
  size: string;
  /** Storage class; absent means the cluster's default. */
  storageClass?: string;
  /** Group id the data must be writable by (images that run as a fixed non-root user). */
  ownerGroup?: number;
}

export interface ResourceAmounts {
  /** CPU as a quantity ('250m', '1'). */
  cpu?: string;
  /** Memory as a quantity ('256Mi'). */
  memory?: string;
}

export interface Resources {
  requests: ResourceAmounts;
  limits: ResourceAmounts;
}

/** How fast an autoscaler may change the count in one direction (Kubernetes HPA behaviour, target-neutral). */
export interface ScalingRules {
  /** The highest recommendation over this window is used, so short dips do not scale down. */
  stabilizationWindowSeconds?: number;
  /** At most this many instances (Pods) or this share of them (Percent) per period. */
  policies?: { type: 'Pods' | 'Percent'; value: number; periodSeconds: number }[];
  /** With several policies: the one allowing the most change (Max, default) or the least (Min). */
  selectPolicy?: 'Max' | 'Min';
}

export interface Autoscale {
  min: number;
  max: number;
  /** Target average CPU use, in percent of the requested CPU. At least one of cpu and memory is set. */
  cpuPercent?: number;
  /** Target average memory use, in percent of the requested memory. */
  memoryPercent?: number;
  behavior?: { scaleUp?: ScalingRules; scaleDown?: ScalingRules };
}

/** One key of one of the model's secrets (or an existing secret), mounted as a single file. */
export interface SecretFile {
  secret: string;
  key: string;
  /** Absolute path of the file in the container; nothing else in its directory is hidden. */
  path: string;
}

/** How the container runs: its user, and a read-only root filesystem with writable directories. */
export interface SecuritySpec {
  /** Numeric user and group the image runs as (non-root); the data volumes are made writable by the group. */
  user?: { uid: number; gid: number };
  /** The root filesystem is read-only; these directories get empty writable volumes. */
  readOnlyRoot?: { writable: string[] };
}

/** One file of one of the model's configuration sets, mounted as a single file (not secret). */
export interface ConfigFile {
  config: string;
  key: string;
  /** Absolute path of the file in the container; nothing else in its directory is hidden. */
  path: string;
}

/** A component this one connects to (egress), or an address outside the stack. */
export type EgressRule =
  | { component: string; ports: number[] }
  /** Anything outside the cluster's private ranges on these ports (public APIs); cidr narrows it. */
  | { external: true; ports: number[]; cidr?: string };

export interface Component {
  /** Unique within the stack; also the name other components reach it by. */
  name: string;
  image: string;
  /** Configuration files (ConfigMap / Swarm config), mounted read-only. */
  configFiles?: ConfigFile[];
  /**
   * Where the component may connect to. Undefined: anywhere. Defined: only these (and name
   * resolution); Kubernetes renders egress rules, Swarm separates networks (it has no egress rules).
   */
  connectsTo?: EgressRule[];
  /** A headless Service too (per-instance DNS names) for a stateless component; stateful ones always get it. */
  headless?: boolean;
  /** Programs the image has, for health checks that run inside it (from the image's upstream contract). */
  tools?: string[];
  /** Secret keys mounted as single files (config files). */
  files?: SecretFile[];
  security?: SecuritySpec;
  /** Requests from one client keep going to the same instance (state held in one process's memory). */
  stickySessions?: boolean;
  /** Replaces the image's entrypoint when set. */
  command?: string[];
  /** Replaces the image's default arguments when set. */
  args?: string[];
  ports: PortSpec[];
  /** Instance identity variables come first, then secret variables, then these (so these may reference both). */
  env: EnvVar[];
  secretEnv: SecretEnvVar[];
  identityEnv: IdentityEnvVar[];
  mounts: VolumeMount[];
  /** Stateful components keep a stable identity and their own data volume per instance. */
  stateful: boolean;
  /**
   * Instances are addressed by their own names (`<name>-<i>.<name>-headless`), not only through the
   * component's name. Kubernetes gives a stateful component's instances these names anyway; on
   * Swarm it makes the component one service per instance (swarm-instances.ts).
   */
  namedInstances?: boolean;
  data?: DataVolume;
  probes: Probes;
  /** Instance count when not autoscaled (and the initial count otherwise). */
  replicas: number;
  autoscale?: Autoscale;
  resources: Resources;
  /** Instances that must stay up during voluntary disruptions (node drains). */
  disruptionBudget?: { minAvailable: number };
  /** Components allowed to connect to this one; undefined means anyone may connect. */
  acceptsFrom?: string[];
  /** The instances compete for this lease; only the holder runs the periodic jobs. */
  leaderElection?: { lease: string };
  /**
   * Where the component serves Prometheus metrics: a ServiceMonitor when the cluster has the
   * monitoring.coreos.com CRD (RenderOptions.serviceMonitors), scrape annotations otherwise. The
   * port must be one of `ports` (by number).
   */
  metrics?: { path: string; port: number; intervalSeconds?: number };
  stopGracePeriodSeconds: number;
}

/**
 * Storage shared by the stack's components. `nfs`: an export outside the stack (read-only media, or
 * writable downloads/backups). `claim`: storage the platform provisions for the stack (a
 * PersistentVolumeClaim of a storage class on Kubernetes, a local named volume on Swarm).
 */
export type SharedVolume =
  | {
      name: string;
      type: 'nfs';
      server: string;
      path: string;
      readOnly: boolean;
      /** Nominal size as a quantity ('1Ti'). */
      size: string;
    }
  | {
      name: string;
      type: 'claim';
      /** Absent: the cluster's default storage class. */
      storageClass?: string;
      size: string;
      readOnly: false;
    };

export interface SecretKey {
  key: string;
  /**
   * Generated once on the first deploy and kept afterwards; the model never carries its value.
   * Generated values must be URL-safe (letters and digits): stacks embed them in connection URLs.
   */
  generated: boolean;
  /**
   * Provided by Homeport at deploy time from its encrypted store (a saved S3 profile's keys): the
   * model never carries its value; deployers get it separately (ProvidedSecrets) and keep it out
   * of revisions.
   */
  provided?: boolean;
  /** Only for keys that are neither generated nor provided. */
  value?: string;
  /** How a generated value is made: 32 random bytes as base64url (token, default) or as 64 hex digits. */
  format?: 'token' | 'hex32';
  /**
   * A file assembled at deploy time from other secret keys: `{{secret/key}}` is replaced by that
   * key's value (a generated or provided key of the model, or a key of an existing secret). The
   * template itself holds no secret value; values are inserted as they are (stacks quote them).
   */
  template?: string;
}

/**
 * Secret values Homeport provides at deploy time, by secret name and key (resolved references such
 * as a saved S3 profile's keys). Deployers put them into the platform's secrets only: never into
 * values, rendered output, revisions, plans or logs.
 */
export type ProvidedSecrets = Record<string, Record<string, string>>;

export interface SecretSpec {
  name: string;
  keys: SecretKey[];
}

/** HTTP entry point of the stack: path prefixes routed to components (longest prefix wins). */
export interface IngressSpec {
  host: string;
  routes: { path: string; component: string; port: number }[];
  /** Which ingress controller serves it; absent means the cluster default. */
  className?: string;
}

/** `{{secret/key}}` references of a secret template, in order of appearance. */
export const TEMPLATE_REF = /\{\{([a-z0-9][-a-z0-9.]*)\/([-._a-zA-Z0-9]+)\}\}/g;

export function templateRefs(template: string): { secret: string; key: string }[] {
  return [...template.matchAll(TEMPLATE_REF)].map((m) => ({ secret: m[1] ?? '', key: m[2] ?? '' }));
}

/**
 * A component port published on the hosts, for platforms without an ingress controller (Docker
 * Swarm's routing mesh). Platforms with one reach the stack through `ingress` instead.
 */
export interface PublishedPort {
  component: string;
  /** The port the component listens on. */
  port: number;
  /** The port on every host that forwards to it. */
  publishedPort: number;
}

/**
 * A program run on a schedule, next to the stack (the in-cluster backup): a CronJob on Kubernetes,
 * a service that waits for the next time on Swarm (stacks/scheduled-jobs.ts). It runs to the end
 * once per time; a run still going when the next time comes is not doubled.
 */
export interface ScheduledJob {
  /** Unique among the stack's components and jobs (it names the job's pods and network rules). */
  name: string;
  image: string;
  /** Five cron fields in UTC: minute hour day-of-month month day-of-week ('0 3 * * *'). */
  schedule: string;
  command: string[];
  env: EnvVar[];
  /** On Swarm these become NAME_FILE variables (scheduled-jobs.ts): the command must read either. */
  secretEnv: SecretEnvVar[];
  /** An environment variable set to the deployed stack's name (known only when rendering). */
  stackNameEnv?: string;
  /** Shared volumes it writes to. */
  mounts: VolumeMount[];
  /** Numeric user and group it runs as (the image's own user). */
  user?: { uid: number; gid: number };
  resources: Resources;
  /** What a run does, in the user's words, for plans and screens. */
  description: string;
  /**
   * The programs its image has, from the image's contract. Swarm's schedule loop needs a shell
   * (scheduled-jobs.ts); a job whose image has none is not scheduled there. Undefined: a shell.
   */
  tools?: readonly string[];
}

/**
 * A program run to the end once per deployed revision of its spec (a migration): a Job on
 * Kubernetes, a replicated-job service on Swarm. Its name carries a hash of its spec, so a changed
 * spec runs again and an unchanged one does not. Components listed in `before` are not waited on by
 * the platform; the program must retry until what it needs answers.
 */
export interface OneShotJob {
  /** Unique among the stack's components and jobs. */
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env: EnvVar[];
  secretEnv: SecretEnvVar[];
  configFiles?: ConfigFile[];
  /** Secret keys mounted as single files (a configuration file holding a password). */
  files?: SecretFile[];
  mounts: VolumeMount[];
  user?: { uid: number; gid: number };
  resources: Resources;
  /** Attempts before the job counts as failed. */
  retries: number;
  /** Where the job may connect to (as for components). */
  connectsTo?: EgressRule[];
  /** What a run does, in the user's words, for plans and screens. */
  description: string;
}

/** A set of configuration files (not secret), by key. */
export interface ConfigSpec {
  name: string;
  files: { key: string; content: string }[];
}

export interface StackModel {
  components: Component[];
  jobs?: ScheduledJob[];
  /** Programs run once per revision of their spec (migrations). */
  tasks?: OneShotJob[];
  configs?: ConfigSpec[];
  volumes: SharedVolume[];
  secrets: SecretSpec[];
  ingress?: IngressSpec;
  published?: PublishedPort[];
}

/**
 * What a stack needs before it can deploy, for the stack picker: a NAS export, an S3 profile, and
 * images (an image without a reference is one the user must build and name; no default exists).
 */
export interface StackNeeds {
  nasExport: 'required' | 'optional' | 'no';
  s3Profile: 'required' | 'optional' | 'no';
  images: { component: string; reference?: string }[];
}

/**
 * A deployable stack: its identity, the schema of its values (every field has a default, so `{}`
 * is valid; unknown fields are errors) and the function that builds its model from parsed values.
 */
export interface StackDefinition<V = unknown> {
  name: string;
  title: string;
  description: string;
  schema: z.ZodType<V>;
  build(values: V): StackModel;
  /** What the stack's images really read, serve and expect (upstream.ts), from their sources. */
  contracts: readonly ImageContract[];
  /** What the generic scorecard, dashboards and leader view read about the stack. */
  signals: StackSignals;
  /** What a backup of the stack holds besides its state and generated secrets. */
  backup: StackBackup;
  /** What the stack needs before it deploys (the stack picker shows it). */
  needs?: StackNeeds;
}

/** Keeps the values type of a stack definition tied to its schema. */
export function defineStack<S extends z.ZodType>(def: {
  name: string;
  title: string;
  description: string;
  schema: S;
  build(values: z.output<S>): StackModel;
  contracts: readonly ImageContract[];
  signals: StackSignals;
  /** Left out: a backup holds only the stack's state and generated secrets. */
  backup?: StackBackup;
  needs?: StackNeeds;
}): StackDefinition<z.output<S>> {
  return { ...def, backup: def.backup ?? { databases: [], buckets: () => [], scratchValues: {} } } as StackDefinition<
    z.output<S>
  >;
}
