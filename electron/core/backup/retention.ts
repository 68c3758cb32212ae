/**
 * Which backups retention removes. Pure: the caller lists the backups of one stack at one
 * destination and removes what this returns.
 *
 * Days and ISO weeks are counted in UTC from each manifest's startedAt, so the answer is the same
 * on every machine whatever its time zone (a backup taken at 00:30 in Berlin belongs to the
 * previous UTC day).
 */
import type { BackupSummary } from '@shared/backup-schemas';

export interface RetentionPolicy {
  /** The newest backup of each of the last N days that have a backup. */
  keepDaily: number;
  /** The newest backup of each of the last M ISO weeks that have a backup. */
  keepWeekly: number;
}

export interface PruneSelection {
  remove: string[];
  keep: string[];
}

/** YYYY-MM-DD of the UTC day. */
const utcDay = (t: Date): string => t.toISOString().slice(0, 10);

/** ISO 8601 week of the UTC date: weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(t: Date): string {
  const d = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
  const weekday = d.getUTCDay() === 0 ? 7 : d.getUTCDay();
  // The Thursday of this week decides the week's year.
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Newest first by manifest start time, ties by id so the choice does not depend on list order. */
function newestFirst(a: { at: number; id: string }, b: { at: number; id: string }): number {
  return b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** The newest backup of each of the first `count` buckets (days or weeks) that have backups. */
function newestPerBucket(
  dated: { id: string; at: number }[],
  bucketOf: (t: Date) => string,
  count: number,
): Set<string> {
  const kept = new Set<string>();
  const seen = new Set<string>();
  for (const b of dated) {
    const bucket = bucketOf(new Date(b.at));
    if (seen.has(bucket)) continue;
    if (seen.size >= count) break;
    seen.add(bucket);
    kept.add(b.id);
  }
  return kept;
}

export function selectForPruning(summaries: BackupSummary[], policy: RetentionPolicy, now: Date): PruneSelection {
  const dated: { id: string; at: number; drillPassed: boolean }[] = [];
  const untouched = new Set<string>();
  for (const s of summaries) {
    const at = s.complete && s.manifest ? Date.parse(s.manifest.startedAt) : NaN;
    // Incomplete backups are someone's running (or failed) run: never retention's to remove. A
    // start time later than now comes from a clock ahead of ours; without knowing its age, keep it.
    if (Number.isNaN(at) || at > now.getTime()) untouched.add(s.id);
    else dated.push({ id: s.id, at, drillPassed: s.drill?.result === 'passed' });
  }
  dated.sort(newestFirst);

  const keep = new Set<string>([
    ...newestPerBucket(dated, utcDay, Math.max(0, policy.keepDaily)),
    ...newestPerBucket(dated, isoWeek, Math.max(0, policy.keepWeekly)),
  ]);
  // The one backup known to restore stays, however old.
  const verified = dated.find((b) => b.drillPassed);
  if (verified) keep.add(verified.id);

  const remove = dated.filter((b) => !keep.has(b.id)).map((b) => b.id);
  const removed = new Set(remove);
  return { remove, keep: summaries.map((s) => s.id).filter((id) => !removed.has(id)) };
}
