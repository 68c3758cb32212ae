import type { AppInfo, Handlers, SubscriptionHandlers } from '../../shared/contract';
import type { Services } from '../services';

/** One handler per channel. Input arrives already validated by the transport's dispatch. */
export function createHandlers(services: Services): Handlers {
  const { clusters } = services;
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
  };
}

export function createSubscriptionHandlers(services: Services): SubscriptionHandlers {
  return {
    'clusters:contextsChanged': (_params, emit) =>
      services.clusters.watchContexts(() => emit({ at: new Date().toISOString() })),
  };
}
