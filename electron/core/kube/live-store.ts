import type { WatchStatus } from '@shared/kube-schemas';
import { noteBulkWork } from '../memory/memory-settler';

/** A delta of any keyed collection; the shape of PodDelta and LeaseDelta. */
export type Delta<T> =
  | { type: 'reset'; items: T[] }
  | { type: 'upsert'; items: T[] }
  | { type: 'delete'; keys: string[] }
  | { type: 'status'; status: WatchStatus };

/** A background subscriber shows nothing as it comes (the overview monitor); see StreamPace. */
export interface SubscribeOptions {
  background?: boolean;
}

/**
 * Past this many items, a newcomer that shows what it gets hears them in chunks of this size, one
 * chunk per turn of the event loop. What each chunk becomes on its way out (the resource browser's
 * rows, the message's text, its bytes) is then garbage before the next chunk is made, and no
 * message comes near the transport's buffer limit. Sent whole, opening the resource browser on a
 * warm watch of 50,000 pods grew the heap V8 reserves from 60 to 97 MB in one go (all of it in one
 * message); in chunks its peak was 9–21 MB lower (two runs each, no browser).
 */
export const NEWCOMER_CHUNK = 5_000;

/**
 * The items of one list+watch and its subscribers: changes are gathered and sent as one batch of
 * deltas per `batchMs`. While the first list comes in, its pages go out a few times a second
 * rather than every batch (the screen fills as fast, with far fewer messages and renders), and the
 * last page goes at once.
 */
export function createLiveStore<T>(batchMs: number, stopped: () => boolean) {
  const sinks = new Set<(delta: Delta<T>) => void>();
  const background = new Set<(delta: Delta<T>) => void>();
  let items = new Map<string, T>();
  /** Counts the replacements of `items`: a newcomer's chunks stop when a reset has gone out. */
  let generation = 0;
  let synced = false;
  let status: WatchStatus = { state: 'syncing' };
  const pending = new Map<string, T | null>();
  let pendingReset = false;
  let pendingStatus = false;
  let flushTimer: NodeJS.Timeout | undefined;
  let flushDue = 0;
  const listingBatchMs = Math.max(batchMs, 200);

  function schedule(delay = synced ? batchMs : listingBatchMs) {
    if (stopped()) return;
    const due = Date.now() + delay;
    if (flushTimer && flushDue <= due) return;
    clearTimeout(flushTimer);
    flushDue = due;
    flushTimer = setTimeout(flush, delay);
  }

  function flush() {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    const out: Delta<T>[] = [];
    if (pendingReset) out.push({ type: 'reset', items: [...items.values()] });
    else if (pending.size) {
      const upserts: T[] = [];
      const deletes: string[] = [];
      for (const [key, item] of pending) {
        if (item === null) deletes.push(key);
        else upserts.push(item);
      }
      if (upserts.length) out.push({ type: 'upsert', items: upserts });
      if (deletes.length) out.push({ type: 'delete', keys: deletes });
    }
    if (pendingStatus) out.push({ type: 'status', status });
    pending.clear();
    pendingReset = false;
    pendingStatus = false;
    for (const sink of sinks) {
      for (const delta of out) {
        // One broken subscriber (a closed socket) must not stop the others or crash the timer.
        try {
          sink(delta);
        } catch {
          break;
        }
      }
    }
  }

  function upsert(key: string, item: T) {
    items.set(key, item);
    if (!pendingReset) pending.set(key, item);
    schedule();
  }

  /** Everything is replaced by `next` (which further upserts fill): sent as one reset. */
  function replaceAll(next: Map<string, T>) {
    items = next;
    generation += 1;
    pending.clear();
    pendingReset = true;
    schedule();
  }

  /**
   * Gives a newcomer the items held now: the first chunk as a reset at once, the others as upserts
   * on the following turns, then the status. Each chunk reads the items as they are then, so a
   * change the newcomer has already heard (flushed to every sink meanwhile) is never undone by an
   * older copy, and a removed item is passed over. A reset sent to everyone, or leaving, ends it.
   */
  function inChunks(sink: (delta: Delta<T>) => void) {
    const keys = [...items.keys()];
    const started = generation;
    const chunk = (from: number): T[] => {
      const out: T[] = [];
      for (let k = from; k < Math.min(from + NEWCOMER_CHUNK, keys.length); k++) {
        const item = items.get(keys[k] as string);
        if (item !== undefined) out.push(item);
      }
      return out;
    };
    sink({ type: 'reset', items: chunk(0) });
    const next = (from: number) => {
      if (!sinks.has(sink)) return;
      // A broken subscriber (a closed socket) hears no more, as in flush; nothing escapes the timer.
      try {
        if (generation !== started || from >= keys.length) {
          // Thousands of items were made into messages: the memory settler may give back what that grew.
          noteBulkWork();
          return sink({ type: 'status', status });
        }
        sink({ type: 'upsert', items: chunk(from) });
      } catch {
        return;
      }
      // A timer, not setImmediate: the transport sends what a turn gathered on a 0 ms timer set
      // before this one, so each chunk goes out before the next is made.
      setTimeout(() => next(from + NEWCOMER_CHUNK), 0);
    };
    setTimeout(() => next(NEWCOMER_CHUNK), 0);
  }

  return {
    get synced() {
      return synced;
    },
    get status() {
      return status;
    },
    get size() {
      return sinks.size;
    },
    /** Subscribers that show what they get to someone (not background ones such as the monitor). */
    get lookers() {
      return sinks.size - background.size;
    },
    /** The item held for `key` now, if any. */
    get: (key: string): T | undefined => items.get(key),
    upsert,
    replaceAll,
    remove(key: string) {
      if (!items.delete(key)) return;
      if (!pendingReset) pending.set(key, null);
      schedule();
    },
    setStatus(next: WatchStatus) {
      if (next.state === status.state && next.message === status.message) return;
      status = next;
      pendingStatus = true;
      // A change of state goes out within a batch, even while a list is coming in.
      schedule(batchMs);
    },
    /**
     * A list has ended. Shown page by page (the first list), what is left goes out at once; else
     * the gathered items replace the old in one reset, so rows never blink out during a relist.
     */
    listed(into: Map<string, T>, shown: boolean) {
      synced = true;
      if (shown) flush();
      else replaceAll(into);
      // A list of thousands grew the young generation; the memory settler may give it back.
      if (items.size >= NEWCOMER_CHUNK) noteBulkWork();
    },
    /** The watch starts again after it failed: subscribers hear it is syncing. */
    restarting() {
      status = { state: 'syncing' };
      pendingStatus = true;
      schedule();
    },
    /**
     * Adds a subscriber; it hears the current items and status (past NEWCOMER_CHUNK items, in
     * chunks over the next turns), then deltas. A background one (nobody sees its deltas as they
     * come; it hears everything at once) lets the watch be read at a slower pace.
     */
    subscribe(sink: (delta: Delta<T>) => void, opts: SubscribeOptions = {}): () => void {
      sinks.add(sink);
      if (opts.background) background.add(sink);
      // While the first list comes in, a newcomer gets the pages so far, then the rest as upserts.
      if (!opts.background && items.size > NEWCOMER_CHUNK) {
        inChunks(sink);
      } else {
        if (synced || items.size > 0) sink({ type: 'reset', items: [...items.values()] });
        sink({ type: 'status', status });
      }
      return () => {
        sinks.delete(sink);
        background.delete(sink);
      };
    },
    stop() {
      clearTimeout(flushTimer);
      flushTimer = undefined;
      sinks.clear();
      background.clear();
    },
  };
}
