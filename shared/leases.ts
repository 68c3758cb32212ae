import type { LeaseSummary } from './kube-schemas';

export type LeaseVerdict = 'held' | 'expired' | 'contended';

/** How long a holder change stays "recent" when judging contention. */
export const CONTENTION_WINDOW_MS = 60_000;

/**
 * held: a holder renews within its lease duration. expired: no holder, or the holder stopped
 * renewing. contended: leadership changed hands more than once within the last minute, which
 * means candidates are fighting or the holder keeps dying.
 */
export function leaseVerdict(lease: LeaseSummary, now: number, recentHolderChanges: number[] = []): LeaseVerdict {
  if (!lease.holder) return 'expired';
  const renewed = Date.parse(lease.renewTime ?? lease.acquireTime ?? '');
  const durationMs = (lease.durationSeconds ?? 15) * 1000;
  if (!Number.isFinite(renewed) || now - renewed > durationMs) return 'expired';
  if (recentHolderChanges.filter((t) => now - t <= CONTENTION_WINDOW_MS).length >= 2) return 'contended';
  return 'held';
}

/** Control-plane leases first, then by namespace and name. */
export function compareLeases(a: LeaseSummary, b: LeaseSummary): number {
  if (a.controlPlane !== b.controlPlane) return a.controlPlane ? -1 : 1;
  return a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);
}

export function formatAge(fromIso: string | undefined, now: number): string {
  const from = Date.parse(fromIso ?? '');
  if (!Number.isFinite(from)) return '—';
  const s = Math.max(0, Math.floor((now - from) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}
