import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { Selection } from '@shared/selection-schemas';
import { invoke } from './api-client';

const SELECTION_KEY = ['selection:get'] as const;

/**
 * What the user chose (cluster, target, endpoints), kept in the data directory by the main process
 * so that both the desktop app and `homeport serve` come back to it after a restart. `update`
 * shows the change at once and saves it.
 */
export function useSelection() {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: SELECTION_KEY, queryFn: () => invoke('selection:get', {}), staleTime: Infinity });
  const update = useCallback(
    (change: Selection) => {
      queryClient.setQueryData<Selection>(SELECTION_KEY, (old) => ({ ...old, ...change }));
      // The view keeps the change even when saving fails (a read-only data directory): it then
      // holds until Homeport restarts. Replies are not written back, so a slow one cannot undo a
      // later change.
      void invoke('selection:set', change).catch(() => undefined);
    },
    [queryClient],
  );
  return { selection: query.data, loaded: query.isSuccess || query.isError, update };
}
