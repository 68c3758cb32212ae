import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ChannelInput, ChannelOutput } from '@shared/contract';
import { invoke } from '../../lib/api-client';

const REGISTRIES_KEY = ['docker:listRegistries'] as const;
type RegistryList = ChannelOutput<'docker:listRegistries'>;

export const useRegistries = () =>
  useQuery({ queryKey: REGISTRIES_KEY, queryFn: () => invoke('docker:listRegistries', {}) });

function useRegistryListMutation<I>(fn: (input: I) => Promise<RegistryList>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: (list) => queryClient.setQueryData(REGISTRIES_KEY, list) });
}

export const useAddRegistry = () =>
  useRegistryListMutation((input: ChannelInput<'docker:addRegistry'>) => invoke('docker:addRegistry', input));
export const useRemoveRegistry = () =>
  useRegistryListMutation((host: string) => invoke('docker:removeRegistry', { host }));
