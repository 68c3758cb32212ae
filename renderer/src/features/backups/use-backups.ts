import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { BackupDestinationSpec, BackupProgress, BackupSchedule } from '@shared/backup-schemas';
import type { ChannelInput } from '@shared/contract';
import type { StackOnTarget, Target } from '@shared/target-schemas';
import { invoke } from '../../lib/api-client';
import { useLatestEvent } from '../../lib/use-subscription';

export { useNasHosts, useS3Profiles } from '../storage/use-storage';

/** A saved NAS host's exports, once a host is chosen (same cache as the Storage screen). */
export const useExports = (host: string) =>
  useQuery({
    queryKey: ['nas:listExports', host],
    queryFn: () => invoke('nas:listExports', { host }),
    enabled: host !== '',
    retry: false,
  });

/** A saved S3 profile's buckets, once a profile is chosen. */
export const useBuckets = (profile: string) =>
  useQuery({
    queryKey: ['s3:listBuckets', profile],
    queryFn: () => invoke('s3:listBuckets', { profile }),
    enabled: profile !== '',
    retry: false,
  });

const LIST = 'backups:list';
const KEY = ['backups:keyStatus'] as const;
const SCHEDULES = ['backups:schedules'] as const;

/** The backups at a destination, newest first; nothing is asked until a destination is chosen. */
export const useBackupList = (destination: BackupDestinationSpec | undefined) =>
  useQuery({
    queryKey: [LIST, destination],
    queryFn: () =>
      destination ? invoke('backups:list', { destination }) : Promise.resolve({ backups: [] as never[] }),
    enabled: destination !== undefined,
    retry: false,
  });

export const useStartBackup = () =>
  useMutation({ mutationFn: (input: ChannelInput<'backups:start'>) => invoke('backups:start', input) });

export const useVerify = () =>
  useMutation({ mutationFn: (input: ChannelInput<'backups:verify'>) => invoke('backups:verify', input) });

export const useRestorePlan = () =>
  useMutation({
    mutationFn: (input: { destination: BackupDestinationSpec; backup: string; target: Target }) =>
      invoke('backups:restorePlan', input),
  });

export const useRestore = () =>
  useMutation({ mutationFn: (input: ChannelInput<'backups:restore'>) => invoke('backups:restore', input) });

/**
 * A running backup, restore or drill: its latest progress (undefined until the first), and cancel.
 * When it ends, the backup lists are read again (a new backup, a stored drill result).
 */
export function useOperation(operation: string | undefined, onEnd?: (progress: BackupProgress) => void) {
  const queryClient = useQueryClient();
  const { event, error } = useLatestEvent('backups:progress', operation ? { operation } : undefined);
  const end = event !== undefined && event.state !== 'running' ? event : undefined;
  const onEndRef = useRef(onEnd);
  useEffect(() => {
    onEndRef.current = onEnd;
  });
  useEffect(() => {
    if (!end) return;
    void queryClient.invalidateQueries({ queryKey: [LIST] });
    onEndRef.current?.(end);
  }, [end, queryClient]);
  const cancel = useMutation({
    mutationFn: () => (operation ? invoke('backups:cancel', { operation }) : Promise.resolve({ cancelled: true })),
  });
  return { progress: event, error, cancel };
}

export const useKeyStatus = () => useQuery({ queryKey: KEY, queryFn: () => invoke('backups:keyStatus', {}) });

export function useSetKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (passphrase: string) => invoke('backups:setKey', { passphrase }),
    onSuccess: (status) => queryClient.setQueryData(KEY, status),
  });
}

export const useSchedules = () => useQuery({ queryKey: SCHEDULES, queryFn: () => invoke('backups:schedules', {}) });

export function useSaveSchedule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (schedule: ChannelInput<'backups:saveSchedule'>) => invoke('backups:saveSchedule', schedule),
    onSuccess: (list) => queryClient.setQueryData(SCHEDULES, list),
  });
}

export function useRemoveSchedule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (ref: StackOnTarget) => invoke('backups:removeSchedule', ref),
    onSuccess: (list) => queryClient.setQueryData(SCHEDULES, list),
  });
}

export type { BackupSchedule };
