import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RolloutStatus } from '@shared/deploy-schemas';
import { describeTarget, type StackOnTarget } from '@shared/target-schemas';
import { invoke } from '../../lib/api-client';
import { useLatestEvent } from '../../lib/use-subscription';
import type { Values } from './schema-values';

/** A stack on a target: where the Deploy screen acts. */
export type DeployRef = StackOnTarget;

/** The target's own words: "namespace media of context 'home'" or "swarm endpoint 'nas'". */
export const describeRef = (ref: DeployRef) => describeTarget(ref.target);

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

const revisionsKey = (ref: DeployRef) => ['deploy:revisions', ref];
const liveValuesKey = (ref: DeployRef) => ['deploy:liveValues', ref];

/** The values of the stack's live revision on the target (`live: null`: not deployed there). */
export function useLiveValues(ref: DeployRef | undefined) {
  return useQuery({
    queryKey: ref ? liveValuesKey(ref) : ['deploy:liveValues'],
    queryFn: () => invoke('deploy:liveValues', ref as DeployRef),
    enabled: ref !== undefined,
    retry: false,
  });
}

/** Reads the revision list again (a rollout that ended recorded how on the newest revision). */
export function useRefreshRevisions(ref: DeployRef) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: revisionsKey(ref) });
}

export function useRevisions(ref: DeployRef | undefined) {
  return useQuery({
    queryKey: ref ? revisionsKey(ref) : ['deploy:revisions'],
    queryFn: async () => (await invoke('deploy:revisions', ref as DeployRef)).revisions,
    enabled: ref !== undefined,
    retry: false,
  });
}

export const usePlan = () =>
  useMutation({ mutationFn: (input: DeployRef & { values: Values }) => invoke('deploy:plan', input) });

/** Mutations that change what is deployed refresh the revision list when they finish. */
function useDeployMutation<I extends DeployRef, R>(fn: (input: I) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: async (_r, _e, input) => {
      const ref = { target: input.target, stack: input.stack };
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: revisionsKey(ref) }),
        // The values form starts from the live revision, which has just changed or gone.
        queryClient.invalidateQueries({ queryKey: liveValuesKey(ref) }),
        // The stack picker says where each stack is deployed.
        queryClient.invalidateQueries({ queryKey: ['stacks:deployments'] }),
        // The Leaders screen lists the leaders of deployed stacks.
        queryClient.invalidateQueries({ queryKey: ['leaders:tables'] }),
      ]);
    },
  });
}

export const useApply = () =>
  useDeployMutation((input: DeployRef & { values: Values; prune: boolean }) => invoke('deploy:apply', input));
export const useRollback = () =>
  useDeployMutation((input: DeployRef & { revision: number }) => invoke('deploy:rollback', input));
/** The plan of a rollback, for the confirmation; nothing is applied. */
export const useRollbackPlan = () =>
  useMutation({ mutationFn: (input: DeployRef & { revision: number }) => invoke('deploy:rollbackPlan', input) });
export const useRollbackWorkload = () =>
  useDeployMutation((input: DeployRef & { workload: string }) => invoke('deploy:rollbackWorkload', input));
export const useUninstall = () =>
  useDeployMutation((input: DeployRef & { deleteData: boolean }) => invoke('deploy:uninstall', input));

/** The live rollout status of a deployed stack; undefined until the first report. */
export function useRollout(ref: DeployRef): RolloutStatus | undefined {
  return useLatestEvent('deploy:rollout', ref).event;
}
