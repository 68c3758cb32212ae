/**
 * The scorecard's backup check, the same on every target: a backup counts only once a restore
 * drill of it passed (Homeport's own records, electron/core/backup/records.ts); its age decides
 * the verdict. Backups never verified fail. With none taken by Homeport the check is a warning, not
 * an unknown: a stack with no backup Homeport can see must not score as if nothing were missing.
 */
import type { Evidence, ReadinessCheck } from '@shared/readiness-schemas';

/** What Homeport knows of a stack's backups; undefined when it took none. */
export interface BackupStatus {
  /** When the newest backup whose last drill passed was taken. */
  lastSuccess?: string;
  /** Backups newer than that one (or all, without one) that no drill has passed. */
  unverified: number;
}

const DAY = 86_400_000;
const DRAFT = {
  id: 'storage.backup',
  title: 'A recent verified backup exists',
  category: 'storage',
  weight: 3,
} as const;

export function backupCheck(backup: BackupStatus | undefined, database: string | undefined, now: Date): ReadinessCheck {
  const remediation = `Back up the stack${database ? ` (database '${database}')` : ''} daily on the Backups screen to a NAS or S3 outside the cluster, and Verify it: a restore drill proves it restores.`;
  const make = (verdict: ReadinessCheck['verdict'], summary: string, evidence: Evidence[]) => ({
    ...DRAFT,
    verdict,
    summary,
    evidence,
    remediation: verdict === 'pass' ? '' : remediation,
  });
  // Backups made by other tools are invisible here; still, no backup Homeport can restore is a risk.
  if (!backup) {
    return make('warn', 'Homeport has taken no backup of this stack (backups by other tools are not visible to it)', [
      { object: 'backups', value: 'none taken by Homeport' },
    ]);
  }
  const unverified: Evidence = { object: 'backups', field: 'unverified', value: String(backup.unverified) };
  if (!backup.lastSuccess) {
    return make('fail', `No backup has passed a restore drill (${backup.unverified} taken, none verified)`, [
      unverified,
    ]);
  }
  const evidence: Evidence[] = [{ object: 'backups', field: 'lastVerified', value: backup.lastSuccess }, unverified];
  const age = now.getTime() - Date.parse(backup.lastSuccess);
  const days = Math.floor(age / DAY);
  if (age <= DAY) return make('pass', 'The last verified backup is less than a day old', evidence);
  if (age <= 7 * DAY) return make('warn', `The last verified backup is ${days} days old`, evidence);
  return make('fail', `The last verified backup is ${days} days old`, evidence);
}
