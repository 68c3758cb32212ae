import type { AppInfo, Handlers, SubscriptionHandlers } from '@shared/contract';
import type { Services } from '../services';
import { createBackupHandlers, createBackupSubscriptions } from './backup-handlers';
import { createDeployHandlers, createDeploySubscriptions } from './deploy-handlers';
// Deploy form.
import { createDeployFormHandlers } from './deploy-form-handlers';
import { guarded } from './errors';
import { createExecHandlers, createExecSubscriptions } from './exec-handlers';
import { createPortForwardHandlers } from './portforward-handlers';
import { createLeaderHandlers } from './leader-handlers';
import { createReadinessHandlers, createReadinessSubscriptions } from './readiness-handlers';
import { createStorageHandlers } from './storage-handlers';
import { createUserStackHandlers } from './user-stack-handlers';
import { trySandbox } from './try-sandbox';
import { createDockerHandlers, createSwarmSubscriptions } from './swarm-handlers';
// Resource browser: its kube: channels have their own handlers.
import { createResourceHandlers, createResourceSubscriptions, type ResourceChannel } from './resource-handlers';
// Overview and notifications.
import { createOverviewSubscriptions } from './overview-handlers';
import { createSwarmActionHandlers } from './swarm-action-handlers';

// Resource actions: their kube: channels are handled in resource-action-handlers.ts.
import {
  createResourceActionHandlers,
  createResourceActionSubscriptions,
  type ResourceActionChannel,
} from './resource-action-handlers';

type ClusterChannel = Exclude<
  Extract<keyof Handlers, 'app:info' | `clusters:${string}` | `kube:${string}`>,
  ResourceChannel | ResourceActionChannel
>;

/** App information, kubeconfig contexts and the pods of a cluster. */
function createClusterHandlers(
  services: Pick<Services, 'clusters' | 'kube' | 'version' | 'mode' | 'dataDir'>,
): Pick<Handlers, ClusterChannel> {
  const { clusters, kube } = services;
  const pod = (p: { context: string; namespace: string; name: string }) =>
    [`Pod ${p.namespace}/${p.name}`, { kind: 'context' as const, context: p.context }] as const;
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
    'kube:listNamespaces': (input) =>
      guarded('the namespaces', { kind: 'context', context: input.context }, () => kube.listNamespaces(input)),
    'kube:getPod': (input) => guarded(...pod(input), () => kube.getPod(input)),
    'kube:deletePod': (input) => guarded(...pod(input), () => kube.deletePod(input)),
  };
}

/** One handler per channel. Input arrives already validated by the transport's dispatch. */
export function createHandlers(services: Services): Handlers {
  return {
    ...createClusterHandlers(services),
    ...createDeployHandlers({ catalog: services.stacks, deployments: services.deployments }),
    ...createDockerHandlers(services),
    ...createStorageHandlers(services),
    ...createReadinessHandlers({ deployments: services.deployments, metrics: services.metrics }),
    ...createExecHandlers(services),
    ...createPortForwardHandlers(services.portForwards),
    ...createLeaderHandlers(services),
    ...createBackupHandlers(services),
    ...createUserStackHandlers(services),
    // Resource browser.
    ...createResourceHandlers(services),
    // First run: the empty Connections screen's "Try the sandbox".
    'sandbox:try': () => trySandbox(services),
    ...createResourceActionHandlers(services),
    // The chosen cluster, target and endpoints, kept across restarts.
    'selection:get': () => services.selection.get(),
    'selection:set': (change) => services.selection.set(change),
    // Swarm service actions (scale, force update, remove).
    ...createSwarmActionHandlers(services),
    // Deploy form: the live revision's values.
    ...createDeployFormHandlers(services),
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
    ...createExecSubscriptions(services),
    ...createBackupSubscriptions(services),
    // Resource browser.
    ...createResourceSubscriptions(services),
    // Overview and notifications.
    ...createOverviewSubscriptions(services),
    ...createResourceActionSubscriptions(services),
  };
}
