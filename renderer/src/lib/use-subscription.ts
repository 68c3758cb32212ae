import { useEffect, useRef } from 'react';
import type { ApiError, Topic, TopicEvent, TopicParams } from '@shared/contract';
import { subscribe } from './api-client';

/**
 * Keeps a subscription open while the component is mounted, and opens a new one when the topic or
 * the params change. The latest callbacks are used without resubscribing.
 */
export function useSubscription<T extends Topic>(
  topic: T,
  params: TopicParams<T>,
  onEvents: (events: TopicEvent<T>[]) => void,
  onError?: (error: ApiError) => void,
): void {
  const handlers = useRef({ onEvents, onError });
  useEffect(() => {
    handlers.current = { onEvents, onError };
  });
  const key = JSON.stringify(params);
  useEffect(
    () =>
      subscribe(
        topic,
        JSON.parse(key) as TopicParams<T>,
        (events) => handlers.current.onEvents(events),
        (error) => handlers.current.onError?.(error),
      ),
    [topic, key],
  );
}
