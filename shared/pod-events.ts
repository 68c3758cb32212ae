import type { EventSummary } from './kube-schemas';

const keyOf = (e: EventSummary) => `${e.type}\n${e.reason}\n${e.message}`;
const earlier = (a: string | undefined, b: string | undefined) => (!a ? b : !b ? a : a < b ? a : b);

/**
 * One line per distinct event (same type, reason and message), as `kubectl describe` shows them:
 * counts added up, first and last seen kept, the most recent line first. Events arrive as separate
 * objects when several recorders (or a restarted kubelet) report the same thing.
 */
export function aggregateEvents(events: readonly EventSummary[]): EventSummary[] {
  const lines = new Map<string, EventSummary>();
  for (const e of events) {
    const first = e.firstSeen ?? e.lastSeen;
    const seen = lines.get(keyOf(e));
    if (!seen) {
      lines.set(keyOf(e), { ...e, ...(first ? { firstSeen: first } : {}) });
      continue;
    }
    const firstSeen = earlier(seen.firstSeen, first);
    lines.set(keyOf(e), {
      ...seen,
      count: seen.count + e.count,
      lastSeen: e.lastSeen > seen.lastSeen ? e.lastSeen : seen.lastSeen,
      ...(firstSeen ? { firstSeen } : {}),
    });
  }
  return [...lines.values()].sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0));
}

/** How long ago an aggregated line was last seen and, for repeats, first seen ("10s ago, first 30m ago"). */
export function eventAges(e: EventSummary, now: number, format: (iso: string, now: number) => string) {
  const last = format(e.lastSeen, now);
  if (e.count <= 1 || !e.firstSeen || e.firstSeen === e.lastSeen) return `${last} ago`;
  return `${last} ago, first ${format(e.firstSeen, now)} ago`;
}
