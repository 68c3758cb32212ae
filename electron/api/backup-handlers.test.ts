/**
 * The backup channels and the progress topic through the same dispatch and subscribe both transports
 * use, over an in-memory implementation of the backup interfaces that the tests drive step by step.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { BackupDestinationSpec, BackupProgress, BackupSchedule, BackupSummary } from '@shared/backup-schemas';
import { channels, type Handlers } from '@shared/contract';
import type { Target } from '@shared/target-schemas';
import type { BackupKeys, BackupOperations, BackupSchedules } from '../core/backup/types';
import { HomeportError } from '../core/errors';
import { createBackupHandlers, createBackupSubscriptions } from './backup-handlers';
import { createDispatch, createSubscribe } from './dispatch';

const target: Target = { kind: 'kubernetes', context: 'home', namespace: 'revenge' };
const destination: BackupDestinationSpec = { kind: 'file', dir: '/srv/backups' };
const BACKUP = 'revenge-20261130T193000Z-a1b2';
const PASSPHRASE = 'correct horse battery staple';

/** Operations that move only when the test says so; every call is recorded. */
function memoryBackups() {
  const ops = new Map<string, { progress: BackupProgress; watchers: Set<(p: BackupProgress) => void> }>();
  const calls: { method: string; input: unknown }[] = [];
  const stored: BackupSummary[] = [{ id: BACKUP, stack: 'revenge', complete: false }];
  let next = 0;
  const begin = (kind: BackupProgress['kind'], backup: string) => {
    const operation = `op-${++next}`;
    const progress: BackupProgress = {
      operation,
      kind,
      backup,
      phase: 'starting',
      bytes: 0,
      bytesPerSecond: 0,
      items: [],
      state: 'running',
    };
    ops.set(operation, { progress, watchers: new Set() });
    return { operation, backup };
  };
  const op = (operation: string) => {
    const found = ops.get(operation);
    if (!found) throw new HomeportError('NOT_FOUND', `No backup operation '${operation}' is running or recently ended`);
    return found;
  };
  const impl: BackupOperations = {
    async start(p) {
      calls.push({ method: 'start', input: p });
      if (p.stack === 'radarr-mvp')
        throw new HomeportError(
          'NOT_FOUND',
          `stack 'radarr-mvp' is not deployed in namespace revenge of context 'home'`,
        );
      return begin('backup', BACKUP);
    },
    async restore(p) {
      calls.push({ method: 'restore', input: p });
      return begin('restore', p.backup);
    },
    async restorePlan(p) {
      calls.push({ method: 'restorePlan', input: p });
      return {
        where: "namespace revenge-copy of context 'home'",
        deployed: false,
        replaces: [],
        skipped: ['secrets: no passphrase is set'],
      };
    },
    async verify(p) {
      calls.push({ method: 'verify', input: p });
      return begin('verify', p.backup);
    },
    watch(operation, emit) {
      const o = op(operation);
      o.watchers.add(emit);
      emit(o.progress);
      return () => o.watchers.delete(emit);
    },
    async result(operation) {
      return op(operation).progress;
    },
    cancel(operation) {
      update(operation, { state: 'cancelled', message: 'cancelled' });
    },
    async list(p) {
      calls.push({ method: 'list', input: p });
      if (p.destination.kind === 'nas') throw new Error('connect ECONNREFUSED 10.0.0.5:22');
      return stored;
    },
    async prune(p) {
      calls.push({ method: 'prune', input: p });
      return { removed: [], kept: [BACKUP] };
    },
  };
  const update = (operation: string, change: Partial<BackupProgress>) => {
    const o = op(operation);
    o.progress = { ...o.progress, ...change };
    for (const w of [...o.watchers]) w(o.progress);
  };
  return { impl, calls, update, watchers: (operation: string) => op(operation).watchers.size };
}

function memoryKeys(): BackupKeys & { stored?: string } {
  const keys: BackupKeys & { stored?: string } = {
    async status() {
      return { kind: keys.stored === undefined ? 'none' : 'passphrase' };
    },
    async set(input) {
      if ('passphrase' in input) keys.stored = input.passphrase;
    },
    async material() {
      return keys.stored === undefined ? undefined : Buffer.from(keys.stored);
    },
  };
  return keys;
}

function memorySchedules(): BackupSchedules {
  let list: BackupSchedule[] = [];
  const same = (a: { target: Target; stack: string }, b: { target: Target; stack: string }) =>
    JSON.stringify(a.target) === JSON.stringify(b.target) && a.stack === b.stack;
  return {
    async list() {
      return list;
    },
    async save(schedule) {
      list = [...list.filter((s) => !same(s, schedule)), schedule];
      return schedule;
    },
    async remove(ref) {
      list = list.filter((s) => !same(s, ref));
    },
  };
}

let backups: ReturnType<typeof memoryBackups>;
let keys: ReturnType<typeof memoryKeys>;
let dispatch: ReturnType<typeof createDispatch>;
let subscribe: ReturnType<typeof createSubscribe>;

beforeEach(() => {
  backups = memoryBackups();
  keys = memoryKeys();
  const deps = { backups: backups.impl, backupKeys: keys, backupSchedules: memorySchedules() };
  const unused = async (): Promise<never> => {
    throw new Error('not part of these tests');
  };
  const rest = Object.fromEntries(Object.keys(channels).map((c) => [c, unused])) as unknown as Handlers;
  dispatch = createDispatch({ ...rest, ...createBackupHandlers(deps) });
  const noTopics = {} as Parameters<typeof createSubscribe>[0];
  subscribe = createSubscribe({ ...noTopics, ...createBackupSubscriptions(deps) });
});

/** Subscribes to an operation's progress and keeps what arrives. */
function follow(operation: string) {
  const events: BackupProgress[] = [];
  const sub = subscribe('backups:progress', { operation }, (e) => events.push(e as BackupProgress));
  if (!sub.ok) throw new Error(sub.error.message);
  return { events, stop: sub.stop };
}

describe('backup channels', () => {
  it('refuse bad input naming the field, before the service is called', async () => {
    const refused = [
      await dispatch('backups:start', { target, stack: 'revenge', destination: { kind: 'file', dir: 'backups' } }),
      await dispatch('backups:setKey', { passphrase: 'too short' }),
      await dispatch('backups:saveSchedule', { target, stack: 'revenge', destination, every: 'daily', at: '25:00' }),
      await dispatch('backups:saveSchedule', {
        target,
        stack: 'revenge',
        destination,
        every: 'daily',
        at: '03:30',
        keepDaily: 0,
      }),
      await dispatch('backups:verify', { destination, backup: 'latest' }),
    ];
    expect(refused.map((r) => (r.ok ? 'accepted' : r.error.code))).toEqual(Array(5).fill('INVALID_INPUT'));
    const messages = refused.map((r) => (r.ok ? '' : r.error.message));
    expect(messages[0]).toContain('Directory or export: must be an absolute directory');
    expect(messages[1]).toContain('Passphrase: ');
    expect(messages[1]).toContain('at least 12 characters');
    expect(messages[1]).not.toContain('too short');
    expect(messages[2]).toContain('Time: ');
    expect(messages[3]).toContain('Keep daily: ');
    expect(messages[4]).toContain('Backup: ');
    expect(backups.calls).toEqual([]);
    expect(keys.stored).toBeUndefined();
  });

  it('store the passphrase and answer with its kind only', async () => {
    expect(await dispatch('backups:keyStatus', {})).toEqual({ ok: true, value: { kind: 'none' } });
    const set = await dispatch('backups:setKey', { passphrase: PASSPHRASE });
    expect(set).toEqual({ ok: true, value: { kind: 'passphrase' } });
    expect(keys.stored).toBe(PASSPHRASE);
    const status = await dispatch('backups:keyStatus', {});
    expect(status).toEqual({ ok: true, value: { kind: 'passphrase' } });
    expect(JSON.stringify([set, status])).not.toContain(PASSPHRASE);
  });

  it('start a backup, list, plan and start a restore, verify, prune', async () => {
    const started = await dispatch('backups:start', { target, stack: 'revenge', destination });
    expect(started).toEqual({ ok: true, value: { operation: 'op-1', backup: BACKUP } });
    expect(await dispatch('backups:list', { destination, stack: 'revenge' })).toEqual({
      ok: true,
      value: { backups: [{ id: BACKUP, stack: 'revenge', complete: false }] },
    });
    const copy: Target = { kind: 'kubernetes', context: 'home', namespace: 'revenge-copy' };
    expect(await dispatch('backups:restorePlan', { destination, backup: BACKUP, target: copy })).toMatchObject({
      ok: true,
      value: { deployed: false, skipped: ['secrets: no passphrase is set'] },
    });
    // replace defaults to false: a restore over a deployed stack needs the caller to say so.
    expect(await dispatch('backups:restore', { destination, backup: BACKUP, target: copy })).toMatchObject({
      ok: true,
    });
    expect(backups.calls.find((c) => c.method === 'restore')?.input).toEqual({
      destination,
      backup: BACKUP,
      target: copy,
      replace: false,
    });
    expect(await dispatch('backups:verify', { destination, backup: BACKUP })).toMatchObject({
      ok: true,
      value: { operation: 'op-3', backup: BACKUP },
    });
    expect(await dispatch('backups:prune', { destination, stack: 'revenge', keepDaily: 7, keepWeekly: 4 })).toEqual({
      ok: true,
      value: { removed: [], kept: [BACKUP] },
    });
  });

  it("say what failed where: the service's own error, or the destination it could not reach", async () => {
    expect(await dispatch('backups:start', { target, stack: 'radarr-mvp', destination })).toEqual({
      ok: false,
      error: {
        code: 'NOT_FOUND',
        message: "stack 'radarr-mvp' is not deployed in namespace revenge of context 'home'",
      },
    });
    const nas: BackupDestinationSpec = { kind: 'nas', host: 'nas', dir: 'backups' };
    expect(await dispatch('backups:list', { destination: nas })).toEqual({
      ok: false,
      error: {
        code: 'INTERNAL',
        message: "Failed on the backups in export 'backups' of NAS host 'nas': connect ECONNREFUSED 10.0.0.5:22",
      },
    });
  });

  it('save, list and remove schedules', async () => {
    const schedule = {
      target,
      stack: 'revenge',
      destination,
      every: 'weekly',
      at: '03:30',
      weekday: 0,
      keepDaily: 7,
      keepWeekly: 8,
    };
    const saved = await dispatch('backups:saveSchedule', schedule);
    // The contract's defaults fill what the form left out.
    expect(saved).toEqual({ ok: true, value: { schedules: [{ ...schedule, inCluster: false }] } });
    expect(await dispatch('backups:saveSchedule', { ...schedule, at: '04:00' })).toMatchObject({
      ok: true,
      value: { schedules: [{ at: '04:00' }] },
    });
    expect(await dispatch('backups:removeSchedule', { target, stack: 'revenge' })).toEqual({
      ok: true,
      value: { schedules: [] },
    });
  });
});

describe('backups:progress', () => {
  it('sends the progress now and each change, and lets go of the operation when it ends', async () => {
    await dispatch('backups:start', { target, stack: 'revenge', destination });
    const { events } = follow('op-1');
    expect(events.map((e) => e.phase)).toEqual(['starting']);
    backups.update('op-1', { item: 'database/postgres', phase: 'dumping', bytes: 4096, bytesPerSecond: 2048 });
    backups.update('op-1', {
      state: 'succeeded',
      phase: 'done',
      items: [{ name: 'database/postgres', state: 'done', bytes: 8192 }],
    });
    expect(events.map((e) => [e.phase, e.state])).toEqual([
      ['starting', 'running'],
      ['dumping', 'running'],
      ['done', 'succeeded'],
    ]);
    expect(events[1]).toMatchObject({ item: 'database/postgres', bytes: 4096, bytesPerSecond: 2048 });
    expect(backups.watchers('op-1')).toBe(0);
    backups.update('op-1', { phase: 'after the end' });
    expect(events).toHaveLength(3);
  });

  it('of an operation that has already ended: its end, once', async () => {
    await dispatch('backups:verify', { destination, backup: BACKUP });
    backups.update('op-1', { state: 'failed', message: 'table public.movies: 1200 rows, backup had 1201' });
    const { events, stop } = follow('op-1');
    expect(events).toEqual([
      expect.objectContaining({ state: 'failed', message: expect.stringContaining('public.movies') as unknown }),
    ]);
    expect(backups.watchers('op-1')).toBe(0);
    stop();
  });

  it('stops when the client unsubscribes; cancel ends the operation for the others', async () => {
    await dispatch('backups:start', { target, stack: 'revenge', destination });
    const first = follow('op-1');
    const second = follow('op-1');
    expect(backups.watchers('op-1')).toBe(2);
    first.stop();
    expect(backups.watchers('op-1')).toBe(1);
    backups.update('op-1', { phase: 'uploading', bytes: 100 });
    expect(first.events).toHaveLength(1);
    expect(await dispatch('backups:cancel', { operation: 'op-1' })).toEqual({ ok: true, value: { cancelled: true } });
    expect(second.events.map((e) => e.state)).toEqual(['running', 'running', 'cancelled']);
    expect(backups.watchers('op-1')).toBe(0);
  });

  it('refuses an unknown operation at the start', () => {
    expect(subscribe('backups:progress', { operation: 'op-9' }, () => {})).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: "No backup operation 'op-9' is running or recently ended" },
    });
  });
});
