/**
 * Backup schedules, one per (target, stack), in <dataDir>/backup-schedules.json with what each
 * last run did. The scheduler that runs them while Homeport runs is in scheduler.ts.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { backupScheduleSchema, type BackupSchedule } from '@shared/backup-schemas';
import type { Target } from '@shared/target-schemas';
import { HomeportError } from '../errors';
import { JsonStore } from '../storage/json-store';
import type { BackupSchedules } from './types';

const entrySchema = z.object({
  schedule: backupScheduleSchema,
  /** When the schedule was last saved: runs due before then are not "missed". */
  since: z.string(),
  /** When the last run started, how it ended (lastError absent: it succeeded) and what it wrote. */
  lastRunAt: z.string().optional(),
  lastError: z.string().optional(),
  lastBackup: z.string().optional(),
});
export type ScheduleEntry = z.infer<typeof entrySchema>;
const fileSchema = z.object({ version: z.literal(1), schedules: z.array(entrySchema) });

/** One key per (target, stack); JSON keeps any context name ('a/b' too) unambiguous. */
export function scheduleKey(p: { target: Target; stack: string }): string {
  const t = p.target;
  return JSON.stringify(
    t.kind === 'kubernetes' ? [t.kind, t.context, t.namespace, p.stack] : [t.kind, t.endpoint, p.stack],
  );
}

export interface ScheduleRun {
  at: Date;
  error?: string;
  backup?: string;
}

export interface BackupScheduleStore extends BackupSchedules {
  /** The schedules with what their last run did. */
  entries(): Promise<ScheduleEntry[]>;
  /** Records a run of the schedule with that key; a schedule removed meanwhile stays removed. */
  recordRun(key: string, run: ScheduleRun): Promise<void>;
}

export function createBackupScheduleStore(deps: { dataDir: string; now?: () => Date }): BackupScheduleStore {
  const now = deps.now ?? (() => new Date());
  const store = new JsonStore(join(deps.dataDir, 'backup-schedules.json'), fileSchema, () => ({
    version: 1 as const,
    schedules: [],
  }));

  return {
    async list() {
      return (await store.read()).schedules.map((e) => e.schedule);
    },
    async entries() {
      return (await store.read()).schedules;
    },
    async save(input) {
      const parsed = backupScheduleSchema.safeParse(input);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new HomeportError('INVALID_INPUT', `Backup schedule ${issue?.path.join('.') ?? ''}: ${issue?.message}`);
      }
      const schedule = parsed.data;
      if (schedule.every === 'weekly' && schedule.weekday === undefined) {
        throw new HomeportError(
          'INVALID_INPUT',
          'Backup schedule weekday: a weekly schedule needs a weekday (0 = Sunday … 6 = Saturday).',
        );
      }
      const key = scheduleKey(schedule);
      await store.update((file) => {
        const previous = file.schedules.find((e) => scheduleKey(e.schedule) === key);
        // Saving starts the schedule afresh (no catch-up run for a time the user just changed), but
        // keeps how its last run ended.
        const entry: ScheduleEntry = { ...previous, schedule, since: now().toISOString() };
        return { ...file, schedules: [...file.schedules.filter((e) => e !== previous), entry] };
      });
      return schedule;
    },
    async remove(p) {
      const key = scheduleKey(p);
      await store.update((file) => ({
        ...file,
        schedules: file.schedules.filter((e) => scheduleKey(e.schedule) !== key),
      }));
    },
    async recordRun(key, run) {
      await store.update((file) => ({
        ...file,
        schedules: file.schedules.map((e) =>
          scheduleKey(e.schedule) === key
            ? { ...e, lastRunAt: run.at.toISOString(), lastError: run.error, lastBackup: run.backup ?? e.lastBackup }
            : e,
        ),
      }));
    },
  };
}

/** The latest time at or before `t` the schedule was due, in local time ('03:30' is 03:30 on this machine's clock). */
export function previousDue(s: Pick<BackupSchedule, 'every' | 'at' | 'weekday'>, t: Date): Date {
  const [hh, mm] = s.at.split(':').map(Number) as [number, number];
  const due = new Date(t.getFullYear(), t.getMonth(), t.getDate(), hh, mm, 0, 0);
  if (s.every === 'weekly') due.setDate(due.getDate() - ((due.getDay() - (s.weekday ?? 0) + 7) % 7));
  // setDate keeps the local wall time across a daylight-saving change, where adding 24 h would not.
  if (due.getTime() > t.getTime()) due.setDate(due.getDate() - (s.every === 'weekly' ? 7 : 1));
  return due;
}

/** The first time after `t` the schedule is due. */
export function nextDue(s: Pick<BackupSchedule, 'every' | 'at' | 'weekday'>, t: Date): Date {
  const due = previousDue(s, t);
  due.setDate(due.getDate() + (s.every === 'weekly' ? 7 : 1));
  return due;
}
