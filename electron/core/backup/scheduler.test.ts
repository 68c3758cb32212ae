// Times are built with the local-time Date constructor: schedules run at HH:MM on this machine's
// clock, so the tests hold in any time zone.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackupProgress, BackupSchedule } from '@shared/backup-schemas';
import { createBackupScheduler, type SchedulerTimers } from './scheduler';
import { createBackupScheduleStore, nextDue, previousDue, scheduleKey } from './schedules';
import type { BackupOperations } from './types';

const local = (d: number, h: number, m = 0) => new Date(2026, 10, d, h, m); // November 2026

/** A clock and timers that move only when the test advances them. */
function fakeClock(start: Date) {
  let current = start.getTime();
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: SchedulerTimers = {
    setTimeout(fn, ms) {
      pending.set(++seq, { at: current + ms, fn });
      return seq;
    },
    clearTimeout(h) {
      pending.delete(h as number);
    },
  };
  return {
    now: () => new Date(current),
    timers,
    /** Moves to `to`, firing each timer at its time, letting the work it starts settle. */
    async advanceTo(to: Date, settle: () => Promise<void>) {
      for (;;) {
        const next = [...pending.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (!next || next[1].at > to.getTime()) break;
        pending.delete(next[0]);
        current = Math.max(current, next[1].at);
        next[1].fn();
        await settle();
      }
      current = to.getTime();
    },
  };
}

type Call = { op: 'start' | 'prune'; stack: string; at: Date; keepDaily?: number; keepWeekly?: number };

/** Backup operations that end at once: 'succeeded', or how `outcome` says a stack's run ends. */
function fakeOperations(
  now: () => Date,
  outcome: (stack: string) => 'succeeded' | 'failed' | 'refused' = () => 'succeeded',
) {
  const calls: Call[] = [];
  const ends = new Map<string, BackupProgress>();
  let n = 0;
  const ops: Pick<BackupOperations, 'start' | 'result' | 'prune'> = {
    async start(p) {
      calls.push({ op: 'start', stack: p.stack, at: now() });
      if (outcome(p.stack) === 'refused') throw new Error(`stack ${p.stack} is not deployed`);
      const operation = `op-${++n}`;
      const backup = `${p.stack}-20261130T030000Z-000${n}`;
      const failed = outcome(p.stack) === 'failed';
      ends.set(operation, {
        operation,
        kind: 'backup',
        backup,
        phase: 'done',
        bytes: 0,
        bytesPerSecond: 0,
        items: [],
        state: failed ? 'failed' : 'succeeded',
        message: failed ? 'database/postgres: pg_dump exited with code 1' : undefined,
      });
      return { operation, backup };
    },
    async result(operation) {
      return ends.get(operation)!;
    },
    async prune(p) {
      calls.push({ op: 'prune', stack: p.stack, at: now(), keepDaily: p.keepDaily, keepWeekly: p.keepWeekly });
      return { removed: [], kept: [] };
    },
  };
  return { ops, calls };
}

const schedule = (stack: string, over: Partial<BackupSchedule> = {}): BackupSchedule => ({
  target: { kind: 'kubernetes', context: 'home', namespace: 'media' },
  stack,
  destination: { kind: 'file', dir: '/srv/backups' },
  every: 'daily',
  at: '03:30',
  keepDaily: 7,
  keepWeekly: 4,
  inCluster: false,
  ...over,
});

async function setup(start: Date, outcome?: (stack: string) => 'succeeded' | 'failed' | 'refused') {
  const dataDir = mkdtempSync(join(tmpdir(), 'homeport-sched-'));
  const clock = fakeClock(start);
  const store = createBackupScheduleStore({ dataDir, now: clock.now });
  const { ops, calls } = fakeOperations(clock.now, outcome);
  const scheduler = createBackupScheduler({ schedules: store, operations: ops, now: clock.now, timers: clock.timers });
  const advanceTo = (to: Date) => clock.advanceTo(to, () => scheduler.idle());
  return { dataDir, clock, store, calls, scheduler, advanceTo };
}

describe('backup scheduler', () => {
  it('runs a daily schedule at its local time, then prunes with its retention, every day', async () => {
    const t = await setup(local(30, 10));
    await t.store.save(schedule('revenge', { keepDaily: 3, keepWeekly: 2 }));
    await t.scheduler.start();
    await t.scheduler.idle();
    expect(t.calls).toEqual([]); // saved at 10:00, after today's 03:30: nothing missed

    await t.advanceTo(new Date(2026, 11, 1, 3, 29));
    expect(t.calls).toEqual([]);
    await t.advanceTo(new Date(2026, 11, 1, 3, 31));
    expect(t.calls).toEqual([
      { op: 'start', stack: 'revenge', at: new Date(2026, 11, 1, 3, 30) },
      { op: 'prune', stack: 'revenge', at: new Date(2026, 11, 1, 3, 30), keepDaily: 3, keepWeekly: 2 },
    ]);
    await t.advanceTo(new Date(2026, 11, 2, 12, 0));
    expect(t.calls.filter((c) => c.op === 'start').map((c) => c.at)).toEqual([
      new Date(2026, 11, 1, 3, 30),
      new Date(2026, 11, 2, 3, 30),
    ]);
    const [entry] = await t.store.entries();
    expect(entry).toMatchObject({
      lastRunAt: new Date(2026, 11, 2, 3, 30).toISOString(),
      lastBackup: 'revenge-20261130T030000Z-0002',
    });
    expect(entry?.lastError).toBeUndefined();
    t.scheduler.stop();
  });

  it('runs a run missed while Homeport was closed once at start, not once per missed day', async () => {
    const t = await setup(local(20, 12));
    await t.store.save(schedule('revenge'));
    await t.store.recordRun(scheduleKey(schedule('revenge')), { at: local(25, 3, 30) });
    // Homeport was closed from the 25th to the 30th, 10:00.
    await t.advanceTo(local(30, 10));
    await t.scheduler.start();
    await t.scheduler.idle();
    expect(t.calls.map((c) => `${c.op} ${c.at.toISOString()}`)).toEqual([
      `start ${local(30, 10).toISOString()}`,
      `prune ${local(30, 10).toISOString()}`,
    ]);
    // The next one is at the usual time.
    await t.advanceTo(new Date(2026, 11, 1, 3, 29));
    expect(t.calls).toHaveLength(2);
    await t.advanceTo(new Date(2026, 11, 1, 3, 30));
    expect(t.calls).toHaveLength(4);
    t.scheduler.stop();
  });

  it('runs a weekly schedule only on its weekday', async () => {
    const t = await setup(local(23, 12)); // Monday 23 November 2026
    await t.store.save(schedule('revenge', { every: 'weekly', weekday: 3, at: '02:00' })); // Wednesdays
    await t.scheduler.start();
    await t.advanceTo(new Date(2026, 11, 7, 12, 0));
    expect(t.calls.filter((c) => c.op === 'start').map((c) => c.at)).toEqual([
      local(25, 2),
      new Date(2026, 11, 2, 2, 0),
    ]);
    t.scheduler.stop();
  });

  it('keeps a failure as the schedule’s lastError, does not prune after it, and runs the other schedules', async () => {
    const t = await setup(local(30, 1), (stack) =>
      stack === 'broken' ? 'refused' : stack === 'flaky' ? 'failed' : 'succeeded',
    );
    await t.store.save(schedule('broken'));
    await t.store.save(schedule('flaky'));
    await t.store.save(schedule('revenge'));
    await t.scheduler.start();
    await t.advanceTo(local(30, 4));
    expect(t.calls.map((c) => `${c.op} ${c.stack}`)).toEqual([
      'start broken',
      'start flaky',
      'start revenge',
      'prune revenge',
    ]);
    const file = JSON.parse(readFileSync(join(t.dataDir, 'backup-schedules.json'), 'utf8')) as {
      schedules: { schedule: { stack: string }; lastError?: string }[];
    };
    const errors = Object.fromEntries(file.schedules.map((e) => [e.schedule.stack, e.lastError]));
    expect(errors.broken).toBe(
      "Scheduled backup of broken in namespace media of context 'home' could not start: stack broken is not deployed",
    );
    expect(errors.flaky).toBe(
      "Scheduled backup of flaky in namespace media of context 'home' failed: database/postgres: pg_dump exited with code 1",
    );
    expect(errors.revenge).toBeUndefined();
    // A failed run is not retried until its next time.
    await t.advanceTo(local(30, 23));
    expect(t.calls.filter((c) => c.op === 'start')).toHaveLength(3);
    t.scheduler.stop();
  });

  it('starts nothing after stop()', async () => {
    const t = await setup(local(30, 1));
    await t.store.save(schedule('revenge'));
    await t.scheduler.start();
    t.scheduler.stop();
    await t.advanceTo(new Date(2026, 11, 3, 12, 0));
    expect(t.calls).toEqual([]);
  });

  it('picks up a schedule saved after start on reload, and forgets a removed one', async () => {
    const t = await setup(local(30, 1));
    await t.scheduler.start();
    await t.store.save(schedule('revenge'));
    await t.store.save(schedule('other', { at: '05:00' }));
    await t.scheduler.reload();
    await t.store.remove({ target: schedule('other').target, stack: 'other' });
    await t.scheduler.reload();
    await t.advanceTo(local(30, 6));
    expect(t.calls.map((c) => `${c.op} ${c.stack}`)).toEqual(['start revenge', 'prune revenge']);
    t.scheduler.stop();
  });
});

describe('backup schedule store', () => {
  it('keeps one schedule per (target, stack) and refuses a weekly schedule without a weekday', async () => {
    const store = createBackupScheduleStore({ dataDir: mkdtempSync(join(tmpdir(), 'homeport-sched-')) });
    await store.save(schedule('revenge', { at: '01:00' }));
    await store.save(schedule('revenge', { at: '02:00' }));
    await store.save(schedule('revenge', { target: { kind: 'swarm', endpoint: 'nas' } }));
    expect((await store.list()).map((s) => `${s.target.kind} ${s.at}`)).toEqual(['kubernetes 02:00', 'swarm 03:30']);
    await expect(store.save(schedule('revenge', { every: 'weekly' }))).rejects.toThrow(
      /weekday: a weekly schedule needs a weekday/,
    );
    await expect(store.save(schedule('revenge', { at: '3:30' }))).rejects.toThrow(/at: use a time like 03:30/);
  });
});

describe('due times', () => {
  it('finds the previous and next local due time of daily and weekly schedules', () => {
    const daily = { every: 'daily' as const, at: '03:30' };
    expect(previousDue(daily, local(30, 3, 30))).toEqual(local(30, 3, 30));
    expect(previousDue(daily, local(30, 3, 29))).toEqual(local(29, 3, 30));
    expect(nextDue(daily, local(30, 3, 30))).toEqual(new Date(2026, 11, 1, 3, 30));
    const sunday = { every: 'weekly' as const, at: '23:00', weekday: 0 };
    expect(previousDue(sunday, local(30, 12))).toEqual(local(29, 23)); // Monday -> the day before
    expect(previousDue(sunday, local(29, 22))).toEqual(local(22, 23));
    expect(nextDue(sunday, local(29, 22))).toEqual(local(29, 23));
  });
});
