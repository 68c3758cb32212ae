import { useEffect, useState } from 'react';
import type { Topic, TopicEvent, TopicParams } from '@shared/contract';
import { applyDeltas, type KeyedDelta } from '@shared/deltas';
import type { WatchStatus } from '@shared/kube-schemas';
import { subscribe } from './api-client';
import { everyWhileVisible, publishWhenVisible, subscribedWhileVisible } from './page-visibility';

/** A page hidden this long stops receiving (see subscribedWhileVisible); shown again, it catches up at once. */
const HIDDEN_GRACE_MS = 10_000;

export interface LiveCollection<S> {
  items: ReadonlyMap<string, S>;
  /** Bumps once per applied batch, so memoized views recompute only when something changed. */
  version: number;
  status: WatchStatus;
}

interface State<S> extends LiveCollection<S> {
  key: string;
}

const EMPTY = new Map<string, never>();

/**
 * Holds a live keyed collection fed by a delta topic. Deltas are applied to one map per
 * subscription; React re-renders once per batch, not once per object, and not at all while the
 * page is hidden (the map stays current; it is published once when the page is visible again).
 * Hidden for longer than a short look away, the subscription itself is closed and opened anew,
 * with the current state, when the page is shown.
 * `store` shapes what is kept per key from the incoming item and what was kept before.
 */
export function useLiveCollection<T extends Topic, I, S = I>(
  topic: T,
  params: TopicParams<T> | undefined,
  keyOf: (item: I) => string,
  store?: (item: I, previous: S | undefined, now: number) => S,
): LiveCollection<S> {
  const paramsKey = params ? `${topic}:${JSON.stringify(params)}` : '';
  const [state, setState] = useState<State<S>>({ key: '', items: EMPTY, version: 0, status: { state: 'syncing' } });

  useEffect(() => {
    if (!paramsKey) return;
    const map = new Map<string, S>();
    let status: WatchStatus = { state: 'syncing' };
    let version = 0;
    const { changed: publish, stop: stopPublishing } = publishWhenVisible(() =>
      setState({ key: paramsKey, items: map, version: ++version, status }),
    );
    const unsubscribe = subscribedWhileVisible(
      () =>
        subscribe(
          topic,
          JSON.parse(paramsKey.slice(topic.length + 1)) as TopicParams<T>,
          (events: TopicEvent<T>[]) => {
            const deltas = events as unknown as KeyedDelta<I>[];
            const now = Date.now();
            for (const d of deltas) if (d.type === 'status') status = d.status as WatchStatus;
            const keep = store ? (item: I, prev: S | undefined) => store(item, prev, now) : undefined;
            applyDeltas(map, deltas, keyOf, keep);
            publish();
          },
          (error) => {
            status = { state: 'failed', message: error.message };
            publish();
          },
        ),
      HIDDEN_GRACE_MS,
    );
    return () => {
      unsubscribe();
      stopPublishing();
    };
    // keyOf and store are module-level functions in every caller; the subscription depends on params only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [topic, paramsKey]);

  if (state.key !== paramsKey) return { items: EMPTY, version: 0, status: { state: 'syncing' } };
  return state;
}

/** A clock that ticks every `ms` while the page is visible, for ages and "renewed 3s ago". */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => everyWhileVisible(ms, () => setNow(Date.now())), [ms]);
  return now;
}
