/**
 * Giving memory back after a burst of work. While many objects survive at once (loading
 * Homeport's code, the first list of 50,000 pods, a burst of watch events), V8 doubles its young
 * generation up to 32 MB and keeps it at that size afterwards: Node has no idle-time collection
 * that would shrink it, and under a steady trickle of watch events it never does on its own. So
 * the settler looks every `everyMs`: when the young generation has grown past `youngLimitBytes`
 * and the event loop was busy less than `quietBelow` of that period, it runs one full collection
 * that reduces memory. The young generation then starts small again and stays small while things
 * are quiet. At most one collection per `minGapMs`, so a process that keeps growing it does not
 * collect over and over.
 *
 * What loading the code grew is not given back at start but at the first quiet look (within
 * 2 × `everyMs` of starting when nothing else happens). The window opens right away, and its first
 * lists run in the young generation start-up grew. Collected at start, a fresh process's first
 * list of 5,000 pods took 723 ms against 607 ms without (medians of 8 runs each, no browser), and
 * of 20,000 pods 1,957 against 1,693 ms (6 runs each): a small young generation promotes each
 * parsed page before it is summarised. At rest the process holds the same either way (92–97 MB of
 * RSS on the machine that measured it).
 *
 * Turning growth off instead (`--semi-space-growth-factor=1`, which V8 reads while running) was
 * measured and not kept: at 50,000 pods the list took longer and the memory right after the event
 * bursts was no lower, as more objects went to the old generation.
 *
 * Bulk work is told (`noteBulkWork`): a list of thousands stored, a snapshot of thousands sent to
 * a screen that opened. Many objects survive at once there, which is what doubles the young
 * generation fastest; watch events grow it too, more slowly (1,000 a second over 50,000 pods: 1 to
 * 8 MB in 10 s). After bulk work the settler collects at its next look that is busy less than
 * `busyAfterBulkBelow`, whatever the gap since its last collection; before, it waited for a quiet
 * look (under 10% busy) at least `minGapMs` after the last one, and what opening the resource
 * browser on a warm watch of 50,000 pods regrew, 15 s after the first list's collection, stayed
 * while events kept the loop 7–11% busy (28 MB of young generation). Such a collection does not
 * count for `minGapMs`, so what events grow after it is still given back at the next quiet look.
 * One collection at 50,000 pods holds the loop for 50–130 ms.
 */
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** What the settler reads and does; Node's own in production, stand-ins in tests. */
export interface SettlerProbes {
  /** Bytes the young generation has reserved (both semi-spaces). */
  youngBytes(): number;
  /** The share of time (0–1) the event loop was busy since the last call. */
  busySinceLast(): number;
  /** One full collection that gives memory back. */
  collect(): void;
}

export interface SettlerOptions {
  everyMs: number;
  youngLimitBytes: number;
  quietBelow: number;
  minGapMs: number;
  /** After bulk work, a look busy less than this share of its period collects. */
  busyAfterBulkBelow: number;
}

export const SETTLER_DEFAULTS: SettlerOptions = {
  everyMs: 5_000,
  youngLimitBytes: 8 * 1024 * 1024,
  quietBelow: 0.1,
  minGapMs: 30_000,
  busyAfterBulkBelow: 0.5,
};

const bulkListeners = new Set<() => void>();

/** Tells every running settler that bulk work (thousands of items stored or sent) has just ended. */
export function noteBulkWork(): void {
  for (const listener of bulkListeners) listener();
}

/** Hears noteBulkWork; returns how to stop. */
export function onBulkWork(listener: () => void): () => void {
  bulkListeners.add(listener);
  return () => bulkListeners.delete(listener);
}

/** Starts looking; the timer never keeps the process alive. Returns how to stop. */
export function startMemorySettler(
  probes: SettlerProbes | undefined = nodeProbes(),
  opts: SettlerOptions = SETTLER_DEFAULTS,
  now: () => number = Date.now,
): { stop(): void; check(): boolean } {
  /** When the settler last collected without being told of bulk work. */
  let last = -Infinity;
  /** Bulk work ended since the last collection (or the last look that found nothing to give back). */
  let afterBulk = false;
  const check = (): boolean => {
    if (!probes) return false;
    const busy = probes.busySinceLast();
    const bulk = afterBulk && busy < opts.busyAfterBulkBelow;
    if (!bulk && (now() - last < opts.minGapMs || busy >= opts.quietBelow)) return false;
    if (bulk) afterBulk = false;
    if (probes.youngBytes() < opts.youngLimitBytes) return false;
    // A collection after bulk work does not hold back the next quiet one: events that go on after
    // it can grow the young generation again, and that is given back once things are quiet.
    if (!bulk) last = now();
    probes.collect();
    return true;
  };
  // The loop's busy share counts from here; loading the code before it does not hold back the first look.
  probes?.busySinceLast();
  const timer = probes ? setInterval(check, opts.everyMs) : undefined;
  timer?.unref();
  const stopHearing = probes ? onBulkWork(() => (afterBulk = true)) : () => undefined;
  return {
    stop: () => {
      clearInterval(timer);
      stopHearing();
    },
    check,
  };
}

/** V8's `gc` with the options Node 22 honours (Node 20 ignores `flavor`); `last-resort` is the collection that shrinks. */
type GcFunction = (opts: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * Node's probes, or undefined where V8 gives no collection function. `gc` is exposed for one new,
 * empty context only (the flag is set and cleared around it): nothing else in Homeport sees it.
 */
export function nodeProbes(): SettlerProbes | undefined {
  let gc: unknown;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('typeof gc === "function" ? gc : undefined');
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  if (typeof gc !== 'function') return undefined;
  const collect = gc as GcFunction;
  let elu = performance.eventLoopUtilization();
  return {
    youngBytes: () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0,
    busySinceLast: () => {
      const next = performance.eventLoopUtilization();
      const { utilization } = performance.eventLoopUtilization(next, elu);
      elu = next;
      return utilization;
    },
    collect: () => collect({ type: 'major', execution: 'sync', flavor: 'last-resort' }),
  };
}
