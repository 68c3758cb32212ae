import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import type { Selection } from '@shared/selection-schemas';
import { invoke } from './api-client';

const SELECTION_KEY = ['selection:get'] as const;

/**
 * What the user chose (cluster, target, endpoints), kept in the data directory by the main process
 * so that both the desktop app and `homeport serve` come back to it after a restart. `update`
 * shows the change at once and saves it.
 *
 * The change is also held in this hook's own state: React Query tells its observers on a later
 * tick, and a controlled radio or text field must see its new value in the same event or React
 * puts the old one back (a radio that does not check, a caret that jumps). Each field has one
 * writer (the context: ActiveContextProvider; the target: ActiveTargetProvider; the Swarm
 * screens' endpoint: SwarmEndpointScope), so a hook's own changes never hide another's.
 */
export function useSelection() {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: SELECTION_KEY, queryFn: () => invoke('selection:get', {}), staleTime: Infinity });
  const [own, setOwn] = useState<Selection>({});
  const update = useCallback(
    (change: Selection) => {
      setOwn((o) => ({ ...o, ...change }));
      queryClient.setQueryData<Selection>(SELECTION_KEY, (old) => ({ ...old, ...change }));
      // The view keeps the change even when saving fails (a read-only data directory): it then
      // holds until Homeport restarts. Replies are not written back, so a slow one cannot undo a
      // later change.
      void invoke('selection:set', change).catch(() => undefined);
    },
    [queryClient],
  );
  const selection = useMemo(() => (query.data ? { ...query.data, ...own } : undefined), [query.data, own]);
  return { selection, loaded: query.isSuccess || query.isError, update };
}
