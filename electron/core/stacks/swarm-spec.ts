/** Docker Engine API shapes and labels of the Swarm rendering of a StackModel (see ./swarm.ts). */
import type { ProvidedSecrets } from './model';

export const SWARM_NAMESPACE_LABEL = 'com.docker.stack.namespace';
export const SWARM_IMAGE_LABEL = 'com.docker.stack.image';
export const SWARM_STACK_LABEL = 'homeport.dev/stack';
export const SWARM_MANAGED_BY_LABEL = 'homeport.dev/managed-by';
export const SWARM_MANAGED_BY = 'homeport';
export const SWARM_COMPONENT_LABEL = 'homeport.dev/component';
/** On the services of a Swarm stack named unlike the catalog stack it was rendered from: that catalog stack. */
export const SWARM_CATALOG_STACK_LABEL = 'homeport.dev/catalog-stack';
/** On secrets: `<secret>/<key>` of the model, the same across rotations. */
export const SWARM_SECRET_LABEL = 'homeport.dev/secret';
/** On generated secrets: 'true'. Their value is made at deploy time and kept afterwards. */
export const SWARM_GENERATED_LABEL = 'homeport.dev/generated';
/** On generated secrets made of 64 hex digits (an AES-256 key) instead of a base64url token: 'hex32'. */
export const SWARM_FORMAT_LABEL = 'homeport.dev/format';
/** On secrets Homeport provides from its store (a saved S3 profile's keys): 'true'. */
export const SWARM_PROVIDED_LABEL = 'homeport.dev/provided';
/** On volumes holding a component's data: 'true'. They are never pruned, only removed on request. */
export const SWARM_DATA_LABEL = 'homeport.dev/data';
/** On configs: `<config>/<key>` of the model, the same across new contents. */
export const SWARM_CONFIG_LABEL = 'homeport.dev/config';
/** On the services of one-shot jobs: the job's name (the service name carries a hash of its spec). */
export const SWARM_JOB_LABEL = 'homeport.dev/job';
/** On the services of scheduled jobs: the five cron fields (UTC) the service waits for. */
export const SWARM_SCHEDULE_LABEL = 'homeport.dev/schedule';
/** On job services: what a run does, in the stack's words. */
export const SWARM_DESCRIPTION_LABEL = 'homeport.dev/description';
/** On the services of a component run one service per instance (swarm-instances.ts): the instance's ordinal. */
export const SWARM_INSTANCE_LABEL = 'homeport.dev/instance';
/** Where Swarm mounts secrets inside the containers. */
export const SECRETS_DIR = '/run/secrets';

export interface SwarmRenderOptions {
  stack: string;
  /** How long Swarm watches each updated task before calling the update a success (default 10 s). */
  updateMonitorMs?: number;
  /**
   * Values of the model's provided secret keys. A provided key with a value becomes a secret named
   * by its hash (like a key with a value); without one it is rendered without Data (a preview),
   * which the deployer refuses.
   */
  provided?: ProvidedSecrets;
}

export interface SwarmNetworkSpec {
  Name: string;
  Driver: 'overlay';
  Attachable: boolean;
  Labels: Record<string, string>;
}

export interface SwarmSecretSpec {
  Name: string;
  Labels: Record<string, string>;
  /** Base64 value; absent for generated keys (the deployer fills them, never the renderer). */
  Data?: string;
  /** Set for template keys: the engine fills `{{ secret "<file>" }}` from the task's other secret files. */
  Templating?: { Name: 'golang' };
}

export interface SwarmConfigSpec {
  Name: string;
  Labels: Record<string, string>;
  Data: string;
}

export interface SwarmVolumeSpec {
  Name: string;
  Driver: string;
  DriverOpts: Record<string, string>;
  Labels: Record<string, string>;
}

/** A config mounted as one file at an absolute path. */
export interface SwarmConfigRef {
  ConfigName: string;
  /** Filled by the deployer from the live config. */
  ConfigID?: string;
  File: { Name: string; UID: string; GID: string; Mode: number };
}

export interface SwarmSecretRef {
  SecretName: string;
  /** Filled by the deployer from the live secret. */
  SecretID?: string;
  File: { Name: string; UID: string; GID: string; Mode: number };
}

export type VolumeOptions = {
  Labels: Record<string, string>;
  DriverConfig: { Name: string; Options?: Record<string, string> };
};

export type SwarmMount =
  | {
      Type: 'volume';
      Source: string;
      Target: string;
      ReadOnly?: boolean;
      VolumeOptions: VolumeOptions;
    }
  /** A writable directory in memory, for a component whose root filesystem is read-only. */
  | { Type: 'tmpfs'; Target: string };

export interface SwarmHealthcheck {
  Test: string[];
  Interval: number;
  Timeout: number;
  Retries: number;
  StartPeriod: number;
}

export interface SwarmUpdateConfig {
  Parallelism: number;
  Delay: number;
  FailureAction: 'rollback' | 'pause' | 'continue';
  Monitor: number;
  MaxFailureRatio: number;
  Order: 'start-first' | 'stop-first';
}

export interface SwarmServiceSpec {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Labels: Record<string, string>;
      Command?: string[];
      Args?: string[];
      Env: string[];
      Mounts: SwarmMount[];
      Secrets: SwarmSecretRef[];
      Configs?: SwarmConfigRef[];
      Healthcheck: SwarmHealthcheck;
      StopGracePeriod: number;
    };
    Resources: {
      Limits: { NanoCPUs?: number; MemoryBytes?: number };
      Reservations: { NanoCPUs?: number; MemoryBytes?: number };
    };
    /** Services: 'any'. Jobs: 'on-failure' with their retries, or 'none' without (MaxAttempts 0 is unlimited). */
    RestartPolicy: { Condition: 'any' | 'on-failure' | 'none'; Delay: number; MaxAttempts: number };
    /** Target is the network name here; the deployer puts in its ID. */
    Networks: { Target: string; Aliases: string[] }[];
  };
  Mode:
    | { Replicated: { Replicas: number }; ReplicatedJob?: never }
    /** One-shot jobs: run to completion once per service (its name changes with its spec). */
    | { ReplicatedJob: { MaxConcurrent: number; TotalCompletions: number }; Replicated?: never };
  /** Absent for jobs: they are never updated, a new spec is a new service. */
  UpdateConfig?: SwarmUpdateConfig;
  RollbackConfig?: SwarmUpdateConfig;
  EndpointSpec: {
    /** dnsrr: the name resolves to the tasks' own addresses (per-instance services, swarm-instances.ts). */
    Mode: 'vip' | 'dnsrr';
    Ports?: { Protocol: 'tcp'; TargetPort: number; PublishedPort: number; PublishMode: 'ingress' }[];
  };
}

export interface SwarmStack {
  stack: string;
  /** `<stack>_default`: the components that accept anyone and may connect anywhere in the stack. */
  network: SwarmNetworkSpec;
  /** The networks that separate components with connection rules (swarm-networks.ts). */
  networks?: SwarmNetworkSpec[];
  secrets: SwarmSecretSpec[];
  configs: SwarmConfigSpec[];
  volumes: SwarmVolumeSpec[];
  services: SwarmServiceSpec[];
  /** Existing secrets the services read and the stack does not create. */
  externalSecrets: string[];
  /** What the model asks for that Swarm expresses differently or not at all, for the plan. */
  notes?: string[];
}
