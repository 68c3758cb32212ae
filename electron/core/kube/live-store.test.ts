import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyDeltas } from '@shared/deltas';
import { onBulkWork } from '../memory/memory-settler';
import { createLiveStore, type Delta, NEWCOMER_CHUNK } from './live-store';

interface Item {
  key: string;
  v: number;
}

const BATCH_MS = 50;

/** A synced store holding `count` items, each at version 0. */
function storeOf(count: number) {
  const store = createLiveStore<Item>(BATCH_MS, () => false);
  const items = new Map<string, Item>();
  for (let i = 0; i < count; i++) {
    const item = { key: `pod-${i}`, v: 0 };
    items.set(item.key, item);
    store.upsert(item.key, item);
  }
  store.listed(items, true);
  return store;
}

/** A subscriber that keeps every delta and applies them as the renderer does. */
function listener() {
  const deltas: Delta<Item>[] = [];
  const shown = new Map<string, Item>();
  const sink = (d: Delta<Item>) => {
    deltas.push(d);
    applyDeltas(shown, [d], (i) => i.key);
  };
  return { deltas, shown, sink };
}

const sizes = (deltas: Delta<Item>[]) => deltas.map((d) => ('items' in d ? d.items.length : d.type));

describe('live store: a newcomer to many items', () => {
  afterEach(() => vi.useRealTimers());

  it('hears them in chunks, one per turn, a reset first and the status last', () => {
    vi.useFakeTimers();
    const store = storeOf(2 * NEWCOMER_CHUNK + 10);
    const l = listener();
    store.subscribe(l.sink);
    expect(sizes(l.deltas), 'only the first chunk at once').toEqual([NEWCOMER_CHUNK]);
    expect(l.deltas[0]?.type).toBe('reset');
    vi.advanceTimersByTime(0);
    expect(sizes(l.deltas), 'the next chunk on the next turn').toEqual([NEWCOMER_CHUNK, NEWCOMER_CHUNK]);
    vi.runAllTimers();
    expect(sizes(l.deltas)).toEqual([NEWCOMER_CHUNK, NEWCOMER_CHUNK, 10, 'status']);
    expect(l.deltas.slice(1, 3).every((d) => d.type === 'upsert')).toBe(true);
    expect(l.deltas[3]).toEqual({ type: 'status', status: { state: 'syncing' } });
    expect(l.shown.size).toBe(2 * NEWCOMER_CHUNK + 10);
    store.stop();
  });

  it('ends with what the store holds when items change, go and come meanwhile', () => {
    vi.useFakeTimers();
    const store = storeOf(3 * NEWCOMER_CHUNK);
    const l = listener();
    store.subscribe(l.sink);
    // Changed before its chunk went out, with the change flushed to everyone first.
    store.upsert('pod-12000', { key: 'pod-12000', v: 2 });
    store.remove(`pod-${2 * NEWCOMER_CHUNK + 1}`);
    store.upsert('pod-new', { key: 'pod-new', v: 1 });
    vi.advanceTimersByTime(BATCH_MS);
    // Changed again after its chunk went out.
    store.upsert('pod-1', { key: 'pod-1', v: 3 });
    vi.runAllTimers();
    expect(l.shown.get('pod-12000')?.v, 'a chunk never sends an older copy than the newcomer heard').toBe(2);
    expect(l.shown.has(`pod-${2 * NEWCOMER_CHUNK + 1}`)).toBe(false);
    expect(l.shown.get('pod-new')?.v).toBe(1);
    expect(l.shown.get('pod-1')?.v).toBe(3);
    expect(l.shown.size).toBe(3 * NEWCOMER_CHUNK);
    store.stop();
  });

  it('stops when the newcomer leaves, and when a relist replaces everything', () => {
    vi.useFakeTimers();
    const store = storeOf(3 * NEWCOMER_CHUNK);
    const gone = listener();
    store.subscribe(gone.sink)();
    vi.runAllTimers();
    expect(sizes(gone.deltas), 'nothing after leaving').toEqual([NEWCOMER_CHUNK]);

    const l = listener();
    store.subscribe(l.sink);
    const relisted = new Map([['pod-a', { key: 'pod-a', v: 9 }]]);
    store.listed(relisted, false);
    vi.runAllTimers();
    expect([...l.shown.values()], 'the relist is what is shown').toEqual([{ key: 'pod-a', v: 9 }]);
    expect(
      l.deltas.filter((d) => d.type === 'upsert'),
      'no chunk of the old list',
    ).toEqual([]);
    store.stop();
  });

  it('gives a background subscriber, and a newcomer to few items, everything at once', () => {
    const store = storeOf(NEWCOMER_CHUNK + 1);
    const background = listener();
    store.subscribe(background.sink, { background: true });
    expect(sizes(background.deltas)).toEqual([NEWCOMER_CHUNK + 1, 'status']);
    store.stop();

    const small = storeOf(NEWCOMER_CHUNK);
    const l = listener();
    small.subscribe(l.sink);
    expect(sizes(l.deltas)).toEqual([NEWCOMER_CHUNK, 'status']);
    small.stop();
  });
});

describe('live store: bulk work is told to the memory settler', () => {
  afterEach(() => vi.useRealTimers());

  it('once a list of NEWCOMER_CHUNK items or more is stored, not after a smaller one', () => {
    let told = 0;
    const stop = onBulkWork(() => told++);
    try {
      storeOf(NEWCOMER_CHUNK - 1).stop();
      expect(told, 'a list of fewer items').toBe(0);
      const relisted = createLiveStore<Item>(BATCH_MS, () => false);
      const into = new Map<string, Item>();
      for (let i = 0; i < NEWCOMER_CHUNK; i++) into.set(`pod-${i}`, { key: `pod-${i}`, v: 0 });
      relisted.listed(into, false);
      expect(told, 'a relist gathered in the background').toBe(1);
      storeOf(NEWCOMER_CHUNK).stop();
      expect(told, 'a first list shown page by page').toBe(2);
      relisted.stop();
    } finally {
      stop();
    }
  });

  it("once a newcomer's last chunk is out, not before", () => {
    vi.useFakeTimers();
    const store = storeOf(2 * NEWCOMER_CHUNK + 10);
    let told = 0;
    const stop = onBulkWork(() => told++);
    try {
      const l = listener();
      store.subscribe(l.sink);
      vi.advanceTimersByTime(0);
      expect(told, 'chunks still to come').toBe(0);
      vi.runAllTimers();
      expect(sizes(l.deltas).at(-1)).toBe('status');
      expect(told).toBe(1);
      // A newcomer to few items gets them at once: no bulk work.
      const few = storeOf(10);
      few.subscribe(listener().sink);
      vi.runAllTimers();
      expect(told).toBe(1);
      few.stop();
    } finally {
      stop();
      store.stop();
    }
  });
});
