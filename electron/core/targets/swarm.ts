/** The Docker Swarm target: a saved Docker endpoint whose engine is a swarm manager. */
import { describeTarget, type SwarmTarget } from '@shared/target-schemas';
import type { SwarmDeployer } from '../swarm/deployer';
import type { StackTarget } from './target';
import type { ReadinessReport } from '@shared/readiness-schemas';

export interface SwarmTargetDeps {
  deployer: SwarmDeployer;
  readiness(ref: { endpoint: string; stack: string }): Promise<ReadinessReport>;
}

export function swarmTarget(target: SwarmTarget, deps: SwarmTargetDeps): StackTarget {
  const { endpoint } = target;
  const where = describeTarget(target);
  const ref = (stack: string) => ({ endpoint, stack });
  return {
    target,
    where,
    plan: (p) => deps.deployer.plan({ ...ref(p.stack), values: p.values, provided: p.provided }),
    apply: (p) =>
      deps.deployer.apply({
        ...ref(p.stack),
        values: p.values,
        provided: p.provided,
        restored: p.restored,
        template: p.template,
        prune: p.prune,
      }),
    revisions: (stack) => deps.deployer.revisions(ref(stack)),
    rollback: (p) => deps.deployer.rollback({ ...ref(p.stack), revision: p.revision, provided: p.provided }),
    rollbackPlan: (p) => deps.deployer.rollbackPlan({ ...ref(p.stack), revision: p.revision, provided: p.provided }),
    recordRollout: (p) => deps.deployer.recordRollout({ ...ref(p.stack), outcome: p.outcome }),
    rollbackWorkload: (p) => deps.deployer.rollbackService({ ...ref(p.stack), service: p.workload }),
    uninstall: (p) => deps.deployer.remove({ ...ref(p.stack), deleteVolumes: p.deleteData }),
    rolloutStatus: (stack) => deps.deployer.status(ref(stack)),
    readiness: async (stack) => ({ ...(await deps.readiness(ref(stack))), target: where }),
  };
}
