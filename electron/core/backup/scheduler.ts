/**
 * Runs the saved backup schedules while Homeport runs: at each due time it starts the backup,
 * waits for it, then prunes the destination with the schedule's retention. A run missed while
 * Homeport was closed runs once when the scheduler starts. A failure is recorded as the schedule's
 * lastError and does not stop the other schedules.
 */
import type { BackupProgress } from '@shared/backup-schemas';
import { describeTarget } from '@shared/target-schemas';
import { errorMessage } from '../errors';
import { nextDue, previousDue, scheduleKey, type BackupScheduleStore, type ScheduleEntry } from './schedules';
import type { BackupOperations } from './types';

export interface SchedulerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface BackupScheduler {
  /** Reads the schedules, runs the missed ones and arms the others. */
  start(): Promise<void>;
  /** Re-reads the schedules after one was saved or removed. */
  reload(): Promise<void>;
  /** Arms nothing more; a backup already running finishes and is recorded. */
  stop(): void;
  /** Resolves when no run is queued or running (tests, shutdown). */
  idle(): Promise<void>;
}

/**
 * A timer never waits longer than this: the wall clock can jump (sleep, a time-zone or clock
 * change) while a timer counts elapsed time, so the scheduler looks at the clock again this often.
 */
const MAX_WAIT_MS = 5 * 60_000;

export function createBackupScheduler(deps: {
  schedules: Pick<BackupScheduleStore, 'entries' | 'recordRun'>;
  operations: Pick<BackupOperations, 'start' | 'result' | 'prune'>;
  now?: () => Date;
  timers?: SchedulerTimers;
  log?: (line: string) => void;
}): BackupScheduler {
  const now = deps.now ?? (() => new Date());
  const timers: SchedulerTimers = deps.timers ?? {
    setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  };
  const log = deps.log ?? (() => undefined);
  const armed = new Map<string, unknown>();
  const queued = new Set<string>();
  let entries = new Map<string, ScheduleEntry>();
  // One backup at a time: several stacks dumping to the same NAS at 03:00 would share its link and
  // the cluster's disks; in a row each finishes sooner and a slow one is easier to tell apart.
  let chain: Promise<void> = Promise.resolve();
  let stopped = true;

  /** Whether the run due at or before now has not happened since the schedule was saved. */
  function isDue(e: ScheduleEntry, at: Date): boolean {
    const since = Math.max(Date.parse(e.since), e.lastRunAt ? Date.parse(e.lastRunAt) : -Infinity);
    return previousDue(e.schedule, at).getTime() > since;
  }

  function arm(key: string): void {
    timers.clearTimeout(armed.get(key));
    armed.delete(key);
    const e = entries.get(key);
    if (stopped || !e || queued.has(key)) return;
    const at = now();
    if (isDue(e, at)) {
      enqueue(key);
      return;
    }
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, nextDue(e.schedule, at).getTime() - at.getTime()));
    armed.set(
      key,
      timers.setTimeout(() => {
        armed.delete(key);
        arm(key);
      }, wait),
    );
  }

  function enqueue(key: string): void {
    queued.add(key);
    chain = chain.then(async () => {
      const e = entries.get(key);
      try {
        if (e && !stopped) await run(key, e);
      } finally {
        queued.delete(key);
        arm(key);
      }
    });
  }

  async function run(key: string, e: ScheduleEntry): Promise<void> {
    const s = e.schedule;
    const startedAt = now();
    const what = `backup of ${s.stack} in ${describeTarget(s.target)}`;
    let written: string | undefined;
    let error: string | undefined;
    try {
      const handle = await deps.operations.start({ target: s.target, stack: s.stack, destination: s.destination });
      const end: BackupProgress = await deps.operations.result(handle.operation);
      if (end.state !== 'succeeded') {
        error = `Scheduled ${what} ${end.state}${end.message ? `: ${end.message}` : ''}`;
      } else {
        written = handle.backup;
        try {
          await deps.operations.prune({
            destination: s.destination,
            stack: s.stack,
            keepDaily: s.keepDaily,
            keepWeekly: s.keepWeekly,
          });
        } catch (err) {
          error = `Scheduled ${what} succeeded (${written}), but pruning old backups failed: ${errorMessage(err)}`;
        }
      }
    } catch (err) {
      error = `Scheduled ${what} could not start: ${errorMessage(err)}`;
    }
    if (error) log(error);
    // Also in memory: a reload that read the file before this run was recorded must not run it again.
    const current = entries.get(key);
    if (current) {
      entries.set(key, {
        ...current,
        lastRunAt: startedAt.toISOString(),
        lastError: error,
        lastBackup: written ?? current.lastBackup,
      });
    }
    try {
      await deps.schedules.recordRun(key, { at: startedAt, error, backup: written });
    } catch (err) {
      log(`Could not record the ${what} in the schedule file: ${errorMessage(err)}`);
    }
  }

  async function load(): Promise<void> {
    const list = await deps.schedules.entries();
    const next = new Map(list.map((e) => [scheduleKey(e.schedule), e] as const));
    // A run recorded in memory but not yet in the file (being written, or the write failed) counts.
    for (const [key, e] of next) {
      const known = entries.get(key)?.lastRunAt;
      if (known && (!e.lastRunAt || Date.parse(known) > Date.parse(e.lastRunAt)))
        next.set(key, { ...e, lastRunAt: known });
    }
    for (const key of armed.keys()) if (!next.has(key)) timers.clearTimeout(armed.get(key));
    entries = next;
    for (const key of entries.keys()) arm(key);
  }

  return {
    async start() {
      stopped = false;
      await load();
    },
    async reload() {
      if (!stopped) await load();
    },
    stop() {
      stopped = true;
      for (const h of armed.values()) timers.clearTimeout(h);
      armed.clear();
    },
    async idle() {
      let seen: Promise<void> | undefined;
      while (seen !== chain) {
        seen = chain;
        await chain;
      }
    },
  };
}
