/**
 * A deploy target: where a stack runs (a Kubernetes namespace of a context, a Docker swarm). Every
 * kind of target implements StackTarget once; the use cases in stack-deployments.ts, the API
 * handlers and the CLI only ever talk to this interface, so a third kind of target plugs in by
 * adding its member to `Target` (shared/target-schemas.ts) and its factory to `TargetFactories`.
 */
import type { ApplyResult, Plan, Revision, RolloutStatus, UninstallResult } from '@shared/deploy-schemas';
import type { ReadinessReport } from '@shared/readiness-schemas';
import { describeTarget, type Target, type TargetKind } from '@shared/target-schemas';
import { HomeportError } from '../errors';
import type { ProvidedSecrets } from '../stacks/model';

export interface DeployInput {
  stack: string;
  /** Values with references resolved (resolveStackReferences). */
  values: unknown;
  /** Secret values Homeport provides (an S3 profile's keys): they go into the target's secrets only. */
  provided?: ProvidedSecrets;
  /**
   * The catalog stack to render when `stack` names a copy of it (a restore drill's scratch stack on
   * Docker Swarm); Kubernetes copies live in another namespace under the catalog name.
   */
  template?: string;
  /** Generated secret values from a backup being restored, used where the target has none yet. */
  restored?: ProvidedSecrets;
}

export interface StackTarget {
  readonly target: Target;
  /** The target in the user's words: "namespace media of context 'home'". */
  readonly where: string;
  /** What an apply would do, object by object; nothing changes. */
  plan(p: DeployInput): Promise<Plan>;
  /** Applies the stack; deletes objects it no longer renders only when prune is set. */
  apply(p: DeployInput & { prune: boolean }): Promise<ApplyResult>;
  /** Recorded revisions, newest first; the newest is current. */
  revisions(stack: string): Promise<Revision[]>;
  /** Re-applies a recorded revision and records it as a new one. */
  rollback(p: { stack: string; revision: number; provided?: ProvidedSecrets }): Promise<ApplyResult>;
  /** What a rollback to a recorded revision would do; nothing changes. */
  rollbackPlan(p: { stack: string; revision: number; provided?: ProvidedSecrets }): Promise<Plan>;
  /** Records how the newest revision's rollout ended, once; true when it recorded. */
  recordRollout(p: { stack: string; outcome: 'healthy' | 'failed' }): Promise<boolean>;
  /**
   * One workload back to the previous spec the target itself keeps (Swarm keeps one per service).
   * Absent where the target keeps none: the stack rolls back to a revision instead.
   */
  rollbackWorkload?(p: { stack: string; workload: string }): Promise<void>;
  /** Removes the stack; its data (claims, volumes) stays unless deleteData. */
  uninstall(p: { stack: string; deleteData: boolean }): Promise<UninstallResult>;
  /** Ready/desired per workload and the end state, read once. */
  rolloutStatus(stack: string): Promise<RolloutStatus>;
  /** The readiness scorecard of the stack, read once from the live target. */
  readiness(stack: string): Promise<ReadinessReport>;
}

/** How each kind of target is opened; tsc requires an entry for every member of Target. */
export type TargetFactories = { [K in TargetKind]: (target: Extract<Target, { kind: K }>) => StackTarget };

export interface Targets {
  open(target: Target): StackTarget;
}

export function createTargets(factories: TargetFactories): Targets {
  return {
    open(target) {
      const factory = factories[target.kind] as ((t: Target) => StackTarget) | undefined;
      if (!factory) throw new HomeportError('INVALID_INPUT', `Homeport cannot deploy to ${describeTarget(target)}`);
      return factory(target);
    },
  };
}
