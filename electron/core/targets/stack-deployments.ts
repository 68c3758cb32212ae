/**
 * The use cases of a stack on any target, written once: resolve the values' references, then plan,
 * apply, roll back or remove; follow the rollout and the readiness scorecard live; plan a
 * scorecard's one-click fix. The API handlers and the CLI are thin adapters over these.
 */
import type { ApplyResult, Plan, Revision, RolloutStatus, UninstallResult } from '@shared/deploy-schemas';
import type { ReadinessReport } from '@shared/readiness-schemas';
import type { Target } from '@shared/target-schemas';
import { HomeportError } from '../errors';
import { pollChanges } from '../poll-changes';
import { fingerprint } from '../readiness/score';
import type { ResolvedReferences } from '../references/resolve';
import type { StackCatalog } from '../stacks/types';
import type { Targets } from './target';

export interface StackOnTarget {
  target: Target;
  stack: string;
}

export interface StackDeploymentsDeps {
  targets: Targets;
  catalog: Pick<StackCatalog, 'has' | 'list'>;
  /** Values naming a NAS export or an S3 profile, resolved; keys go to `provided` only. */
  resolveReferences(stack: string, values: unknown): Promise<ResolvedReferences>;
  /**
   * Makes the buckets the values name in saved S3 profiles exist (and readable where the stack's
   * browsers load objects straight from them) before anything is applied.
   */
  ensureBuckets?(stack: string, buckets: { profile: string; bucket: string }[]): Promise<void>;
  /** How often a rollout is read while followed (default 1000 ms). */
  rolloutPollMs?: number;
  /** How often the readiness scorecard is read while followed (default 5000 ms). */
  readinessPollMs?: number;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `patch` merged into `base`: objects key by key, anything else replaced. */
export function deepMerge(base: unknown, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = isPlainObject(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(patch)) {
    out[key] = isPlainObject(value) ? deepMerge(out[key], value) : value;
  }
  return out;
}

/** Refuses a stack the catalog does not have, naming the ones it has. */
export function requireKnownStack(catalog: Pick<StackCatalog, 'has' | 'list'>, stack: string): string {
  if (!catalog.has(stack)) {
    const names = catalog
      .list()
      .map((s) => s.name)
      .join(', ');
    throw new HomeportError('NOT_FOUND', `Unknown stack '${stack}'; the catalog has: ${names}`);
  }
  return stack;
}

export function createStackDeployments(deps: StackDeploymentsDeps) {
  /** The target of a known stack; an unknown stack is refused before anything is sent. */
  function open(ref: StackOnTarget) {
    requireKnownStack(deps.catalog, ref.stack);
    return deps.targets.open(ref.target);
  }

  async function plan(ref: StackOnTarget & { values: unknown }): Promise<Plan> {
    const target = open(ref);
    const { values, provided } = await deps.resolveReferences(ref.stack, ref.values);
    return target.plan({ stack: ref.stack, values, provided });
  }

  async function apply(ref: StackOnTarget & { values: unknown; prune: boolean }): Promise<ApplyResult> {
    const target = open(ref);
    const { values, provided, buckets } = await deps.resolveReferences(ref.stack, ref.values);
    if (buckets?.length) await deps.ensureBuckets?.(ref.stack, buckets);
    return target.apply({ stack: ref.stack, values, provided, prune: ref.prune });
  }

  const revisions = (ref: StackOnTarget): Promise<Revision[]> => open(ref).revisions(ref.stack);

  /**
   * The target and the provided secrets of a rollback to a recorded revision. Revisions record
   * references (a profile's name), not keys: they are resolved again now. The revision that runs
   * now is refused: rolling back to it would only record a copy.
   */
  async function rollbackInput(ref: StackOnTarget & { revision: number }) {
    const target = open(ref);
    const all = await target.revisions(ref.stack);
    const recorded = all.find((r) => r.revision === ref.revision);
    if (recorded?.current) {
      const earlier = all.filter((r) => !r.current).map((r) => r.revision);
      throw new HomeportError(
        'CONFLICT',
        `Revision ${ref.revision} of '${ref.stack}' is the one running on ${target.where}: there is nothing to ` +
          `roll back to` +
          (earlier.length ? `; pick an earlier revision (${earlier.join(', ')})` : '; it is the only revision'),
      );
    }
    const { provided } = recorded ? await deps.resolveReferences(ref.stack, recorded.values) : { provided: undefined };
    return { target, input: { stack: ref.stack, revision: ref.revision, provided } };
  }

  async function rollback(ref: StackOnTarget & { revision: number }): Promise<ApplyResult> {
    const { target, input } = await rollbackInput(ref);
    return target.rollback(input);
  }

  /** What rollback would do, for the user to confirm first; nothing changes. */
  async function rollbackPlan(ref: StackOnTarget & { revision: number }): Promise<Plan> {
    const { target, input } = await rollbackInput(ref);
    return target.rollbackPlan(input);
  }

  async function rollbackWorkload(ref: StackOnTarget & { workload: string }): Promise<void> {
    const target = open(ref);
    if (!target.rollbackWorkload) {
      throw new HomeportError(
        'CONFLICT',
        `${target.where} keeps no previous spec per workload: roll the stack back to a revision instead`,
      );
    }
    await target.rollbackWorkload({ stack: ref.stack, workload: ref.workload });
  }

  const uninstall = (ref: StackOnTarget & { deleteData: boolean }): Promise<UninstallResult> =>
    open(ref).uninstall({ stack: ref.stack, deleteData: ref.deleteData });

  /**
   * Reads the rollout every rolloutPollMs and emits each status that differs from the last. When it
   * ends (healthy or failed) the newest revision records how, once, for the revision list.
   */
  function watchRollout(
    ref: StackOnTarget,
    emit: (status: RolloutStatus) => void,
    onError?: (err: unknown) => void,
  ): () => void {
    const target = open(ref);
    // The target records only on a revision that has no outcome yet; recorded before the status is
    // emitted, so a revision list read on the emitted end state shows it. Best effort: a failure
    // leaves the revision's rollout "unknown", nothing else.
    const record = async (status: RolloutStatus) => {
      if (status.state === 'progressing' || status.error) return;
      await target.recordRollout({ stack: ref.stack, outcome: status.state }).catch(() => undefined);
    };
    return pollChanges(
      () => target.rolloutStatus(ref.stack),
      (status) => {
        void record(status).then(() => emit(status));
      },
      { intervalMs: deps.rolloutPollMs ?? 1000, onError },
    );
  }

  const readiness = (ref: StackOnTarget): Promise<ReadinessReport> => open(ref).readiness(ref.stack);

  /** Reads the scorecard every readinessPollMs and emits it when a check or verdict changed. */
  function watchReadiness(
    ref: StackOnTarget,
    emit: (report: ReadinessReport) => void,
    onError?: (err: unknown) => void,
  ): () => void {
    const target = open(ref);
    return pollChanges(() => target.readiness(ref.stack), emit, {
      intervalMs: deps.readinessPollMs ?? 5000,
      key: fingerprint,
      onError,
    });
  }

  /**
   * The values a check's one-click fix deploys (the live revision's values with the fix merged in)
   * and the plan for them; they are applied with `apply`, like any other change.
   */
  async function planFix(
    ref: StackOnTarget & { check: string },
  ): Promise<{ values: Record<string, unknown>; plan: Plan }> {
    const target = open(ref);
    const report = await target.readiness(ref.stack);
    const found = report.checks.find((c) => c.id === ref.check);
    if (!found) throw new HomeportError('NOT_FOUND', `The scorecard of '${ref.stack}' has no check '${ref.check}'`);
    if (!found.fix) {
      throw new HomeportError('CONFLICT', `'${found.title}' has no fix Homeport can apply now (${found.verdict})`);
    }
    const live = (await target.revisions(ref.stack)).find((r) => r.current);
    if (!live) throw new HomeportError('NOT_FOUND', `'${ref.stack}' is not deployed to ${target.where}`);
    const values = deepMerge(live.values, found.fix.values);
    return { values, plan: await plan({ ...ref, values }) };
  }

  return {
    plan,
    apply,
    revisions,
    rollback,
    rollbackPlan,
    rollbackWorkload,
    uninstall,
    watchRollout,
    readiness,
    watchReadiness,
    planFix,
  };
}

export type StackDeployments = ReturnType<typeof createStackDeployments>;
