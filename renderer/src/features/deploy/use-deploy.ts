import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { RolloutStatus } from '@shared/deploy-schemas';
import { invoke } from '../../lib/api-client';
import { useSubscription } from '../../lib/use-subscription';
import type { Values } from './schema-values';

/** Where a stack goes: a cluster context, a namespace, and the stack's name. */
export interface DeployTarget {
  context: string;
  namespace: string;
  stack: string;
}

export const useStacks = () => useQuery({ queryKey: ['stacks:list'], queryFn: () => invoke('stacks:list', {}) });

/** Field issues of the values as they are now; the previous answer stays while the next loads. */
export function useValidation(stack: string | undefined, values: Values | undefined) {
  return useQuery({
    queryKey: ['stacks:validate', stack, values],
    queryFn: () => invoke('stacks:validate', { stack: stack ?? '', values: values ?? {} }),
    enabled: stack !== undefined && values !== undefined,
    placeholderData: keepPreviousData,
  });
}

const revisionsKey = (t: DeployTarget) => ['deploy:revisions', t.context, t.namespace, t.stack];

export function useRevisions(target: DeployTarget | undefined) {
  return useQuery({
    queryKey: target ? revisionsKey(target) : ['deploy:revisions'],
    queryFn: () => invoke('deploy:revisions', target as DeployTarget),
    enabled: target !== undefined,
    retry: false,
  });
}

export const usePlan = () =>
  useMutation({ mutationFn: (input: DeployTarget & { values: Values }) => invoke('deploy:plan', input) });

/** Mutations that change what is deployed refresh the revision list when they finish. */
function useDeployMutation<I extends DeployTarget, R>(fn: (input: I) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: (_r, _e, input) => queryClient.invalidateQueries({ queryKey: revisionsKey(input) }),
  });
}

export const useApply = () =>
  useDeployMutation((input: DeployTarget & { values: Values; prune: boolean }) => invoke('deploy:apply', input));
export const useRollback = () =>
  useDeployMutation((input: DeployTarget & { revision: number }) => invoke('deploy:rollback', input));
export const useUninstall = () =>
  useDeployMutation((input: DeployTarget & { deleteClaims: boolean }) => invoke('deploy:uninstall', input));

/** The live rollout status of a deployed stack; undefined until the first report. */
export function useRollout(target: DeployTarget): RolloutStatus | undefined {
  const [status, setStatus] = useState<RolloutStatus>();
  useSubscription('deploy:rollout', target, (events) => {
    const last = events[events.length - 1];
    if (last) setStatus(last);
  });
  return status;
}
