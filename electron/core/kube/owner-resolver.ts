import type { PodSummary } from '@shared/kube-schemas';
import type { KubeGateway } from './kube-gateway';
import type { KubeObject } from './kube-stream';
import { directOwner } from './pod-summary';

type Owner = { kind: string; name: string };

const MAX_CONCURRENT = 6;
const MAX_CACHED = 5_000;

/** One GET of a ReplicaSet: its controlling Deployment, or undefined when it has none or we may not look. */
export async function deploymentOf(
  gateway: KubeGateway,
  namespace: string,
  replicaSet: string,
  signal?: AbortSignal,
): Promise<Owner | undefined> {
  const rs = await gateway.getJson<KubeObject>(
    `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/replicasets/${encodeURIComponent(replicaSet)}`,
    { signal, timeoutMs: 10_000 },
  );
  const owner = directOwner(rs);
  return owner?.kind === 'Deployment' ? owner : undefined;
}

/**
 * Resolves pods' ReplicaSet owners to Deployments with one GET per ReplicaSet (not per pod),
 * cached, a few at a time. Until an answer arrives the pod shows its ReplicaSet; when it does,
 * the pods waiting for it are updated in place. Failures leave the ReplicaSet showing.
 */
export function createOwnerResolver() {
  const cache = new Map<string, Owner | null>();
  const waiting = new Map<string, Set<string>>();
  const queue: { namespace: string; name: string }[] = [];
  let running = 0;
  let gateway: KubeGateway | undefined;
  let signal: AbortSignal | undefined;
  let update: ((key: string, next: (item: PodSummary) => PodSummary) => void) | undefined;

  function pump() {
    while (running < MAX_CONCURRENT && queue.length && gateway && !signal?.aborted) {
      const { namespace, name } = queue.shift()!;
      const rsKey = `${namespace}/${name}`;
      running++;
      deploymentOf(gateway, namespace, name, signal)
        .catch(() => undefined)
        .then((owner) => {
          running--;
          if (signal?.aborted) return;
          if (cache.size >= MAX_CACHED) cache.clear();
          cache.set(rsKey, owner ?? null);
          const pods = waiting.get(rsKey);
          waiting.delete(rsKey);
          if (owner && pods && update) {
            for (const podKey of pods) {
              update(podKey, (item) =>
                item.owner?.kind === 'ReplicaSet' && item.owner.name === name ? { ...item, owner } : item,
              );
            }
          }
          pump();
        });
    }
  }

  return {
    attach(tools: {
      gateway: KubeGateway;
      signal: AbortSignal;
      update(key: string, next: (item: PodSummary) => PodSummary): void;
    }) {
      gateway = tools.gateway;
      signal = tools.signal;
      update = tools.update;
      pump();
    },
    /** The summary with its Deployment owner when known; otherwise it asks and returns it as is. */
    resolve(summary: PodSummary): PodSummary {
      if (summary.owner?.kind !== 'ReplicaSet') return summary;
      const rsKey = `${summary.namespace}/${summary.owner.name}`;
      const known = cache.get(rsKey);
      if (known) return { ...summary, owner: known };
      if (known === null) return summary;
      const podKey = `${summary.namespace}/${summary.name}`;
      const pods = waiting.get(rsKey);
      if (pods) pods.add(podKey);
      else {
        waiting.set(rsKey, new Set([podKey]));
        queue.push({ namespace: summary.namespace, name: summary.owner.name });
        pump();
      }
      return summary;
    },
  };
}
