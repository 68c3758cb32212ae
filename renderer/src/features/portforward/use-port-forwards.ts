import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PortForward, PortForwardStart } from '@shared/portforward-schemas';
import { invoke } from '../../lib/api-client';

export interface PodRef {
  context: string;
  namespace: string;
  name: string;
}

const LIST_KEY = ['portforward:list'] as const;

/** The active forwards of this Homeport, refreshed every few seconds (connections come and go). */
export function usePortForwards() {
  return useQuery({
    queryKey: LIST_KEY,
    queryFn: () => invoke('portforward:list', {}),
    refetchInterval: 2000,
  });
}

/** What a pod offers to forward: its declared ports and the Services that select it. */
export function useForwardOptions(pod: PodRef, enabled: boolean) {
  return useQuery({
    queryKey: ['portforward:options', pod.context, pod.namespace, pod.name],
    queryFn: () => invoke('portforward:options', pod),
    enabled,
  });
}

/** Starts a forward on 127.0.0.1; the started forward (its URL) is the mutation's data. */
export function useStartForward() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: PortForwardStart) => invoke('portforward:start', input),
    onSuccess: () => client.invalidateQueries({ queryKey: LIST_KEY }),
  });
}

export function useStopForward() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => invoke('portforward:stop', { id }),
    onSuccess: (list) => client.setQueryData(LIST_KEY, list),
  });
}

/** Copies text to the clipboard; false where the browser refuses (an insecure origin). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export const describeForward = (f: Pick<PortForward, 'target' | 'namespace' | 'remotePort'>) =>
  `${f.target.kind === 'service' ? 'svc' : 'pod'}/${f.target.name}:${f.remotePort} in ${f.namespace}`;
