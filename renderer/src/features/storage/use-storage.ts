import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ChannelInput } from '@shared/contract';
import { invoke } from '../../lib/api-client';

const NAS_KEY = ['nas:list'] as const;
const S3_KEY = ['s3:list'] as const;
const exportsKey = (host: string) => ['nas:listExports', host];
const bucketsKey = (profile: string) => ['s3:listBuckets', profile];

export const useNasHosts = () => useQuery({ queryKey: NAS_KEY, queryFn: () => invoke('nas:list', {}) });

export function useAddNasHost() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: ChannelInput<'nas:add'>) => invoke('nas:add', input),
    onSuccess: (list) => queryClient.setQueryData(NAS_KEY, list),
  });
}

export function useRemoveNasHost() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => invoke('nas:remove', { name }),
    onSuccess: (list) => queryClient.setQueryData(NAS_KEY, list),
  });
}

export const useProbe = (name: string) =>
  useMutation({ mutationKey: ['nas:probe', name], mutationFn: () => invoke('nas:probe', { name }) });

export const useAcceptNasHostKey = (name: string) =>
  useMutation({ mutationFn: (fingerprint: string) => invoke('nas:acceptHostKey', { name, fingerprint }) });

/** Replaces a changed host key by the one the user confirmed (the NAS must still present it), then probes. */
export const useReplaceNasHostKey = (name: string) =>
  useMutation({ mutationFn: (fingerprint: string) => invoke('nas:replaceHostKey', { name, fingerprint }) });

export const useExports = (host: string) =>
  useQuery({ queryKey: exportsKey(host), queryFn: () => invoke('nas:listExports', { host }), retry: false });

export function useCreateExport(host: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: Omit<ChannelInput<'nas:createExport'>, 'host'>) =>
      invoke('nas:createExport', { ...input, host }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: exportsKey(host) }),
  });
}

export function useRemoveExport(host: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => invoke('nas:removeExport', { host, name }),
    onSuccess: (result) => queryClient.setQueryData(exportsKey(host), result),
  });
}

export const useS3Profiles = () => useQuery({ queryKey: S3_KEY, queryFn: () => invoke('s3:list', {}) });

export function useAddS3Profile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: ChannelInput<'s3:add'>) => invoke('s3:add', input),
    onSuccess: (list) => queryClient.setQueryData(S3_KEY, list),
  });
}

export function useRemoveS3Profile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => invoke('s3:remove', { name }),
    onSuccess: (list) => queryClient.setQueryData(S3_KEY, list),
  });
}

export const useTestS3 = (name: string) =>
  useMutation({ mutationKey: ['s3:test', name], mutationFn: () => invoke('s3:test', { name }) });

export const useBuckets = (profile: string) =>
  useQuery({ queryKey: bucketsKey(profile), queryFn: () => invoke('s3:listBuckets', { profile }), retry: false });

/** Bucket changes refresh the bucket list when they finish. */
function useBucketMutation<I, R>(profile: string, fn: (input: I) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => queryClient.invalidateQueries({ queryKey: bucketsKey(profile) }),
  });
}

export const useCreateBucket = (profile: string) =>
  useBucketMutation(profile, (input: { bucket: string; private: boolean }) =>
    invoke('s3:createBucket', { profile, ...input }),
  );
export const useDeleteBucket = (profile: string) =>
  useBucketMutation(profile, (bucket: string) => invoke('s3:deleteBucket', { profile, bucket }));
export const useMakePrivate = (profile: string) =>
  useBucketMutation(profile, (bucket: string) => invoke('s3:makePrivate', { profile, bucket }));
