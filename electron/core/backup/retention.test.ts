// All times here are UTC ISO strings (the 'Z' suffix): retention counts days and ISO weeks in UTC.
import { describe, expect, it } from 'vitest';
import { backupManifestSchema, type BackupSummary } from '@shared/backup-schemas';
import { isoWeek, selectForPruning } from './retention';

let serial = 0;
/** A complete backup started at `at` (UTC), optionally with its last drill's result. */
function backup(at: string, drill?: 'passed' | 'failed', stack = 'revenge'): BackupSummary {
  const stamp = at.replace(/[-:]/g, '').replace(/\.\d+/, '');
  const id = `${stack}-${stamp}-${(serial++ % 0xffff).toString(16).padStart(4, '0')}`;
  const manifest = backupManifestSchema.parse({
    format: 1,
    id,
    stack,
    target: { kind: 'swarm', endpoint: 'nas' },
    where: "swarm endpoint 'nas'",
    revision: 1,
    startedAt: at,
    finishedAt: at,
    durationMs: 0,
    tools: {},
    items: [],
    bytes: 0,
  });
  return {
    id,
    stack,
    complete: true,
    manifest,
    drill: drill && { result: drill, at, durationMs: 1, scratch: 'scratch', tables: 0, objects: 0 },
  };
}
const incomplete = (id: string): BackupSummary => ({ id, stack: 'revenge', complete: false });
const now = new Date('2026-11-30T20:00:00Z');

describe('selectForPruning', () => {
  it('keeps the newest backup of each of the last N days that have one, and removes the rest', () => {
    const days = ['2026-11-30', '2026-11-29', '2026-11-27', '2026-11-20', '2026-11-19'].map((d) =>
      backup(`${d}T03:00:00Z`),
    );
    const r = selectForPruning(days, { keepDaily: 3, keepWeekly: 0 }, now);
    // Days without a backup (the 28th) do not use up the count.
    expect(r.keep).toEqual(days.slice(0, 3).map((b) => b.id));
    expect(r.remove).toEqual(days.slice(3).map((b) => b.id));
  });

  it('keeps only the newest of several backups on the same day', () => {
    const early = backup('2026-11-30T01:00:00Z');
    const late = backup('2026-11-30T19:00:00Z');
    const noon = backup('2026-11-30T12:00:00Z');
    const r = selectForPruning([early, late, noon], { keepDaily: 1, keepWeekly: 0 }, now);
    expect(r.keep).toEqual([late.id]);
    expect(r.remove.sort()).toEqual([early.id, noon.id].sort());
  });

  it('keeps the newest of each of the last M ISO weeks', () => {
    // Mon 2026-11-30 is week 49; Sun 11-29 and Mon 11-23 are week 48; Sun 11-22 is week 47.
    const w49 = backup('2026-11-30T03:00:00Z');
    const w48late = backup('2026-11-29T03:00:00Z');
    const w48early = backup('2026-11-23T03:00:00Z');
    const w47 = backup('2026-11-22T03:00:00Z');
    const w46 = backup('2026-11-15T03:00:00Z');
    const r = selectForPruning([w49, w48late, w48early, w47, w46], { keepDaily: 1, keepWeekly: 3 }, now);
    expect(r.keep).toEqual([w49.id, w48late.id, w47.id]);
    expect(r.remove).toEqual([w48early.id, w46.id]);
  });

  it('puts a Sunday 23:59 and the next Monday 00:00 UTC in different weeks', () => {
    const sunday = backup('2026-11-29T23:59:59Z');
    const monday = backup('2026-11-30T00:00:00Z');
    const r = selectForPruning([sunday, monday], { keepDaily: 1, keepWeekly: 2 }, now);
    expect(r.remove).toEqual([]);
    expect(selectForPruning([sunday, monday], { keepDaily: 1, keepWeekly: 1 }, now).remove).toEqual([sunday.id]);
  });

  it('counts days in UTC whatever the time zone the backups were taken in', () => {
    // 00:30 in Berlin (+01:00) on Dec 1 is 23:30 UTC on Nov 30: the same UTC day as the 10:00Z one.
    const berlin = backup('2026-11-30T23:30:00Z');
    const morning = backup('2026-11-30T10:00:00Z');
    const r = selectForPruning([morning, berlin], { keepDaily: 1, keepWeekly: 0 }, new Date('2026-12-01T00:00:00Z'));
    expect(r.keep).toEqual([berlin.id]);
    expect(r.remove).toEqual([morning.id]);
  });

  it('never removes the newest backup whose last drill passed, however old', () => {
    const old = backup('2026-10-01T03:00:00Z', 'passed');
    const older = backup('2026-09-01T03:00:00Z', 'passed');
    const failedDrill = backup('2026-11-01T03:00:00Z', 'failed');
    const recent = [backup('2026-11-30T03:00:00Z'), backup('2026-11-29T03:00:00Z')];
    const r = selectForPruning([...recent, failedDrill, old, older], { keepDaily: 2, keepWeekly: 0 }, now);
    expect(r.keep).toEqual([...recent.map((b) => b.id), old.id]);
    expect(r.remove).toEqual([failedDrill.id, older.id]);
  });

  it('never touches incomplete backups, and has nothing to remove when all are incomplete', () => {
    const all = [incomplete('revenge-20261130T030000Z-aaaa'), incomplete('revenge-20261001T030000Z-bbbb')];
    expect(selectForPruning(all, { keepDaily: 1, keepWeekly: 0 }, now)).toEqual({
      remove: [],
      keep: all.map((b) => b.id),
    });
    const complete = [backup('2026-11-30T03:00:00Z'), backup('2026-11-01T03:00:00Z')];
    const r = selectForPruning([all[0]!, ...complete, all[1]!], { keepDaily: 1, keepWeekly: 0 }, now);
    expect(r.remove).toEqual([complete[1]!.id]);
    expect(r.keep).toEqual([all[0]!.id, complete[0]!.id, all[1]!.id]);
  });

  it('keeps a backup stamped later than now (a clock ahead of ours) out of the count', () => {
    const future = backup('2026-12-05T03:00:00Z');
    const today = backup('2026-11-30T03:00:00Z');
    const yesterday = backup('2026-11-29T03:00:00Z');
    const r = selectForPruning([future, today, yesterday], { keepDaily: 1, keepWeekly: 0 }, now);
    expect(r.keep).toEqual([future.id, today.id]);
    expect(r.remove).toEqual([yesterday.id]);
  });

  it('does not depend on the order it is given the backups in', () => {
    const list = ['2026-11-30T03:00:00Z', '2026-11-30T05:00:00Z', '2026-11-21T03:00:00Z', '2026-11-02T03:00:00Z'].map(
      (t) => backup(t),
    );
    const a = selectForPruning(list, { keepDaily: 1, keepWeekly: 2 }, now);
    const b = selectForPruning([...list].reverse(), { keepDaily: 1, keepWeekly: 2 }, now);
    expect(new Set(a.remove)).toEqual(new Set(b.remove));
    expect(a.remove.sort()).toEqual([list[0]!.id, list[3]!.id].sort());
  });
});

describe('isoWeek', () => {
  it('follows ISO 8601 at year boundaries', () => {
    expect(isoWeek(new Date('2026-01-01T00:00:00Z'))).toBe('2026-W01'); // a Thursday
    expect(isoWeek(new Date('2027-01-01T00:00:00Z'))).toBe('2026-W53'); // a Friday: the last week of 2026
    expect(isoWeek(new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01'); // a Monday in 2025's first week
    expect(isoWeek(new Date('2026-11-29T23:59:59Z'))).toBe('2026-W48');
    expect(isoWeek(new Date('2026-11-30T00:00:00Z'))).toBe('2026-W49');
  });
});
