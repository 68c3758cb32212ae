import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  backupManifestSchema,
  type BackupDestinationSpec,
  type BackupProgress,
  type BackupSummary,
} from '@shared/backup-schemas';
import type { Target } from '@shared/target-schemas';
import { HomeportError } from '../core/errors';
import { selectForPruning } from '../core/backup/retention';
import type { BackupKeys, BackupOperations } from '../core/backup/types';
import { runBackup, runBackupKey, runBackups, type BackupCliDeps } from './backup-commands';
import { parseDestinationText } from './backup-output';
import { main } from './index';

const NOW = new Date('2026-11-30T20:00:00Z');

function summary(id: string, startedAt: string | undefined, drill?: 'passed' | 'failed'): BackupSummary {
  const stack = 'revenge';
  if (!startedAt) return { id, stack, complete: false };
  const manifest = backupManifestSchema.parse({
    ...{ format: 1, id, stack, target: { kind: 'swarm', endpoint: 'nas' }, where: 'swarm', revision: 3 },
    ...{ startedAt, finishedAt: startedAt, durationMs: 1, tools: {}, items: [], bytes: 12_345_678 },
  });
  return {
    id,
    stack,
    complete: true,
    manifest,
    drill: drill && { result: drill, at: startedAt, durationMs: 1, scratch: 's', tables: 3, objects: 0 },
  };
}

/**
 * Backup operations in memory, keeping the contract: start refuses an undeployed stack, watch emits
 * the current progress at once and then each change, cancel ends a running operation as cancelled,
 * prune keeps what retention keeps.
 */
function memoryOperations(opts: { deployed?: string[]; ends?: 'succeeded' | 'failed'; hang?: boolean } = {}) {
  const calls: { op: string; args: unknown }[] = [];
  const ops = new Map<
    string,
    {
      progress: BackupProgress;
      listeners: Set<(p: BackupProgress) => void>;
      done: Promise<BackupProgress>;
      cancel(): void;
    }
  >();
  let stored: BackupSummary[] = [
    summary('revenge-20261130T030000Z-aaaa', '2026-11-30T03:00:00Z'),
    summary('revenge-20261130T040000Z-bbbb', undefined),
    summary('revenge-20261129T030000Z-cccc', '2026-11-29T03:00:00Z'),
    summary('revenge-20261001T030000Z-dddd', '2026-10-01T03:00:00Z', 'passed'),
    summary('revenge-20260901T030000Z-eeee', '2026-09-01T03:00:00Z'),
  ];
  const deployed = (t: Target, stack: string) =>
    (opts.deployed ?? ['kubernetes/media/revenge']).includes(
      t.kind === 'kubernetes' ? `kubernetes/${t.namespace}/${stack}` : `swarm/${t.endpoint}/${stack}`,
    );

  function run(kind: BackupProgress['kind'], backup: string) {
    const operation = `op-${ops.size + 1}`;
    const listeners = new Set<(p: BackupProgress) => void>();
    const state = {
      progress: {
        operation,
        kind,
        backup,
        phase: 'starting',
        bytes: 0,
        bytesPerSecond: 0,
        items: [],
        state: 'running',
      } as BackupProgress,
    };
    const set = (p: Partial<BackupProgress>) => {
      state.progress = { ...state.progress, ...p };
      for (const l of listeners) l(state.progress);
    };
    let finish!: () => void;
    const cancelled = new Promise<void>((r) => (finish = r));
    const done = (async () => {
      const tick = () => new Promise((r) => setTimeout(r, 1));
      await tick();
      set({ item: 'database/postgres', phase: 'dumping', bytes: 1_000_000, bytesPerSecond: 500_000 });
      await tick();
      set({ bytes: 4_000_000, bytesPerSecond: 2_000_000 });
      if (opts.hang) await cancelled;
      else await tick();
      if (opts.hang) set({ state: 'cancelled', message: 'cancelled: nothing was kept', item: undefined });
      else if (opts.ends === 'failed') {
        set({
          state: 'failed',
          message: 'database/postgres: pg_dump exited with code 1',
          items: [{ name: 'database/postgres', state: 'failed', bytes: 4_000_000 }],
        });
      } else {
        set({
          state: 'succeeded',
          phase: 'done',
          item: undefined,
          items: [
            { name: 'database/postgres', state: 'done', bytes: 4_000_000 },
            { name: 'state', state: 'done', bytes: 2_000 },
          ],
        });
      }
      return state.progress;
    })();
    ops.set(operation, { progress: state.progress, listeners, done, cancel: finish });
    Object.defineProperty(ops.get(operation), 'progress', { get: () => state.progress });
    return { operation, backup };
  }

  const backups: BackupOperations = {
    async start(p) {
      calls.push({ op: 'start', args: p });
      if (!deployed(p.target, p.stack))
        throw new HomeportError('NOT_FOUND', `stack ${p.stack} is not deployed in ${p.target.kind}`);
      return run('backup', `${p.stack}-20261130T200000Z-0f0f`);
    },
    async restore(p) {
      calls.push({ op: 'restore', args: p });
      return run('restore', p.backup);
    },
    async restorePlan(p) {
      calls.push({ op: 'restorePlan', args: p });
      const isDeployed = deployed(p.target, 'revenge');
      return {
        where: p.target.kind === 'kubernetes' ? `namespace ${p.target.namespace}` : 'swarm',
        deployed: isDeployed,
        replaces: isDeployed ? ['database postgres (3 tables)'] : [],
        skipped: ['secrets: no passphrase is set'],
      };
    },
    async verify(p) {
      calls.push({ op: 'verify', args: p });
      return run('verify', p.backup);
    },
    watch(operation, emit) {
      const o = ops.get(operation)!;
      emit(o.progress);
      o.listeners.add(emit);
      return () => o.listeners.delete(emit);
    },
    result: (operation) => ops.get(operation)!.done,
    cancel(operation) {
      calls.push({ op: 'cancel', args: operation });
      ops.get(operation)?.cancel();
    },
    async list(p) {
      calls.push({ op: 'list', args: p });
      return stored.filter((b) => !p.stack || b.stack === p.stack);
    },
    async prune(p) {
      calls.push({ op: 'prune', args: p });
      const { remove, keep } = selectForPruning(stored, p, NOW);
      if (!p.dryRun) stored = stored.filter((b) => !remove.includes(b.id));
      return { removed: remove, kept: keep };
    },
  };
  const keys: string[] = [];
  const backupKeys: BackupKeys = {
    status: async () => ({ kind: 'none' }),
    async set(input) {
      keys.push(JSON.stringify(input));
    },
    material: async () => undefined,
  };
  return { backups, backupKeys, calls, keys };
}

function io(services: ReturnType<typeof memoryOperations>, over: Partial<BackupCliDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: BackupCliDeps = {
    withServices: (_opts, fn) => fn(services),
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    readStdin: async () => '',
    now: () => NOW,
    onInterrupt: () => () => undefined,
    ...over,
  };
  return { deps, out, err };
}

describe('homeport backup', () => {
  it('backs up to the destination, a line per step without a terminal, and exits 0', async () => {
    const s = memoryOperations();
    const t = io(s);
    expect(await runBackup(['revenge', '--context', 'home', '-n', 'media', '--to', 'file:/srv/backups'], t.deps)).toBe(
      0,
    );
    expect(s.calls[0]).toEqual({
      op: 'start',
      args: {
        target: { kind: 'kubernetes', context: 'home', namespace: 'media' },
        stack: 'revenge',
        destination: { kind: 'file', dir: '/srv/backups' },
      },
    });
    expect(t.out).toEqual([
      'Backing up revenge to file:/srv/backups as revenge-20261130T200000Z-0f0f',
      'backup revenge-20261130T200000Z-0f0f: starting  0 B  0 B/s',
      'backup revenge-20261130T200000Z-0f0f: database/postgres dumping  1.0 MB  500.0 KB/s',
      '  done    database/postgres  4.0 MB',
      '  done    state  2.0 KB',
      'backup revenge-20261130T200000Z-0f0f: done',
    ]);
  });

  it('shows one updating line on a terminal, with bytes and rate, and clears it at the end', async () => {
    const s = memoryOperations();
    const status: string[] = [];
    const t = io(s, { status: (l) => status.push(l) });
    expect(await runBackup(['revenge', '--context', 'home', '-n', 'media', '--to', 'file:/srv/backups'], t.deps)).toBe(
      0,
    );
    expect(status).toEqual([
      'backup revenge-20261130T200000Z-0f0f: starting  0 B  0 B/s',
      'backup revenge-20261130T200000Z-0f0f: database/postgres dumping  1.0 MB  500.0 KB/s',
      'backup revenge-20261130T200000Z-0f0f: database/postgres dumping  4.0 MB  2.0 MB/s',
      '',
    ]);
  });

  it('prints only the result as JSON with --json, and exits 1 with the message when the backup fails', async () => {
    const ok = io(memoryOperations());
    expect(await runBackup(['revenge', '--context', 'home', '-n', 'media', '--to', 'file:/b', '--json'], ok.deps)).toBe(
      0,
    );
    expect(JSON.parse(ok.out.join('\n'))).toMatchObject({
      state: 'succeeded',
      backup: 'revenge-20261130T200000Z-0f0f',
    });
    const bad = io(memoryOperations({ ends: 'failed' }));
    expect(await runBackup(['revenge', '--context', 'home', '-n', 'media', '--to', 'file:/b'], bad.deps)).toBe(1);
    expect(bad.err.at(-1)).toBe(
      'backup revenge-20261130T200000Z-0f0f: failed: database/postgres: pg_dump exited with code 1',
    );
  });

  it('cancels the operation on Ctrl-C', async () => {
    const s = memoryOperations({ hang: true, deployed: ['swarm/nas/revenge'] });
    let interrupt: (() => void) | undefined;
    const t = io(s, { onInterrupt: (fn) => ((interrupt = fn), () => (interrupt = undefined)) });
    const code = runBackup(['revenge', '--swarm', 'nas', '--to', 'file:/b'], t.deps);
    await new Promise((r) => setTimeout(r, 20));
    interrupt?.();
    expect(await code).toBe(1);
    expect(s.calls.map((c) => c.op)).toEqual(['start', 'cancel']);
    expect(t.err.at(-1)).toContain('cancelled');
    expect(interrupt).toBeUndefined();
  });

  it('refuses a stack that is not deployed there, and exits 2 (a usage error) through main for a bad --to', async () => {
    const t = io(memoryOperations());
    await expect(runBackup(['revenge', '--context', 'home', '--to', 'file:/b'], t.deps)).rejects.toThrow(
      'stack revenge is not deployed',
    );
    expect(await main(['backup', 'revenge', '--context', 'home', '--to', 'ftp://x'])).toBe(2);
    expect(await main(['backup', 'revenge', '--to', 'file:/b'])).toBe(2);
  });
});

describe('homeport backups through the real services', () => {
  it("lists an empty folder destination with the composition root's backup engine", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'homeport-backups-cli-'));
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((l: string) => void lines.push(l));
    try {
      expect(
        await main(['backups', 'list', '--to', `file:${dir}/dest`, '--data-dir', join(dir, 'data'), '--json']),
      ).toBe(0);
    } finally {
      log.mockRestore();
    }
    expect(JSON.parse(lines.join('\n'))).toEqual({ backups: [] });
  });
});

describe('--to', () => {
  it('reads the three kinds of destination', () => {
    const cases: [string, BackupDestinationSpec][] = [
      ['nas:box/srv/backups', { kind: 'nas', host: 'box', dir: '/srv/backups' }],
      ['nas:box/backups', { kind: 'nas', host: 'box', dir: 'backups' }],
      [
        's3:home/revenge-backups/homeport/daily',
        { kind: 's3', profile: 'home', bucket: 'revenge-backups', prefix: 'homeport/daily' },
      ],
      ['s3:home/revenge-backups', { kind: 's3', profile: 'home', bucket: 'revenge-backups', prefix: '' }],
      ['file:/srv/backups', { kind: 'file', dir: '/srv/backups' }],
    ];
    for (const [text, spec] of cases) expect(parseDestinationText(text), text).toEqual(spec);
    // A relative folder is relative to the working directory, as a shell user expects.
    expect(parseDestinationText('file:relative/dir', '/home/me')).toEqual({
      kind: 'file',
      dir: '/home/me/relative/dir',
    });
    expect(() => parseDestinationText('nas:box/srv/../etc')).toThrow(
      /^--to: destination 'nas:box\/srv\/..\/etc': the directory/,
    );
    expect(() => parseDestinationText('/srv/backups')).toThrow(
      /^--to: destination '\/srv\/backups': start it with nas:, s3: or file:/,
    );
    expect(() => parseDestinationText(undefined)).toThrow(/--to: name where the backups are/);
  });
});

describe('homeport backups', () => {
  it('lists backups with size, age and drill, incomplete ones marked, and as JSON', async () => {
    const t = io(memoryOperations());
    expect(await runBackups(['list', '--to', 'nas:box/backups', '--stack', 'revenge'], t.deps)).toBe(0);
    expect(t.out[0]?.split('\n')).toEqual([
      'ID                             STACK    SIZE        AGE  DRILL',
      'revenge-20261130T030000Z-aaaa  revenge  12.3 MB     17h  never',
      'revenge-20261130T040000Z-bbbb  revenge  incomplete  —    —',
      'revenge-20261129T030000Z-cccc  revenge  12.3 MB     41h  never',
      'revenge-20261001T030000Z-dddd  revenge  12.3 MB     61d  passed 61d ago',
      'revenge-20260901T030000Z-eeee  revenge  12.3 MB     91d  never',
    ]);
    const j = io(memoryOperations());
    await runBackups(['list', '--to', 'nas:box/backups', '--json'], j.deps);
    expect((JSON.parse(j.out.join('')) as { backups: BackupSummary[] }).backups).toHaveLength(5);
  });

  it('restores over a deployed stack only with --yes, printing the plan otherwise', async () => {
    const s = memoryOperations();
    const t = io(s);
    const args = ['restore', 'revenge-20261130T030000Z-aaaa', '--to', 'file:/b', '--context', 'home', '-n', 'media'];
    expect(await runBackups(args, t.deps)).toBe(1);
    expect(t.err).toEqual([
      'Restore into namespace media (the stack is deployed there):',
      '  replaces database postgres (3 tables)',
      '  skips    secrets: no passphrase is set',
      'The stack is deployed in namespace media: restoring replaces it. Add --yes to restore over it.',
    ]);
    expect(s.calls.map((c) => c.op)).toEqual(['restorePlan']);
    expect(await runBackups([...args, '--yes'], t.deps)).toBe(0);
    expect(s.calls.at(-1)).toMatchObject({ op: 'restore', args: { replace: true, target: { namespace: 'media' } } });
    // Into another namespace, where nothing is deployed: no question, nothing replaced.
    const other = io(s);
    expect(
      await runBackups(
        ['restore', 'revenge-20261130T030000Z-aaaa', '--to', 'file:/b', '--context', 'home', '-n', 'copy'],
        other.deps,
      ),
    ).toBe(0);
    expect(s.calls.at(-1)).toMatchObject({ op: 'restore', args: { replace: false, target: { namespace: 'copy' } } });
  });

  it('verifies a backup with the restore drill', async () => {
    const s = memoryOperations();
    const t = io(s);
    expect(await runBackups(['verify', 'revenge-20261130T030000Z-aaaa', '--to', 's3:home/bkp'], t.deps)).toBe(0);
    expect(s.calls[0]).toEqual({
      op: 'verify',
      args: {
        destination: { kind: 's3', profile: 'home', bucket: 'bkp', prefix: '' },
        backup: 'revenge-20261130T030000Z-aaaa',
      },
    });
    expect(t.out.at(-1)).toBe('verify revenge-20261130T030000Z-aaaa: done');
  });

  it('prunes with retention, or says what it would remove with --dry-run', async () => {
    const s = memoryOperations();
    const dry = io(s);
    const args = ['prune', '--to', 'file:/b', '--stack', 'revenge', '--keep-daily', '1', '--keep-weekly', '0'];
    expect(await runBackups([...args, '--dry-run'], dry.deps)).toBe(0);
    expect(dry.out).toEqual([
      'would remove revenge-20261129T030000Z-cccc',
      'would remove revenge-20260901T030000Z-eeee',
      'Would remove 2, kept 3.',
    ]);
    expect(s.calls[0]).toMatchObject({ op: 'prune', args: { keepDaily: 1, keepWeekly: 0, dryRun: true } });
    const real = io(s);
    expect(await runBackups(args, real.deps)).toBe(0);
    expect(real.out.at(-1)).toBe('Removed 2, kept 3.');
    await expect(
      runBackups(
        ['prune', '--to', 'file:/b', '--stack', 'revenge', '--keep-daily', 'x', '--keep-weekly', '1'],
        real.deps,
      ),
    ).rejects.toThrow('--keep-daily: give a whole number');
  });
});

describe('homeport backup-key', () => {
  it('reads the passphrase from stdin, never from an argument', async () => {
    const s = memoryOperations();
    const t = io(s, { readStdin: async () => 'correct horse battery staple\n' });
    expect(await runBackupKey(['--passphrase-stdin'], t.deps)).toBe(0);
    expect(await runBackupKey(['--key-file', '/home/me/.homeport-backup.key'], t.deps)).toBe(0);
    expect(s.keys).toEqual([
      JSON.stringify({ passphrase: 'correct horse battery staple' }),
      JSON.stringify({ keyFile: '/home/me/.homeport-backup.key' }),
    ]);
    expect(t.out.join('\n')).not.toContain('horse');
    await expect(runBackupKey([], t.deps)).rejects.toThrow('give either --passphrase-stdin');
    await expect(runBackupKey(['--passphrase', 'x'], t.deps)).rejects.toThrow(/Unknown option '--passphrase'/);
  });
});
