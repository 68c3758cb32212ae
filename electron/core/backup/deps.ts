/** What the backup engine needs from the rest of Homeport (wired in electron/services.ts). */
import type { Readable } from 'node:stream';
import type { Target } from '@shared/target-schemas';
import type { RunInWorkload, Workload } from '../exec/command';
import type { ResolvedReferences } from '../references/resolve';
import type { ProvidedSecrets } from '../stacks/model';
import type { StackCatalog, StackKnowledge } from '../stacks/types';
import type { Targets } from '../targets/target';
import type { OpenDestination } from './destination';
import type { BackupKeys } from './types';

/** Streaming object operations on a saved S3 profile (electron/core/s3/objects.ts). */
export interface BucketObjects {
  list(
    bucket: string,
    prefix?: string,
    opts?: { delimiter?: string },
  ): AsyncIterable<{ key: string; bytes: number } | { prefix: string }>;
  get(bucket: string, key: string, opts?: { signal?: AbortSignal }): Promise<Readable>;
  put(bucket: string, key: string, data: Readable, opts?: { signal?: AbortSignal }): Promise<{ bytes: number }>;
}

export interface BackupEngineDeps {
  targets: Targets;
  stacks: Pick<StackCatalog, 'has' | 'list' | 'validate' | 'renderKubernetes' | 'renderSwarm'> & StackKnowledge;
  resolveReferences(stack: string, values: unknown): Promise<ResolvedReferences>;
  runInWorkload: RunInWorkload;
  /** A running pod (Kubernetes) or the service (Swarm) of a component, or why there is none. */
  workloadOf(target: Target, stack: string, component: string): Promise<Workload | string>;
  generatedSecrets(target: Target, stack: string): Promise<ProvidedSecrets>;
  openDestination: OpenDestination;
  openObjects(profile: string): Promise<BucketObjects>;
  /** Makes the bucket exist before objects are restored into it. */
  ensureBucket(profile: string, bucket: string): Promise<void>;
  keys: Pick<BackupKeys, 'material'>;
  /** Removes a restore drill's scratch namespace once its stack is uninstalled. */
  deleteNamespace(context: string, namespace: string): Promise<void>;
  /** Homeport's version, for the manifest. */
  version: string;
  now?: () => Date;
  /** How long a restore waits for the database to accept connections (default 5 min). */
  databaseTimeoutMs?: number;
  /** How long a restore waits for the stack to become healthy (default 10 min). */
  healthTimeoutMs?: number;
  /** How often readiness is polled while waiting (default 2 s). */
  pollMs?: number;
}
