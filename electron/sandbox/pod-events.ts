import { randomBytes } from 'node:crypto';
import { RESOURCES, type ResourceType } from './resources';
import type { KObject, Store } from './store';

const EVENTS = RESOURCES.find((r) => r.plural === 'events') as ResourceType;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export type PodEvent = (pod: KObject, reason: string, message: string, type?: 'Normal' | 'Warning') => void;

/**
 * A pod's Events as the kubelet's recorder writes them: a repeated event (same reason, type and
 * message) is one Event whose count rises, not a new object each time.
 */
export function createPodEvents(store: Store) {
  const recorded = new Map<string, string>();

  const event: PodEvent = (pod, reason, message, type = 'Normal') => {
    const ts = now();
    const key = `${pod.metadata.uid}\n${type}\n${reason}\n${message}`;
    const seen = recorded.get(key);
    const old = seen ? store.peek(EVENTS, pod.metadata.namespace, seen) : undefined;
    if (old) {
      store.update(EVENTS, { ...old, count: Number(old.count ?? 1) + 1, lastTimestamp: ts });
      return;
    }
    const name = `${pod.metadata.name}.${randomBytes(8).toString('hex')}`;
    recorded.set(key, name);
    store.create(EVENTS, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: pod.metadata.namespace },
      involvedObject: {
        kind: 'Pod',
        namespace: pod.metadata.namespace,
        name: pod.metadata.name,
        uid: pod.metadata.uid,
        apiVersion: 'v1',
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: ts,
      lastTimestamp: ts,
      source: {
        component: reason === 'Scheduled' ? 'default-scheduler' : 'kubelet',
        host: pod.spec?.nodeName as string | undefined,
      },
    });
  };

  /** Forgets a deleted pod's aggregation keys. */
  const forget = (uid: string | undefined) => {
    for (const key of recorded.keys()) if (key.startsWith(`${uid}\n`)) recorded.delete(key);
  };

  return { event, forget };
}
