/** The Kubernetes target: a namespace of a kubeconfig context, served by the deploy engine and readiness. */
import { describeTarget, type KubernetesTarget } from '@shared/target-schemas';
import type { DeployEngine } from '../deploy/engine';
import type { Readiness } from '../readiness/readiness';
import type { StackTarget } from './target';

export interface KubernetesTargetDeps {
  engine: DeployEngine;
  readiness: Readiness;
}

export function kubernetesTarget(target: KubernetesTarget, deps: KubernetesTargetDeps): StackTarget {
  const { context, namespace } = target;
  const where = describeTarget(target);
  const ref = (stack: string) => ({ context, namespace, stack });
  return {
    target,
    where,
    plan: (p) => deps.engine.plan({ ...ref(p.stack), values: p.values, provided: p.provided }),
    apply: (p) =>
      deps.engine.apply({
        ...ref(p.stack),
        values: p.values,
        provided: p.provided,
        restored: p.restored,
        prune: p.prune,
      }),
    revisions: (stack) => deps.engine.revisions(ref(stack)),
    rollback: (p) => deps.engine.rollback({ ...ref(p.stack), revision: p.revision, provided: p.provided }),
    rollbackPlan: (p) => deps.engine.rollbackPlan({ ...ref(p.stack), revision: p.revision, provided: p.provided }),
    recordRollout: (p) => deps.engine.recordRollout({ ...ref(p.stack), outcome: p.outcome }),
    uninstall: (p) => deps.engine.uninstall({ ...ref(p.stack), deleteClaims: p.deleteData }),
    rolloutStatus: (stack) => deps.engine.rolloutStatus(ref(stack)),
    readiness: async (stack) => ({ ...(await deps.readiness.report(ref(stack))), target: where }),
  };
}
