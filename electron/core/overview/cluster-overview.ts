/** The overview monitor wired to the real sources: kubeconfig contexts, Docker endpoints, probes, shared watches. */
import type { LeaseDelta, PodDelta } from '@shared/kube-schemas';
import { createOverviewMonitor, type OverviewOptions } from './monitor';
import { probeContext, probeEndpoint, type ProbeSources } from './probes';

export interface ClusterOverviewDeps extends ProbeSources {
  contexts(): Promise<{ name: string; simulated: boolean }[]>;
  endpoints(): Promise<string[]>;
  kube: {
    subscribePods(params: { context: string }, emit: (delta: PodDelta) => void): () => void;
    subscribeLeases(params: { context: string }, emit: (delta: LeaseDelta) => void): () => void;
  };
}

export function createClusterOverview(deps: ClusterOverviewDeps, options: OverviewOptions = {}) {
  const timeoutMs = options.timeoutMs ?? 5000;
  return createOverviewMonitor(
    {
      contexts: deps.contexts,
      endpoints: deps.endpoints,
      probeContext: (context, signal) => probeContext(context, deps, { timeoutMs, signal, now: Date.now() }),
      probeEndpoint: (endpoint, signal) => probeEndpoint(endpoint, deps, { timeoutMs, signal }),
      watchPods: (context, emit) => deps.kube.subscribePods({ context }, emit),
      watchLeases: (context, emit) => deps.kube.subscribeLeases({ context }, emit),
    },
    { ...options, timeoutMs },
  );
}
