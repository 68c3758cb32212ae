import type { EventGroupDelta } from '@shared/resource-action-schemas';
import type { WatchTuning } from '../informer';
import type { KubeGateway } from '../kube-gateway';
import { createWatchHub } from '../watch-hub';
import { createEventAggregator, eventRecord, type EventRecord } from './dedup';

/**
 * The cluster's Events, live and deduplicated: one list+watch per (context, namespace) shared by
 * every subscriber, each subscriber with its own aggregation of the records into groups.
 */
export function createEventsService(deps: {
  openGateway(context: string): Promise<KubeGateway>;
  watchConfig?(onChange: () => void): () => void;
  tuning?: Partial<WatchTuning>;
}) {
  const hub = createWatchHub({ ...deps, tuning: { batchMs: 100, ...deps.tuning } });
  return {
    subscribe(params: { context: string; namespace?: string }, emit: (delta: EventGroupDelta) => void): () => void {
      const aggregator = createEventAggregator();
      return hub.subscribe<EventRecord>(
        { context: params.context, resource: 'events', namespace: params.namespace },
        () => ({
          path: params.namespace
            ? `/api/v1/namespaces/${encodeURIComponent(params.namespace)}/events`
            : '/api/v1/events',
          what: params.namespace
            ? `events in namespace '${params.namespace}' of context '${params.context}'`
            : `events of all namespaces in context '${params.context}'`,
          summarize: eventRecord,
        }),
        (delta) => {
          for (const out of aggregator.apply(delta)) emit(out);
        },
      );
    },
    close: () => hub.close(),
  };
}

export type EventsService = ReturnType<typeof createEventsService>;
