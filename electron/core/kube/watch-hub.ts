import type { KubeGateway } from './kube-gateway';
import {
  createInformer,
  defaultTuning,
  type Delta,
  type Informer,
  type ResourceSpec,
  type WatchTuning,
} from './informer';

/**
 * Shares one list+watch per (context, resource, namespace) among all its subscribers. The first
 * subscriber starts it; the last one to leave stops it and closes its connection.
 */
export function createWatchHub(deps: {
  openGateway(context: string): Promise<KubeGateway>;
  tuning?: Partial<WatchTuning>;
}) {
  const tuning: WatchTuning = { ...defaultTuning, ...deps.tuning };
  // Informers of different item types live side by side; each key always holds one type.
  const informers = new Map<string, Informer<unknown>>();

  function subscribe<T>(
    key: { context: string; resource: string; namespace?: string },
    makeSpec: () => ResourceSpec<T>,
    emit: (delta: Delta<T>) => void,
  ): () => void {
    const id = `${key.context}\u0000${key.resource}\u0000${key.namespace ?? ''}`;
    let informer = informers.get(id) as Informer<T> | undefined;
    if (!informer) {
      informer = createInformer(makeSpec(), () => deps.openGateway(key.context), tuning);
      informers.set(id, informer as Informer<unknown>);
    }
    const owner = informer;
    const leave = owner.subscribe(emit);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      leave();
      if (owner.size === 0 && informers.get(id) === owner) {
        owner.stop();
        informers.delete(id);
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
    },
  };
}

export type WatchHub = ReturnType<typeof createWatchHub>;
