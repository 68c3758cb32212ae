import { useEffect, useRef, useState } from 'react';
import type { ApiError, Topic, TopicEvent, TopicParams } from '@shared/contract';
import { subscribe } from './api-client';

/**
 * Keeps a subscription open while the component is mounted and params are given, and opens a new
 * one when the topic or the params change. The latest callbacks are used without resubscribing.
 */
export function useSubscription<T extends Topic>(
  topic: T,
  params: TopicParams<T> | undefined,
  onEvents: (events: TopicEvent<T>[]) => void,
  onError?: (error: ApiError) => void,
): void {
  const handlers = useRef({ onEvents, onError });
  useEffect(() => {
    handlers.current = { onEvents, onError };
  });
  const key = params === undefined ? '' : JSON.stringify(params);
  useEffect(() => {
    if (!key) return;
    return subscribe(
      topic,
      JSON.parse(key) as TopicParams<T>,
      (events) => handlers.current.onEvents(events),
      (error) => handlers.current.onError?.(error),
    );
  }, [topic, key]);
}

/**
 * The latest event of a topic whose every event is a whole state (a rollout, a scorecard), with the
 * subscription's error; both reset when the params change.
 */
export function useLatestEvent<T extends Topic>(
  topic: T,
  params: TopicParams<T> | undefined,
): { event?: TopicEvent<T>; error?: string } {
  const key = params === undefined ? '' : JSON.stringify(params);
  const [state, setState] = useState<{ key: string; event?: TopicEvent<T>; error?: string }>({ key: '' });
  useSubscription(
    topic,
    params,
    (events) => {
      const last = events[events.length - 1];
      if (last !== undefined) setState({ key, event: last });
    },
    (error) => setState({ key, error: error.message }),
  );
  return state.key === key ? state : {};
}
