import type { SubscriptionHandlers } from '@shared/contract';
import type { OverviewMonitor } from '../core/overview/monitor';

/** The all-clusters overview and the notifications topic, over the one shared monitor. */
export function createOverviewSubscriptions(deps: {
  overview: Pick<OverviewMonitor, 'subscribe' | 'subscribeNotifications'>;
}): Pick<SubscriptionHandlers, 'overview:live' | 'notifications:events'> {
  return {
    'overview:live': (_params, emit) => deps.overview.subscribe(emit),
    'notifications:events': (_params, emit) => deps.overview.subscribeNotifications(emit),
  };
}
