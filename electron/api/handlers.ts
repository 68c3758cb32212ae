import type { AppInfo, Handlers, SubscriptionHandlers } from '@shared/contract';
import type { Services } from '../services';
import { createDeployHandlers, createDeploySubscriptions } from './deploy-handlers';
import { createReadinessHandlers, createReadinessSubscriptions } from './readiness-handlers';
import { createStorageHandlers } from './storage-handlers';
import { createSwarmHandlers, createSwarmSubscriptions } from './swarm-handlers';

/** One handler per channel. Input arrives already validated by the transport's dispatch. */
export function createHandlers(services: Services): Handlers {
  const { clusters, kube } = services;
  return {
    'app:info': async (): Promise<AppInfo> => ({
      name: 'Homeport',
      version: services.version,
      mode: services.mode,
      dataDir: services.dataDir,
    }),
    'clusters:listContexts': () => clusters.listContexts(),
    'clusters:addKubeconfig': ({ path }) => clusters.addKubeconfig(path),
    'clusters:removeKubeconfig': ({ path }) => clusters.removeKubeconfig(path),
    'clusters:testConnection': ({ context, timeoutMs }) => clusters.testConnection(context, timeoutMs),
    'clusters:allowExec': ({ context }) => clusters.allowExec(context),
    'clusters:revokeExec': ({ context }) => clusters.revokeExec(context),
    'kube:listNamespaces': (input) => kube.listNamespaces(input),
    'kube:getPod': (input) => kube.getPod(input),
    'kube:deletePod': (input) => kube.deletePod(input),
    ...createDeployHandlers(services),
    ...createSwarmHandlers(services),
    ...createStorageHandlers(services),
    ...createReadinessHandlers(services),
  };
}

export function createSubscriptionHandlers(services: Services): SubscriptionHandlers {
  return {
    'clusters:contextsChanged': (_params, emit) =>
      services.clusters.watchContexts(() => emit({ at: new Date().toISOString() })),
    'kube:pods': (params, emit) => services.kube.subscribePods(params, emit),
    'kube:leases': (params, emit) => services.kube.subscribeLeases(params, emit),
    'kube:podLogs': (params, emit) => services.kube.streamPodLogs(params, emit),
    ...createDeploySubscriptions(services),
    ...createSwarmSubscriptions(services),
    ...createReadinessSubscriptions(services),
  };
}
