import type { Handlers, SubscriptionHandlers } from '@shared/contract';
import type { RolloutStatus } from '@shared/deploy-schemas';
import { DockerRequestError } from '../core/docker/client';
import { ValuesError } from '../core/deploy/engine';
import { errorMessage, HomeportError } from '../core/errors';
import type { Services } from '../services';

type SwarmChannel = Extract<keyof Handlers, `docker:${string}` | `swarm:${string}`>;
type SwarmTopic = Extract<keyof SubscriptionHandlers, `swarm:${string}`>;

/** Errors of a Swarm call made into ones the user can act on, naming the endpoint. */
export function swarmError(err: unknown, what: string, endpoint: string): HomeportError {
  if (err instanceof HomeportError) return err;
  if (err instanceof ValuesError) return new HomeportError('INVALID_INPUT', err.message);
  if (err instanceof DockerRequestError) {
    if (err.status === 404)
      return new HomeportError('NOT_FOUND', `${what} does not exist on '${endpoint}': ${err.message}`);
    if (err.status === 409) return new HomeportError('CONFLICT', `${what} on '${endpoint}': ${err.message}`);
    if (err.status === 503 && /not a swarm manager|swarm mode/i.test(err.message)) {
      return new HomeportError(
        'UNAVAILABLE',
        `Endpoint '${endpoint}' is not a swarm manager: run 'docker swarm init' there, or point Homeport at a manager. (${err.message})`,
      );
    }
    if (err.reason === 'auth') return new HomeportError('FORBIDDEN', err.message);
    return new HomeportError('UNAVAILABLE', `Cannot reach ${what} on '${endpoint}': ${err.message}`);
  }
  return new HomeportError('INTERNAL', `Failed on ${what} on '${endpoint}': ${errorMessage(err)}`);
}

async function guarded<R>(what: string, endpoint: string, fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (err) {
    throw swarmError(err, what, endpoint);
  }
}

/** Docker endpoints, and the stack catalog deployed to Swarm. */
export function createSwarmHandlers(services: Services): Pick<Handlers, SwarmChannel> {
  const { dockerEndpoints: endpoints, swarmDeploy: deploy, stacks } = services;
  const listed = async () => ({ endpoints: await endpoints.list() });
  const known = (stack: string) => {
    if (!stacks.has(stack)) throw new HomeportError('NOT_FOUND', `Unknown stack '${stack}'`);
  };
  return {
    'docker:listEndpoints': listed,
    'docker:addEndpoint': async (input) => {
      await endpoints.add(input);
      return listed();
    },
    'docker:removeEndpoint': async ({ name }) => {
      await endpoints.remove(name);
      return listed();
    },
    'docker:testEndpoint': ({ name, timeoutMs }) => endpoints.test(name, timeoutMs),
    'docker:acceptHostKey': async ({ name, fingerprint }) => {
      await endpoints.acceptHostKey(name, fingerprint);
      return endpoints.test(name);
    },
    'swarm:plan': async (input) => {
      known(input.stack);
      return guarded(`the plan for stack '${input.stack}'`, input.endpoint, async () => {
        const { values, provided } = await services.resolveReferences(input.stack, input.values);
        return deploy.plan({ ...input, values, provided });
      });
    },
    'swarm:apply': async (input) => {
      known(input.stack);
      return guarded(`stack '${input.stack}'`, input.endpoint, async () => {
        const { values, provided } = await services.resolveReferences(input.stack, input.values);
        return deploy.apply({ ...input, values, provided });
      });
    },
    'swarm:revisions': async (input) =>
      guarded(`the revisions of stack '${input.stack}'`, input.endpoint, async () => ({
        revisions: await deploy.revisions(input),
      })),
    'swarm:rollbackService': async (input) =>
      guarded(`service '${input.service}'`, input.endpoint, async () => {
        await deploy.rollbackService(input);
        return { rolledBack: true as const };
      }),
    'swarm:remove': async (input) => guarded(`stack '${input.stack}'`, input.endpoint, () => deploy.remove(input)),
  };
}

export function createSwarmSubscriptions(services: Services): Pick<SubscriptionHandlers, SwarmTopic> {
  const { swarmLive: live, swarmDeploy: deploy } = services;
  return {
    'swarm:nodes': ({ endpoint }, emit) => live.subscribeNodes(endpoint, emit),
    'swarm:services': ({ endpoint }, emit) => live.subscribeServices(endpoint, emit),
    'swarm:tasks': ({ endpoint, serviceId }, emit) => live.subscribeTasks(endpoint, emit, serviceId),
    'swarm:logs': (params, emit) => services.swarmLogs(params, emit),
    'swarm:rollout': (params, emit) => {
      let last: RolloutStatus = { state: 'progressing', workloads: [] };
      return deploy.watchConvergence(
        params,
        (status) => {
          last = status;
          emit(status);
        },
        (err) =>
          emit({ ...last, error: swarmError(err, `the services of '${params.stack}'`, params.endpoint).message }),
      );
    },
  };
}
