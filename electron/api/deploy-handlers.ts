import type { Handlers, SubscriptionHandlers } from '@shared/contract';
import type { RolloutStatus } from '@shared/deploy-schemas';
import { HomeportError } from '../core/errors';
import { userError } from '../core/kube/pod-service';
import { ValuesError } from '../core/deploy/engine';
import type { Services } from '../services';

type DeployChannel = Extract<keyof Handlers, `stacks:${string}` | `deploy:${string}`>;

/** Errors of a deploy made into ones the user can act on: bad values name their fields. */
function deployError(err: unknown, what: string, context: string): HomeportError {
  if (err instanceof ValuesError) return new HomeportError('INVALID_INPUT', err.message);
  return userError(err, what, context);
}

async function guarded<R>(what: string, context: string, fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (err) {
    throw deployError(err, what, context);
  }
}

/** The stack catalog and the deploy engine behind the Deploy screen. */
export function createDeployHandlers(services: Services): Pick<Handlers, DeployChannel> {
  const { stacks, deploy } = services;
  const known = (stack: string) => {
    if (!stacks.has(stack)) {
      const names = stacks
        .list()
        .map((s) => s.name)
        .join(', ');
      throw new HomeportError('NOT_FOUND', `Unknown stack '${stack}'; the catalog has: ${names}`);
    }
  };
  return {
    'stacks:list': async () => ({ stacks: stacks.list() }),
    'stacks:validate': async ({ stack, values }) => {
      known(stack);
      const result = stacks.validate(stack, values);
      return { issues: result.ok ? [] : result.issues };
    },
    'deploy:plan': async (input) => {
      known(input.stack);
      return guarded(`the plan for stack '${input.stack}'`, input.context, async () => {
        const { values, provided } = await services.resolveReferences(input.stack, input.values);
        return deploy.plan({ ...input, values, provided });
      });
    },
    'deploy:apply': async (input) => {
      known(input.stack);
      return guarded(`stack '${input.stack}'`, input.context, async () => {
        const { values, provided } = await services.resolveReferences(input.stack, input.values);
        return deploy.apply({ ...input, values, provided });
      });
    },
    'deploy:revisions': async (input) =>
      guarded(`the revisions of stack '${input.stack}'`, input.context, async () => ({
        revisions: await deploy.revisions(input),
      })),
    'deploy:rollback': async (input) =>
      guarded(`revision ${input.revision} of stack '${input.stack}'`, input.context, async () => {
        // The revision records references (a profile name), not keys: resolve them again now.
        const recorded = (await deploy.revisions(input)).find((r) => r.revision === input.revision);
        const { provided } = recorded
          ? await services.resolveReferences(input.stack, recorded.values)
          : { provided: undefined };
        return deploy.rollback({ ...input, provided });
      }),
    'deploy:uninstall': async (input) =>
      guarded(`stack '${input.stack}'`, input.context, () => deploy.uninstall(input)),
  };
}

export function createDeploySubscriptions(services: Services): Pick<SubscriptionHandlers, 'deploy:rollout'> {
  return {
    'deploy:rollout': (params, emit) => {
      let last: RolloutStatus = { state: 'progressing', workloads: [] };
      return services.deploy.watchRollout(
        params,
        (status) => {
          last = status;
          emit(status);
        },
        (err) => emit({ ...last, error: deployError(err, `the rollout of '${params.stack}'`, params.context).message }),
      );
    },
  };
}
