import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { podKey, type PodSummary } from '@shared/kube-schemas';
import { invoke } from '../../lib/api-client';
import type { LogLines } from '../../lib/log-lines';
import { useLiveCollection } from '../../lib/use-live-collection';
import { useLogLines } from '../../lib/use-log-lines';

export interface PodRef {
  context: string;
  namespace: string;
  name: string;
}

export interface PodFilter {
  namespace: string;
  text: string;
}

/** Every pod of a context, live, with the namespaces seen and a filtered, sorted view. */
export function usePods(context: string | undefined, filter: PodFilter) {
  const live = useLiveCollection<'kube:pods', PodSummary>('kube:pods', context ? { context } : undefined, podKey);
  const { items, version } = live;
  const all = useMemo(() => {
    void version;
    return [...items.values()];
  }, [items, version]);
  const namespaces = useMemo(() => [...new Set(all.map((p) => p.namespace))].sort(), [all]);
  const rows = useMemo(() => {
    const text = filter.text.trim().toLowerCase();
    return all
      .filter((p) => (filter.namespace ? p.namespace === filter.namespace : true))
      .filter((p) =>
        text ? `${p.namespace}/${p.name} ${p.node ?? ''} ${p.reason ?? p.phase}`.toLowerCase().includes(text) : true,
      )
      .sort(byNamespaceAndName);
  }, [all, filter.namespace, filter.text]);
  return { rows, total: all.length, namespaces, status: live.status };
}

/** A pod's conditions, containers and events, read again whenever its live summary changes. */
export function usePodDetail(context: string, pod: PodSummary, gone: boolean) {
  // The summary changes whenever the watch sees the pod change, which refreshes the details.
  const revision = `${pod.phase}|${pod.reason ?? ''}|${pod.ready}|${pod.restarts}|${pod.deleting}`;
  return useQuery({
    queryKey: ['kube:getPod', context, pod.namespace, pod.name, revision],
    queryFn: () => invoke('kube:getPod', { context, namespace: pod.namespace, name: pod.name }),
    // The panel keeps showing (and its log keeps streaming) while a change of the pod is read again.
    placeholderData: (previous) => (previous?.summary.uid === pod.uid ? previous : undefined),
    enabled: !gone,
  });
}

export function useDeletePod(pod: PodRef, onDeleted: () => void) {
  return useMutation({ mutationFn: () => invoke('kube:deletePod', pod), onSuccess: onDeleted });
}

/**
 * The last 1000 lines of a pod's log (of one container, if named), then new ones while following;
 * or the previous (terminated) container's log.
 */
export function usePodLogs(pod: PodRef, container: string, follow: boolean, previous = false): LogLines {
  return useLogLines('kube:podLogs', {
    ...pod,
    follow,
    tailLines: 1000,
    ...(container ? { container } : {}),
    ...(previous ? { previous } : {}),
  });
}

// Kubernetes names are lower-case ASCII, so code-unit order is name order; localeCompare would
// cost ICU collation on every comparison, which shows with thousands of pods resorted per batch.
const byNamespaceAndName = (a: PodSummary, b: PodSummary) =>
  a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

export function podStatusText(pod: PodSummary): string {
  if (pod.deleting) return 'Terminating';
  return pod.reason ?? pod.phase;
}

export function podStatusTone(pod: PodSummary): 'ok' | 'warn' | 'error' | 'muted' {
  const status = podStatusText(pod);
  if (/BackOff|Err|Failed|Error|OOMKilled|Evicted|Unknown/.test(status)) return 'error';
  if (pod.phase === 'Succeeded') return 'muted';
  if (pod.phase === 'Running' && pod.ready === pod.total && !pod.deleting) return 'ok';
  return 'warn';
}
