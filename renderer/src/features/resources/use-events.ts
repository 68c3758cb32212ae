import { useMemo } from 'react';
import type { EventGroup } from '@shared/resource-action-schemas';
import { useLiveCollection } from '../../lib/use-live-collection';

const keyOf = (g: EventGroup) => g.key;

/** Sorts newest first; with warningsFirst, every Warning group comes before the Normal ones. */
export function sortEvents(groups: Iterable<EventGroup>, warningsFirst: boolean): EventGroup[] {
  return [...groups].sort((a, b) => {
    if (warningsFirst && (a.type === 'Warning') !== (b.type === 'Warning')) return a.type === 'Warning' ? -1 : 1;
    return b.lastSeen.localeCompare(a.lastSeen);
  });
}

/** The deduplicated Events of a context (or one namespace), live. */
export function useEvents(context: string | undefined, namespace?: string) {
  const live = useLiveCollection<'kube:events', EventGroup>(
    'kube:events',
    context ? { context, ...(namespace ? { namespace } : {}) } : undefined,
    keyOf,
  );
  const { items, version } = live;
  const groups = useMemo(() => {
    void version;
    return [...items.values()];
  }, [items, version]);
  return { groups, status: live.status };
}
