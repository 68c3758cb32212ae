import type { Handlers } from '@shared/contract';
import { createServiceActions } from '../core/swarm/service-actions';
import type { Services } from '../services';
import { guarded } from './errors';

type SwarmActionChannel = 'swarm:scaleService' | 'swarm:forceUpdateService' | 'swarm:removeService';

/** The Swarm screen's service actions, against the endpoint's engine. */
export function createSwarmActionHandlers({
  dockerEndpoints,
}: Pick<Services, 'dockerEndpoints'>): Pick<Handlers, SwarmActionChannel> {
  const actions = createServiceActions({ openClient: (endpoint) => dockerEndpoints.openClient(endpoint) });
  const at = (endpoint: string) => ({ kind: 'endpoint' as const, endpoint });
  return {
    'swarm:scaleService': ({ endpoint, service, replicas }) =>
      guarded(`service ${service}`, at(endpoint), () => actions.scale(endpoint, service, replicas)),
    'swarm:forceUpdateService': ({ endpoint, service }) =>
      guarded(`service ${service}`, at(endpoint), () => actions.forceUpdate(endpoint, service)),
    'swarm:removeService': ({ endpoint, service }) =>
      guarded(`service ${service}`, at(endpoint), () => actions.remove(endpoint, service)),
  };
}
