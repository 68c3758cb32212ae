/** The overview monitor wired to the real sources: kubeconfig contexts, Docker endpoints, probes, shared watches. */
import type { LeaseDelta, PodDelta } from '@shared/kube-schemas';
import { createOverviewMonitor, type OverviewOptions } from './monitor';
import { probeContext, probeEndpoint, type ProbeSources } from './probes';

export interface ClusterOverviewDeps extends ProbeSources {
  contexts(): Promise<{ name: string; simulated: boolean }[]>;
  endpoints(): Promise<string[]>;
  kube: {
    subscribePods(
      params: { context: string },
      emit: (delta: PodDelta) => void,
      opts: { background: boolean },
    ): () => void;
    subscribeLeases(
      params: { context: string },
      emit: (delta: LeaseDelta) => void,
      opts: { background: boolean },
    ): () => void;
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
      // The monitor keeps counts and notifications; it shows no pod as it changes, so its watches
      // may be read at the background pace when no screen watches the same pods.
      watchPods: (context, emit) => deps.kube.subscribePods({ context }, emit, { background: true }),
      watchLeases: (context, emit) => deps.kube.subscribeLeases({ context }, emit, { background: true }),
    },
    { ...options, timeoutMs },
  );
}
