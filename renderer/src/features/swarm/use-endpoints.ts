import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ChannelInput, ChannelOutput } from '@shared/contract';
import { invoke } from '../../lib/api-client';

const ENDPOINTS_KEY = ['docker:listEndpoints'] as const;
type EndpointList = ChannelOutput<'docker:listEndpoints'>;

export const useEndpoints = () =>
  useQuery({ queryKey: ENDPOINTS_KEY, queryFn: () => invoke('docker:listEndpoints', {}) });

function useEndpointListMutation<I>(fn: (input: I) => Promise<EndpointList>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: (list) => queryClient.setQueryData(ENDPOINTS_KEY, list) });
}

export const useAddEndpoint = () =>
  useEndpointListMutation((input: ChannelInput<'docker:addEndpoint'>) => invoke('docker:addEndpoint', input));
export const useRemoveEndpoint = () =>
  useEndpointListMutation((name: string) => invoke('docker:removeEndpoint', { name }));

export function useTestEndpoint(name: string) {
  return useMutation({
    mutationKey: ['docker:testEndpoint', name],
    mutationFn: () => invoke('docker:testEndpoint', { name }),
  });
}

export function useAcceptHostKey(name: string) {
  return useMutation({
    mutationFn: (fingerprint: string) => invoke('docker:acceptHostKey', { name, fingerprint }),
  });
}

/** Replaces a changed SSH host key by the one the user confirmed (the host must still present it), then tests. */
export function useReplaceHostKey(name: string) {
  return useMutation({
    mutationFn: (fingerprint: string) => invoke('docker:replaceHostKey', { name, fingerprint }),
  });
}
