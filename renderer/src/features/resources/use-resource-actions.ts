import { useMutation, useQuery } from '@tanstack/react-query';
import type { ApplyObjectResult } from '@shared/resource-action-schemas';
import { invoke } from '../../lib/api-client';

/** An object named for the editor: what `kubectl get <kind> <name>` needs. */
export interface EditedObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** The YAML of an object to edit (without managedFields), read once when the editor opens. */
export function useEditableYaml(context: string, object: EditedObject | undefined) {
  return useQuery({
    queryKey: ['kube:objectYaml', context, object],
    queryFn: () => invoke('kube:objectYaml', { context, ...(object as EditedObject) }),
    enabled: object !== undefined,
    staleTime: Infinity,
  });
}

/** Server-side apply of edited YAML as Homeport; `force` takes over fields other managers own. */
export function useApplyObject(context: string, onResult: (result: ApplyObjectResult) => void) {
  return useMutation({
    mutationFn: ({ yaml, force }: { yaml: string; force: boolean }) =>
      invoke('kube:applyObject', { context, yaml, ...(force ? { force } : {}) }),
    onSuccess: onResult,
  });
}

/** Cordon (true) or uncordon (false) one node. */
export function useCordonNode(context: string, node: string, onSuccess?: () => void) {
  return useMutation({
    mutationFn: (unschedulable: boolean) => invoke('kube:cordonNode', { context, node, unschedulable }),
    onSuccess: () => onSuccess?.(),
  });
}

/** Which pods a drain of the node would evict (nothing changes yet). */
export function useDrainPlan(context: string, node: string) {
  return useMutation({ mutationFn: () => invoke('kube:drainPlan', { context, node }) });
}

/** Cordon the node and evict its pods, waiting up to the timeout. */
export function useDrainNode(context: string, node: string, onSuccess?: () => void) {
  return useMutation({
    mutationFn: (timeoutSeconds: number) => invoke('kube:drainNode', { context, node, timeoutSeconds }),
    onSuccess: () => onSuccess?.(),
  });
}
