/**
 * What this Homeport knows of the backups it took, kept in the data directory (backups.json): per
 * deployed stack, each backup's destination, time and last drill. The Readiness screen reads it:
 * a backup counts only once a restore drill of it passed.
 */
import { join } from 'node:path';
import { z } from 'zod';
import {
  backupDestinationSchema,
  drillResultSchema,
  type BackupDestinationSpec,
  type DrillResult,
} from '@shared/backup-schemas';
import { describeTarget, targetSchema, type Target } from '@shared/target-schemas';
import { JsonStore } from '../storage/json-store';

const recordSchema = z.object({
  target: targetSchema,
  stack: z.string(),
  destination: backupDestinationSchema,
  id: z.string(),
  finishedAt: z.string(),
  drill: drillResultSchema.optional(),
});
type BackupRecord = z.infer<typeof recordSchema>;
const fileSchema = z.object({ backups: z.array(recordSchema) });
const KEEP = 200;

const sameTarget = (a: Target, b: Target) => describeTarget(a) === describeTarget(b);

export function createBackupRecords(dataDir: string) {
  const store = new JsonStore(join(dataDir, 'backups.json'), fileSchema, () => ({ backups: [] }));
  return {
    async taken(r: Omit<BackupRecord, 'drill'>): Promise<void> {
      await store.update((f) => ({ backups: [...f.backups.filter((b) => b.id !== r.id), r].slice(-KEEP) }));
    },
    async drilled(id: string, destination: BackupDestinationSpec, drill: DrillResult): Promise<void> {
      await store.update((f) => ({
        backups: f.backups.map((b) =>
          b.id === id && JSON.stringify(b.destination) === JSON.stringify(destination) ? { ...b, drill } : b,
        ),
      }));
    },
    /** For the scorecard: the newest backup whose last drill passed, and how many newer ones were not verified. */
    async status(target: Target, stack: string): Promise<{ lastSuccess?: string; unverified: number } | undefined> {
      const mine = (await store.read()).backups
        .filter((b) => b.stack === stack && sameTarget(b.target, target))
        .sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
      if (mine.length === 0) return undefined;
      const verified = mine.findIndex((b) => b.drill?.result === 'passed');
      return verified < 0
        ? { unverified: mine.length }
        : { lastSuccess: mine[verified]?.finishedAt, unverified: verified };
    },
  };
}

export type BackupRecords = ReturnType<typeof createBackupRecords>;
