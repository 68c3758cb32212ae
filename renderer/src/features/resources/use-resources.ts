import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { type SortKey, sortRows } from '@shared/resource-columns';
import type { ApiResource, ResourceRow } from '@shared/resource-schemas';
import { invoke } from '../../lib/api-client';
import { useLiveCollection } from '../../lib/use-live-collection';

export interface RowView {
  namespace: string;
  text: string;
  sort: SortKey;
  descending: boolean;
  problemsFirst: boolean;
}

/** The kinds the cluster serves, from discovery. */
export function useDiscovery(context: string | undefined) {
  return useQuery({
    queryKey: ['kube:discover', context],
    queryFn: () => invoke('kube:discover', { context: context ?? '' }),
    enabled: Boolean(context),
    staleTime: 60_000,
  });
}

const rowKey = (r: ResourceRow) => r.key;

/** Live rows of one kind (one namespace, or all), filtered and sorted. */
export function useResourceRows(context: string | undefined, kind: ApiResource | undefined, view: RowView) {
  const namespace = kind?.namespaced && view.namespace ? view.namespace : undefined;
  const params =
    context && kind
      ? {
          context,
          group: kind.group,
          version: kind.version,
          plural: kind.plural,
          ...(namespace ? { namespace } : {}),
        }
      : undefined;
  const live = useLiveCollection<'kube:resources', ResourceRow>('kube:resources', params, rowKey);
  const { items, version } = live;
  const all = useMemo(() => {
    void version;
    return [...items.values()];
  }, [items, version]);
  const rows = useMemo(() => {
    const text = view.text.trim().toLowerCase();
    const matching = text
      ? all.filter((r) =>
          `${r.namespace}/${r.name} ${r.status} ${Object.values(r.cells).join(' ')}`.toLowerCase().includes(text),
        )
      : all;
    return sortRows(matching, view.sort, view.descending, view.problemsFirst);
  }, [all, view.text, view.sort, view.descending, view.problemsFirst]);
  return { rows, items, total: all.length, problems: all.filter((r) => r.problem).length, status: live.status };
}

export function useNamespaces(context: string | undefined) {
  return useQuery({
    queryKey: ['kube:listNamespaces', context],
    queryFn: () => invoke('kube:listNamespaces', { context: context ?? '' }),
    enabled: Boolean(context),
  });
}

/** An object's YAML, read again when its row changes (its status, for one). */
export function useObjectYaml(context: string, kind: ApiResource, row: ResourceRow) {
  const revision = `${row.status}|${JSON.stringify(row.cells)}`;
  return useQuery({
    queryKey: ['kube:getObject', context, kind.group, kind.plural, row.namespace, row.name, revision],
    queryFn: () =>
      invoke('kube:getObject', {
        context,
        group: kind.group,
        version: kind.version,
        plural: kind.plural,
        ...(row.namespace ? { namespace: row.namespace } : {}),
        name: row.name,
      }),
    // A Secret's YAML has masked values only; still, it is not kept once the drawer closes.
    gcTime: 0,
  });
}

/**
 * One Secret value, asked for by the user now. Called directly (not through a query or mutation)
 * so the value is held only by the component that shows it, never in a cache.
 */
export function revealSecretValue(ref: { context: string; namespace: string; name: string; key: string }) {
  return invoke('kube:revealSecret', ref);
}
