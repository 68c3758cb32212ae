import type { Handlers, SubscriptionHandlers } from '@shared/contract';
import type { Services } from '../services';

type DockerChannel = Extract<keyof Handlers, `docker:${string}`>;
type SwarmTopic = Extract<keyof SubscriptionHandlers, `swarm:${string}`>;

/** Docker endpoints (saved, $DOCKER_HOST, docker contexts), their connection tests, and registry credentials. */
export function createDockerHandlers({
  dockerEndpoints: endpoints,
  registries,
}: Pick<Services, 'dockerEndpoints' | 'registries'>): Pick<Handlers, DockerChannel> {
  const listed = async () => ({ endpoints: await endpoints.list() });
  const listedRegistries = async () => ({ registries: await registries.list() });
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
    'docker:replaceHostKey': async ({ name, fingerprint }) => {
      await endpoints.replaceHostKey(name, fingerprint);
      return endpoints.test(name);
    },
    'docker:listRegistries': listedRegistries,
    'docker:addRegistry': async (input) => {
      await registries.add(input);
      return listedRegistries();
    },
    'docker:removeRegistry': async ({ host }) => {
      await registries.remove(host);
      return listedRegistries();
    },
  };
}

/** The live state of a swarm: nodes, services, tasks and logs. */
export function createSwarmSubscriptions({
  swarmLive: live,
  swarmLogs,
}: Pick<Services, 'swarmLive' | 'swarmLogs'>): Pick<SubscriptionHandlers, SwarmTopic> {
  return {
    'swarm:nodes': ({ endpoint }, emit) => live.subscribeNodes(endpoint, emit),
    'swarm:services': ({ endpoint }, emit) => live.subscribeServices(endpoint, emit),
    'swarm:tasks': ({ endpoint, serviceId }, emit) => live.subscribeTasks(endpoint, emit, serviceId),
    'swarm:logs': (params, emit) => swarmLogs(params, emit),
  };
}
