import type { Handlers, SubscriptionHandlers } from '@shared/contract';
import { resourceId } from '@shared/resource-schemas';
import type { ResourceService } from '../core/kube/resources/resource-service';
import { guarded } from './errors';

export type ResourceChannel = 'kube:discover' | 'kube:getObject' | 'kube:revealSecret';

/**
 * The resource browser's calls. A revealed Secret value is only ever the return value: errors
 * name the Secret and the key, and nothing here logs.
 */
export function createResourceHandlers(deps: {
  resources: Pick<ResourceService, 'discover' | 'getObject' | 'revealSecret'>;
}): Pick<Handlers, ResourceChannel> {
  const { resources } = deps;
  return {
    'kube:discover': (input) =>
      guarded('the API resources', { kind: 'context', context: input.context }, () => resources.discover(input)),
    'kube:getObject': (input) =>
      guarded(
        `${resourceId(input)} ${input.namespace ? `${input.namespace}/` : ''}${input.name}`,
        { kind: 'context', context: input.context },
        () => resources.getObject(input),
      ),
    'kube:revealSecret': (input) =>
      guarded(`Secret ${input.namespace}/${input.name}`, { kind: 'context', context: input.context }, () =>
        resources.revealSecret(input),
      ),
  };
}

export function createResourceSubscriptions(deps: {
  resources: Pick<ResourceService, 'subscribe'>;
}): Pick<SubscriptionHandlers, 'kube:resources'> {
  return { 'kube:resources': (params, emit) => deps.resources.subscribe(params, emit) };
}
