import type { KubeGateway } from './kube-gateway';
import {
  createInformer,
  defaultTuning,
  type Delta,
  type Informer,
  type ResourceSpec,
  type SubscribeOptions,
  type WatchTuning,
} from './informer';

/**
 * Shares one list+watch per (context, resource, namespace) among all its subscribers. The first
 * subscriber starts it; the last one to leave stops it and closes its connection.
 */
export function createWatchHub(deps: {
  openGateway(context: string): Promise<KubeGateway>;
  /**
   * Calls back when the kubeconfig files change on disk; returns how to stop. Watches that are not
   * live then reconnect with the kubeconfig as it is now (a cluster back with a new CA or token).
   */
  watchConfig?(onChange: () => void): () => void;
  tuning?: Partial<WatchTuning>;
}) {
  const tuning: WatchTuning = { ...defaultTuning, ...deps.tuning };
  // Informers of different item types live side by side; each key always holds one type.
  const informers = new Map<string, Informer<unknown>>();
  let stopConfigWatch: (() => void) | undefined;
  const followConfig = () => {
    if (!stopConfigWatch && deps.watchConfig) {
      stopConfigWatch = deps.watchConfig(() => {
        for (const informer of informers.values()) informer.retryNow();
      });
    }
  };
  const unfollowConfigWhenIdle = () => {
    if (informers.size === 0) {
      stopConfigWatch?.();
      stopConfigWatch = undefined;
    }
  };

  function subscribe<T>(
    key: { context: string; resource: string; namespace?: string },
    makeSpec: () => ResourceSpec<T>,
    emit: (delta: Delta<T>) => void,
    opts: SubscribeOptions = {},
  ): () => void {
    const id = `${key.context}\u0000${key.resource}\u0000${key.namespace ?? ''}`;
    let informer = informers.get(id) as Informer<T> | undefined;
    if (!informer) {
      informer = createInformer(makeSpec(), () => deps.openGateway(key.context), tuning);
      informers.set(id, informer as Informer<unknown>);
      followConfig();
    }
    const owner = informer;
    const leave = owner.subscribe(emit, opts);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      leave();
      if (owner.size === 0 && informers.get(id) === owner) {
        owner.stop();
        informers.delete(id);
        unfollowConfigWhenIdle();
      }
    };
  }

  return {
    subscribe,
    /** How many shared watches run now; for tests and diagnostics. */
    get activeWatches() {
      return informers.size;
    },
    close() {
      for (const informer of informers.values()) informer.stop();
      informers.clear();
      unfollowConfigWhenIdle();
    },
  };
}

export type WatchHub = ReturnType<typeof createWatchHub>;
