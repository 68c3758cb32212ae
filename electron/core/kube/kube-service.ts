import type { LeaseDelta, LogChunk, PodDelta, PodDetail } from '@shared/kube-schemas';
import type { SubscribeOptions, WatchTuning } from './informer';
import type { KubeGateway } from './kube-gateway';
import { type PodLogParams, streamPodLogs } from './pod-logs';
import { createPodService } from './pod-service';
import { leasesSpec, podsSpec } from './resource-specs';
import { createWatchHub, type WatchHub } from './watch-hub';

export interface KubeServiceDeps {
  openGateway(context: string): Promise<KubeGateway>;
  /** Calls back when the kubeconfig files change (ClustersService.watchContexts); watches that are down then retry at once. */
  watchConfig?(onChange: () => void): () => void;
  /** How long changes are gathered before they go out as one batch. Default 50 ms: a 100 ms window alone would break the 100 ms event-to-screen target. */
  batchMs?: number;
  now?: () => number;
  /** Watch timing (dead-connection timeout, backoff, jitter); tests shorten it. */
  tuning?: Partial<WatchTuning>;
  /** Watches shared with other services (the resource browser's pods); else its own. */
  hub?: WatchHub;
}

/** Live Kubernetes data (pods, leases, logs) and the pod actions of the UI. */
export function createKubeService(deps: KubeServiceDeps) {
  const batchMs = deps.batchMs ?? 50;
  const hub =
    deps.hub ??
    createWatchHub({
      openGateway: deps.openGateway,
      watchConfig: deps.watchConfig,
      tuning: { ...deps.tuning, batchMs, ...(deps.now ? { now: deps.now } : {}) },
    });
  const logStreams = new Set<() => void>();

  /** A short-lived gateway for one request, closed afterwards. */
  async function withGateway<R>(context: string, fn: (g: KubeGateway) => Promise<R>): Promise<R> {
    const gateway = await deps.openGateway(context);
    try {
      return await fn(gateway);
    } finally {
      gateway.close();
    }
  }
  const pods = createPodService(withGateway);

  return {
    subscribePods(
      params: { context: string; namespace?: string },
      emit: (delta: PodDelta) => void,
      opts: SubscribeOptions = {},
    ): () => void {
      return hub.subscribe(
        { context: params.context, resource: 'pods', namespace: params.namespace },
        () => podsSpec(params.context, params.namespace),
        emit,
        opts,
      );
    },
    subscribeLeases(
      params: { context: string },
      emit: (delta: LeaseDelta) => void,
      opts: SubscribeOptions = {},
    ): () => void {
      return hub.subscribe(
        { context: params.context, resource: 'leases' },
        () => leasesSpec(params.context),
        emit,
        opts,
      );
    },
    streamPodLogs(params: PodLogParams, emit: (chunk: LogChunk) => void): () => void {
      const stop = streamPodLogs(params, emit, { openGateway: deps.openGateway, batchMs });
      const unsubscribe = () => {
        logStreams.delete(unsubscribe);
        stop();
      };
      logStreams.add(unsubscribe);
      return unsubscribe;
    },
    getPod: (params: { context: string; namespace: string; name: string }): Promise<PodDetail> => pods.getPod(params),
    deletePod: (params: { context: string; namespace: string; name: string }): Promise<{ deleted: true }> =>
      pods.deletePod(params),
    listNamespaces: (params: { context: string }): Promise<{ namespaces: string[] }> => pods.listNamespaces(params),
    /** How many shared watches run now; for tests and diagnostics. */
    get activeWatches() {
      return hub.activeWatches;
    },
    close() {
      hub.close();
      for (const stop of [...logStreams]) stop();
    },
  };
}

export type KubeService = ReturnType<typeof createKubeService>;
