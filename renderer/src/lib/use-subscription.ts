import { useEffect, useRef } from 'react';
import type { Topic, TopicEvent, TopicParams } from '@shared/contract';
import { subscribe } from './api-client';

/** Keeps a subscription open while the component is mounted. */
export function useSubscription<T extends Topic>(
  topic: T,
  params: TopicParams<T>,
  onEvents: (events: TopicEvent<T>[]) => void,
): void {
  const handler = useRef(onEvents);
  useEffect(() => {
    handler.current = onEvents;
  });
  const key = JSON.stringify(params);
  useEffect(
    () => subscribe(topic, JSON.parse(key) as TopicParams<T>, (events) => handler.current(events)),
    [topic, key],
  );
}
