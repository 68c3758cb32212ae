/**
 * Running backups, restores and drills: each an operation with an id, a cancel switch and a
 * progress record its watchers receive (byte counts at most four times a second, everything else at
 * once). An ended operation stays readable for a while so a late watcher still learns the end.
 */
import { randomBytes } from 'node:crypto';
import type { BackupProgress } from '@shared/backup-schemas';
import { errorMessage, HomeportError } from '../errors';
import type { OperationHandle } from './types';

export interface ProgressSink {
  /** What the operation does now, and on which item. */
  phase(phase: string, item?: string): void;
  /** Bytes of the current item so far. */
  bytes(bytes: number): void;
  item(name: string, state: 'done' | 'failed' | 'skipped', bytes: number, message?: string): void;
}

type Kind = BackupProgress['kind'];
interface OperationState {
  progress: BackupProgress;
  abort: AbortController;
  watchers: Set<(p: BackupProgress) => void>;
  /** For the rate: bytes and time at the last second's mark. */
  mark: { bytes: number; at: number };
  timer?: NodeJS.Timeout;
}
interface Running extends OperationState {
  done: Promise<BackupProgress>;
}

const KEEP_ENDED_MS = 10 * 60_000;
const BYTES_EVERY_MS = 250;

export function createOperationRegistry(now: () => number = Date.now) {
  const ops = new Map<string, Running>();

  function emit(op: OperationState) {
    const snapshot = { ...op.progress, items: [...op.progress.items] };
    for (const w of op.watchers) w(snapshot);
  }

  function begin(
    kind: Kind,
    backup: string,
    run: (sink: ProgressSink, signal: AbortSignal) => Promise<string | void>,
  ): OperationHandle {
    const operation = randomBytes(6).toString('hex');
    const abort = new AbortController();
    const op: OperationState = {
      progress: {
        operation,
        kind,
        backup,
        phase: 'starting',
        bytes: 0,
        bytesPerSecond: 0,
        items: [],
        state: 'running',
      },
      abort,
      watchers: new Set(),
      mark: { bytes: 0, at: now() },
    };
    const sink: ProgressSink = {
      phase(phase, item) {
        op.progress = { ...op.progress, phase, item, bytes: 0, bytesPerSecond: 0 };
        op.mark = { bytes: 0, at: now() };
        emit(op);
      },
      bytes(bytes) {
        const t = now();
        if (t - op.mark.at >= 1000) {
          op.progress.bytesPerSecond = Math.round(((bytes - op.mark.bytes) * 1000) / (t - op.mark.at));
          op.mark = { bytes, at: t };
        }
        op.progress.bytes = bytes;
        op.timer ??= setTimeout(() => {
          op.timer = undefined;
          if (op.progress.state === 'running') emit(op);
        }, BYTES_EVERY_MS);
      },
      item(name, state, bytes, message) {
        op.progress.items = [...op.progress.items, { name, state, bytes, ...(message ? { message } : {}) }];
        emit(op);
      },
    };
    const finish = async (): Promise<BackupProgress> => {
      try {
        const message = await run(sink, abort.signal);
        op.progress = { ...op.progress, state: 'succeeded', phase: 'done', ...(message ? { message } : {}) };
      } catch (err) {
        const cancelled = abort.signal.aborted;
        op.progress = {
          ...op.progress,
          state: cancelled ? 'cancelled' : 'failed',
          phase: cancelled ? 'cancelled' : 'failed',
          // Cancelled: the user's reason, not whichever step noticed the abort first.
          message: cancelled ? `Cancelled: ${errorMessage(abort.signal.reason)}` : errorMessage(err),
        };
      }
      clearTimeout(op.timer);
      emit(op);
      op.watchers.clear();
      setTimeout(() => ops.delete(operation), KEEP_ENDED_MS).unref();
      return op.progress;
    };
    ops.set(operation, Object.assign(op, { done: finish() }));
    return { operation, backup };
  }

  function get(operation: string): Running {
    const op = ops.get(operation);
    if (!op) throw new HomeportError('NOT_FOUND', `No backup operation ${operation} is running or recently ended`);
    return op;
  }

  return {
    begin,
    watch(operation: string, emitTo: (p: BackupProgress) => void): () => void {
      const op = get(operation);
      emitTo({ ...op.progress, items: [...op.progress.items] });
      if (op.progress.state !== 'running') return () => undefined;
      op.watchers.add(emitTo);
      return () => op.watchers.delete(emitTo);
    },
    result: (operation: string) => get(operation).done,
    cancel(operation: string) {
      get(operation).abort.abort(new HomeportError('CONFLICT', 'cancelled by the user'));
    },
    /** Running operations (scheduler, shutdown). */
    running: () => [...ops.values()].filter((o) => o.progress.state === 'running').map((o) => o.progress.operation),
  };
}

export type OperationRegistry = ReturnType<typeof createOperationRegistry>;
