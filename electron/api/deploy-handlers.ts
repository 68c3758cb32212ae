import type { Handlers, SubscriptionHandlers } from '@shared/contract';
import type { RolloutStatus } from '@shared/deploy-schemas';
import { requireKnownStack, type StackDeployments } from '../core/targets/stack-deployments';
import { describeLeader } from '../core/readiness/leader';
import type { StackCatalog, StackKnowledge } from '../core/stacks/types';
import { guarded, userError } from './errors';
import { subscribeGuarded } from './subscriptions';
import type { UserStackChannel } from './user-stack-handlers';

// deploy:liveValues is the values form's (deploy-form-handlers.ts).
type DeployChannel = Exclude<
  Extract<keyof Handlers, `stacks:${string}` | `deploy:${string}`>,
  UserStackChannel | 'deploy:liveValues'
>;

export interface DeployHandlerDeps {
  catalog: Pick<StackCatalog, 'list' | 'has' | 'validate'> & Pick<StackKnowledge, 'signals'>;
  deployments: StackDeployments;
}

/** The stack catalog and the deploy use cases behind the Deploy screen, on any target. */
export function createDeployHandlers({ catalog, deployments }: DeployHandlerDeps): Pick<Handlers, DeployChannel> {
  const stack = (name: string) => `stack '${name}'`;
  return {
    // Each stack says where its leader lives, for the Leaders screen.
    'stacks:list': async () => ({
      stacks: catalog.list().map((info) => ({ ...info, leader: describeLeader(catalog.signals(info.name).leader) })),
    }),
    'stacks:validate': async ({ stack: name, values }) => {
      const result = catalog.validate(requireKnownStack(catalog, name), values);
      return { issues: result.ok ? [] : result.issues };
    },
    'deploy:plan': (input) =>
      guarded(`the plan for ${stack(input.stack)}`, input.target, () => deployments.plan(input)),
    'deploy:apply': (input) => guarded(stack(input.stack), input.target, () => deployments.apply(input)),
    'deploy:revisions': async (input) =>
      guarded(`the revisions of ${stack(input.stack)}`, input.target, async () => ({
        revisions: await deployments.revisions(input),
      })),
    'deploy:rollback': (input) =>
      guarded(`revision ${input.revision} of ${stack(input.stack)}`, input.target, () => deployments.rollback(input)),
    'deploy:rollbackPlan': (input) =>
      guarded(`the rollback plan to revision ${input.revision} of ${stack(input.stack)}`, input.target, () =>
        deployments.rollbackPlan(input),
      ),
    'deploy:rollbackWorkload': (input) =>
      guarded(`'${input.workload}' of ${stack(input.stack)}`, input.target, async () => {
        await deployments.rollbackWorkload(input);
        return { rolledBack: true as const };
      }),
    'deploy:uninstall': (input) => guarded(stack(input.stack), input.target, () => deployments.uninstall(input)),
  };
}

export function createDeploySubscriptions({
  deployments,
}: Pick<DeployHandlerDeps, 'deployments'>): Pick<SubscriptionHandlers, 'deploy:rollout'> {
  return {
    'deploy:rollout': (params, emit) => {
      let last: RolloutStatus = { state: 'progressing', workloads: [] };
      const fail = (err: unknown) =>
        emit({ ...last, error: userError(err, `the rollout of '${params.stack}'`, params.target).message });
      return subscribeGuarded(fail, () =>
        deployments.watchRollout(
          params,
          (status) => {
            last = status;
            emit(status);
          },
          fail,
        ),
      );
    },
  };
}
