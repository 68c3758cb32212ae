import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { StackOnTarget } from '@shared/target-schemas';
import { invoke } from '../../lib/api-client';
import { useLatestEvent } from '../../lib/use-subscription';

/** The live readiness scorecard of a stack on any target; undefined until the first one, with the error if any. */
export function useReadiness(ref: StackOnTarget | undefined) {
  const { event, error } = useLatestEvent('readiness:live', ref);
  return { report: event, error };
}

/** A check's one-click fix: plan it from the live values, then apply it like any deploy. */
export function useFix(ref: StackOnTarget, check: string) {
  const queryClient = useQueryClient();
  const plan = useMutation({ mutationFn: () => invoke('readiness:planFix', { ...ref, check }) });
  const apply = useMutation({
    mutationFn: (values: Record<string, unknown>) => invoke('deploy:apply', { ...ref, values, prune: false }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['deploy:revisions'] }),
  });
  return { plan, apply };
}
