import type { Handlers } from '@shared/contract';
import type { StackLeaders } from '../core/leaders/stack-leaders';
import { guarded } from './errors';

/** The Leaders screen's stacks whose leader lives in a database table. */
export function createLeaderHandlers(deps: {
  stackLeaders: Pick<StackLeaders, 'list'>;
}): Pick<Handlers, 'leaders:tables'> {
  return {
    'leaders:tables': (place) =>
      guarded(
        'the leaders of deployed stacks',
        place.kind === 'kubernetes'
          ? { kind: 'context', context: place.context }
          : { kind: 'endpoint', endpoint: place.endpoint },
        async () => ({ leaders: await deps.stackLeaders.list(place) }),
      ),
  };
}
