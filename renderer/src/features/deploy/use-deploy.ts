import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { ApplyResult, Plan, Revision, RolloutStatus, UninstallResult } from '@shared/deploy-schemas';
import { invoke, subscribe } from '../../lib/api-client';
import type { Values } from './schema-values';

/** Where a stack goes: a Kubernetes context and namespace, or a Docker Swarm endpoint. */
export type DeployTarget =
  | { kind: 'kubernetes'; context: string; namespace: string; stack: string }
  | { kind: 'swarm'; endpoint: string; stack: string };

/** The target's own words: "revenge in namespace media of homelab" or "stack revenge on nas-swarm". */
export const describeTarget = (t: DeployTarget) =>
  t.kind === 'kubernetes' ? `${t.namespace} in ${t.context}` : `swarm ${t.endpoint}`;

const refOf = (t: DeployTarget) =>
  t.kind === 'kubernetes'
    ? { context: t.context, namespace: t.namespace, stack: t.stack }
    : { endpoint: t.endpoint, stack: t.stack };

/** One function per deploy action, for either kind of target. */
const actions = {
  plan: (t: DeployTarget, values: Values): Promise<Plan> =>
    t.kind === 'kubernetes'
      ? invoke('deploy:plan', { context: t.context, namespace: t.namespace, stack: t.stack, values })
      : invoke('swarm:plan', { endpoint: t.endpoint, stack: t.stack, values }),
  apply: (t: DeployTarget, values: Values, prune: boolean): Promise<ApplyResult> =>
    t.kind === 'kubernetes'
      ? invoke('deploy:apply', { context: t.context, namespace: t.namespace, stack: t.stack, values, prune })
      : invoke('swarm:apply', { endpoint: t.endpoint, stack: t.stack, values, prune }),
  revisions: async (t: DeployTarget): Promise<Revision[]> =>
    (t.kind === 'kubernetes'
      ? await invoke('deploy:revisions', { context: t.context, namespace: t.namespace, stack: t.stack })
      : await invoke('swarm:revisions', { endpoint: t.endpoint, stack: t.stack })
    ).revisions,
  uninstall: (t: DeployTarget, deleteData: boolean): Promise<UninstallResult> =>
    t.kind === 'kubernetes'
      ? invoke('deploy:uninstall', {
          context: t.context,
          namespace: t.namespace,
          stack: t.stack,
          deleteClaims: deleteData,
        })
      : invoke('swarm:remove', { endpoint: t.endpoint, stack: t.stack, deleteVolumes: deleteData }),
};

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

const revisionsKey = (t: DeployTarget) => ['revisions', t.kind, refOf(t)];

export function useRevisions(target: DeployTarget | undefined) {
  return useQuery({
    queryKey: target ? revisionsKey(target) : ['revisions'],
    queryFn: () => actions.revisions(target as DeployTarget),
    enabled: target !== undefined,
    retry: false,
  });
}

export const usePlan = () =>
  useMutation({
    mutationFn: (input: { target: DeployTarget; values: Values }) => actions.plan(input.target, input.values),
  });

/** Mutations that change what is deployed refresh the revision list when they finish. */
function useDeployMutation<I extends { target: DeployTarget }, R>(fn: (input: I) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: (_r, _e, input) => queryClient.invalidateQueries({ queryKey: revisionsKey(input.target) }),
  });
}

export const useApply = () =>
  useDeployMutation((input: { target: DeployTarget; values: Values; prune: boolean }) =>
    actions.apply(input.target, input.values, input.prune),
  );
export const useRollback = () =>
  useDeployMutation((input: { target: Extract<DeployTarget, { kind: 'kubernetes' }>; revision: number }) =>
    invoke('deploy:rollback', {
      context: input.target.context,
      namespace: input.target.namespace,
      stack: input.target.stack,
      revision: input.revision,
    }),
  );
export const useRollbackService = () =>
  useDeployMutation((input: { target: Extract<DeployTarget, { kind: 'swarm' }>; service: string }) =>
    invoke('swarm:rollbackService', {
      endpoint: input.target.endpoint,
      stack: input.target.stack,
      service: input.service,
    }),
  );
export const useUninstall = () =>
  useDeployMutation((input: { target: DeployTarget; deleteData: boolean }) =>
    actions.uninstall(input.target, input.deleteData),
  );

/** The live rollout status of a deployed stack; undefined until the first report. */
export function useRollout(target: DeployTarget): RolloutStatus | undefined {
  const [status, setStatus] = useState<RolloutStatus>();
  const key = JSON.stringify(target);
  useEffect(() => {
    const t = JSON.parse(key) as DeployTarget;
    const onEvents = (events: RolloutStatus[]) => {
      const last = events[events.length - 1];
      if (last) setStatus(last);
    };
    return t.kind === 'kubernetes'
      ? subscribe('deploy:rollout', { context: t.context, namespace: t.namespace, stack: t.stack }, onEvents)
      : subscribe('swarm:rollout', { endpoint: t.endpoint, stack: t.stack }, onEvents);
  }, [key]);
  return status;
}
