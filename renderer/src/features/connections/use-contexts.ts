import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ContextList } from '@shared/contract';
import { invoke } from '../../lib/api-client';
import { useSubscription } from '../../lib/use-subscription';

const CONTEXTS_KEY = ['clusters:listContexts'] as const;

/** The merged context list, refreshed whenever a kubeconfig file changes on disk. */
export function useContexts() {
  const queryClient = useQueryClient();
  useSubscription('clusters:contextsChanged', {}, () => {
    void queryClient.invalidateQueries({ queryKey: CONTEXTS_KEY });
  });
  return useQuery({ queryKey: CONTEXTS_KEY, queryFn: () => invoke('clusters:listContexts', {}) });
}

function useContextListMutation<I>(fn: (input: I) => Promise<ContextList>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (list) => queryClient.setQueryData(CONTEXTS_KEY, list),
  });
}

export const useAddKubeconfig = () =>
  useContextListMutation((path: string) => invoke('clusters:addKubeconfig', { path }));
export const useRemoveKubeconfig = () =>
  useContextListMutation((path: string) => invoke('clusters:removeKubeconfig', { path }));
export const useTrySandbox = () => useContextListMutation(() => invoke('sandbox:try', {}));
export const useAllowExec = () =>
  useContextListMutation((context: string) => invoke('clusters:allowExec', { context }));

export function useTestConnection(context: string) {
  return useMutation({
    mutationKey: ['clusters:testConnection', context],
    mutationFn: () => invoke('clusters:testConnection', { context }),
  });
}
