import { useQuery } from '@tanstack/react-query';
import type { LeaderPlace } from '@shared/leader-schemas';
import { invoke } from '../../lib/api-client';

/** How often the leader rows are read again: a leader renews its term every few seconds. */
const REFRESH_MS = 5000;

/** The leaders of deployed stacks that keep them in a database table, read in their containers. */
export function useTableLeaders(place: LeaderPlace | undefined) {
  return useQuery({
    queryKey: ['leaders:tables', place],
    queryFn: () => invoke('leaders:tables', place as LeaderPlace),
    enabled: place !== undefined,
    refetchInterval: REFRESH_MS,
  });
}
