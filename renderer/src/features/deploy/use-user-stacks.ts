import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ChannelInput } from '@shared/contract';
import { invoke } from '../../lib/api-client';

/** Where Homeport has a live deployment of each stack (asks every cluster and endpoint: not refetched on focus). */
export const useStackDeployments = () =>
  useQuery({
    queryKey: ['stacks:deployments'],
    queryFn: () => invoke('stacks:deployments', {}),
    refetchOnWindowFocus: false,
    staleTime: 30_000,
  });

export const useAnalyzeCompose = () =>
  useMutation({ mutationFn: (input: ChannelInput<'stacks:import-analyze'>) => invoke('stacks:import-analyze', input) });

/** Saving or removing a user stack changes the picker. */
function useUserStackMutation<I, R>(fn: (input: I) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['stacks:list'] });
      await queryClient.invalidateQueries({ queryKey: ['stacks:deployments'] });
    },
  });
}

export const useSaveUserStack = () =>
  useUserStackMutation((input: ChannelInput<'stacks:user-save'>) => invoke('stacks:user-save', input));
export const useRemoveUserStack = () => useUserStackMutation((name: string) => invoke('stacks:user-remove', { name }));
