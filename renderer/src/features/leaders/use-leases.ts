import { useMemo } from 'react';
import { podKey, type LeaseSummary } from '@shared/kube-schemas';
import { compareLeases, CONTENTION_WINDOW_MS } from '@shared/leases';
import { useLiveCollection } from '../../lib/use-live-collection';

export interface LeaseRow {
  lease: LeaseSummary;
  /** When the holder changed, within the contention window. */
  changes: number[];
}

function remember(lease: LeaseSummary, previous: LeaseRow | undefined, now: number): LeaseRow {
  if (!previous) return { lease, changes: [] };
  if (previous.lease.holder === lease.holder) return { lease, changes: previous.changes };
  return { lease, changes: [...previous.changes.filter((t) => now - t <= CONTENTION_WINDOW_MS), now] };
}

/** Every Lease of a context, live, sorted control plane first, with when each changed hands. */
export function useLeases(context: string | undefined) {
  const live = useLiveCollection<'kube:leases', LeaseSummary, LeaseRow>(
    'kube:leases',
    context ? { context } : undefined,
    podKey,
    remember,
  );
  const { items, version } = live;
  const leases = useMemo(() => {
    void version;
    return [...items.values()].sort((a, b) => compareLeases(a.lease, b.lease));
  }, [items, version]);
  return { leases, status: live.status };
}
