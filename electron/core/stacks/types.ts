/**
 * What the deployers need from a stack: validation of the user's values and rendering to
 * Kubernetes objects or Docker Swarm specs. The stack model itself (components, volumes, probes) stays free of
 * Kubernetes; only renderers know a target platform.
 */
import type { FieldIssue, StackInfo } from '@shared/deploy-schemas';
import type { StackBackup } from './backup-declaration';
import type { StackSignals } from './signals';
import type { SwarmRenderOptions, SwarmStack } from './swarm-spec';
import type { ImageContract } from './upstream';
import type { UserStackDocument } from '@shared/user-stack-schemas';

/** A Kubernetes object as sent to the API server. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Labels every object of a deployed stack carries. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'homeport';
export const STACK_LABEL = 'homeport.dev/stack';
/**
 * On a Secret: comma-separated keys whose values Homeport generates on the first deploy and keeps
 * unchanged afterwards. The renderer leaves those keys out of the Secret's data.
 */
export const GENERATED_KEYS_ANNOTATION = 'homeport.dev/generated-keys';
/**
 * On a Secret: comma-separated keys Homeport provides at deploy time from its own encrypted store
 * (a saved S3 profile's keys). The renderer leaves them out of the Secret's data; the deploy engine
 * fills them from the ProvidedSecrets it is given and never records them.
 */
export const PROVIDED_KEYS_ANNOTATION = 'homeport.dev/provided-keys';
/** On a Secret: comma-separated generated keys made of 64 hex digits instead of a base64url token. */
export const GENERATED_HEX_KEYS_ANNOTATION = 'homeport.dev/generated-hex-keys';
/**
 * On a Secret: JSON object of key -> template. The deploy engine fills each key from its template
 * (`{{secret/key}}` references); the templates hold no secret values, so they are recorded.
 */
export const TEMPLATES_ANNOTATION = 'homeport.dev/templates';
/** On a Secret with provided keys: 'homeport'. */
export const PROVIDED_BY_ANNOTATION = 'homeport.dev/provided-by';
/** On a pod template: the Lease the workload's pods compete for (leader election). */
export const LEADER_ELECTION_ANNOTATION = 'homeport.dev/leader-election';

export type ValidationResult<V = unknown> = { ok: true; values: V } | { ok: false; issues: FieldIssue[] };

export interface RenderOptions {
  /** Namespace every namespaced object goes to. */
  namespace: string;
  /**
   * The cluster serves monitoring.coreos.com/v1 ServiceMonitors (prometheus-operator): components
   * with metrics get one instead of prometheus.io scrape annotations. Default false.
   */
  serviceMonitors?: boolean;
}

export interface RenderedStack {
  stack: string;
  namespace: string;
  /** In apply order: namespace-independent and configuration first, workloads after. */
  objects: KubeObject[];
}

export interface StackCatalog {
  list(): StackInfo[];
  has(stack: string): boolean;
  /** Values merged over the stack's defaults and checked; issues name the field path ('nfs.server'). */
  validate(stack: string, values: unknown): ValidationResult;
  /** Renders already-validated values. Throws for an unknown stack. */
  renderKubernetes(stack: string, values: unknown, opts: RenderOptions): RenderedStack;
  /** Renders already-validated values for Docker Swarm; opts.stack names the Swarm stack. */
  renderSwarm(stack: string, values: unknown, opts: SwarmRenderOptions): SwarmStack;
}

/** The user stacks a catalog holds next to its own stacks. */
export interface UserStackCatalog {
  /** Replaces the user stacks (every saved version of each); every holder of the catalog sees the change. */
  replaceUserStacks(docs: readonly UserStackDocument[]): void;
  /** The saved versions of a user stack, oldest first (empty for a catalog stack or an unknown name). */
  userStackVersions(stack: string): number[];
}

/** The catalog's read accessors for what a stack says about itself (generic code reads these, never a stack). */
export interface StackKnowledge {
  /** What the generic scorecard, dashboards and leader view read about the stack. Throws for an unknown stack. */
  signals(stack: string): StackSignals;
  /** The upstream contracts of the stack's images. Throws for an unknown stack. */
  contracts(stack: string): readonly ImageContract[];
  /** What a backup of the stack holds. Throws for an unknown stack. */
  backup(stack: string): StackBackup;
}
