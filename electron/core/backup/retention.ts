/** Placeholder until the retention rules land: keeps everything. */
import type { BackupSummary } from '@shared/backup-schemas';

export function selectForPruning(
  summaries: readonly BackupSummary[],
  _keep: { keepDaily: number; keepWeekly: number },
  _now: Date,
): { remove: string[]; keep: string[] } {
  return { remove: [], keep: summaries.map((s) => s.id) };
}
