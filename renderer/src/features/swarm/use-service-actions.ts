import { useMutation } from '@tanstack/react-query';
import { invoke } from '../../lib/api-client';

/** Scale, restart (force update) and remove one Swarm service; the live services list shows the result. */
export function useServiceActions(endpoint: string, service: string) {
  const scale = useMutation({
    mutationFn: (replicas: number) => invoke('swarm:scaleService', { endpoint, service, replicas }),
  });
  const restart = useMutation({ mutationFn: () => invoke('swarm:forceUpdateService', { endpoint, service }) });
  const remove = useMutation({ mutationFn: () => invoke('swarm:removeService', { endpoint, service }) });
  return { scale, restart, remove };
}
