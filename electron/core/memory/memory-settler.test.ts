import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  nodeProbes,
  noteBulkWork,
  onBulkWork,
  SETTLER_DEFAULTS,
  startMemorySettler,
  type SettlerProbes,
} from './memory-settler';

const MB = 1024 * 1024;

function stand(young: number, busy: number) {
  const state = { young, busy, collections: 0 };
  const probes: SettlerProbes = {
    youngBytes: () => state.young,
    busySinceLast: () => state.busy,
    collect: () => {
      state.collections += 1;
      state.young = 1 * MB;
    },
  };
  return { state, probes };
}

describe('memory settler', () => {
  afterEach(() => vi.useRealTimers());

  it('leaves what start-up grew to the first quiet look, so a list that starts at once runs in it', () => {
    vi.useFakeTimers();
    const { state, probes } = stand(16 * MB, 0.9);
    const settler = startMemorySettler(probes, SETTLER_DEFAULTS, () => Date.now());
    expect(state.collections, 'nothing collected at start').toBe(0);
    expect(state.young).toBe(16 * MB);
    vi.advanceTimersByTime(SETTLER_DEFAULTS.everyMs * 2);
    expect(state.collections, 'not while the first list keeps the loop busy').toBe(0);
    state.busy = 0.02;
    vi.advanceTimersByTime(SETTLER_DEFAULTS.everyMs);
    expect(state.collections, 'given back once quiet').toBe(1);
    expect(state.young).toBe(1 * MB);
    settler.stop();
  });

  it('collects once after a burst grew the young generation and the loop went quiet', () => {
    vi.useFakeTimers();
    const { state, probes } = stand(1 * MB, 0.9);
    const settler = startMemorySettler(probes, SETTLER_DEFAULTS, () => Date.now());
    expect(state.collections, 'nothing grown at start').toBe(0);
    state.young = 32 * MB;
    vi.advanceTimersByTime(SETTLER_DEFAULTS.everyMs * 3);
    expect(state.collections, 'not while the loop is busy').toBe(0);
    state.busy = 0.01;
    vi.advanceTimersByTime(SETTLER_DEFAULTS.everyMs);
    expect(state.collections).toBe(1);
    vi.advanceTimersByTime(SETTLER_DEFAULTS.everyMs * 20);
    expect(state.collections, 'a small young generation is left alone').toBe(1);
    settler.stop();
  });

  it('leaves a small young generation alone however quiet it is', () => {
    const { state, probes } = stand(4 * MB, 0);
    const settler = startMemorySettler(probes, SETTLER_DEFAULTS);
    expect(settler.check()).toBe(false);
    expect(state.collections).toBe(0);
    settler.stop();
  });

  it('collects at most once per minGapMs when the young generation keeps growing back', () => {
    let t = 0;
    const { state, probes } = stand(32 * MB, 0);
    const settler = startMemorySettler(probes, SETTLER_DEFAULTS, () => t);
    expect(settler.check(), 'the first quiet look').toBe(true);
    state.young = 32 * MB;
    t += SETTLER_DEFAULTS.minGapMs - 1;
    expect(settler.check()).toBe(false);
    t += 1;
    expect(settler.check()).toBe(true);
    state.young = 32 * MB;
    t += SETTLER_DEFAULTS.minGapMs - 1;
    expect(settler.check()).toBe(false);
    t += 1;
    expect(settler.check()).toBe(true);
    expect(state.collections).toBe(3);
    settler.stop();
  });

  it('after bulk work, collects at the next look that is less than half busy, however soon after the last', () => {
    let t = 0;
    const { state, probes } = stand(32 * MB, 0);
    const settler = startMemorySettler(probes, SETTLER_DEFAULTS, () => t);
    expect(settler.check(), 'the first quiet look').toBe(true);
    // A list of thousands grows it again within the gap; events keep the loop a little busy.
    t += 5_000;
    state.young = 32 * MB;
    state.busy = 0.3;
    expect(settler.check(), 'not told of bulk work: busy, and within minGapMs').toBe(false);
    noteBulkWork();
    state.busy = 0.7;
    t += 5_000;
    expect(settler.check(), 'too busy still (the list itself)').toBe(false);
    state.busy = 0.3;
    t += 5_000;
    expect(settler.check(), 'the bulk work is over').toBe(true);
    expect(state.collections).toBe(2);
    // One collection per notice: growing back without more bulk work waits for a quiet look past the gap.
    state.young = 32 * MB;
    t += 5_000;
    expect(settler.check()).toBe(false);
    state.busy = 0.05;
    expect(settler.check(), 'quiet, but within minGapMs of the last quiet collection').toBe(false);
    t = SETTLER_DEFAULTS.minGapMs;
    expect(settler.check(), 'a collection after bulk work does not hold back the quiet one').toBe(true);
    expect(state.collections).toBe(3);
    settler.stop();
  });

  it('forgets bulk work that left the young generation small, and stops hearing it once stopped', () => {
    const { state, probes } = stand(4 * MB, 0.3);
    const settler = startMemorySettler(probes, SETTLER_DEFAULTS, () => 0);
    noteBulkWork();
    expect(settler.check(), 'nothing to give back').toBe(false);
    state.young = 32 * MB;
    expect(settler.check(), 'the notice was used up by the look that found nothing').toBe(false);
    settler.stop();
    noteBulkWork();
    expect(settler.check(), 'a stopped settler was not told').toBe(false);
    expect(state.collections).toBe(0);
  });

  it('tells every listener of bulk work until it stops listening', () => {
    let heard = 0;
    const stop = onBulkWork(() => heard++);
    noteBulkWork();
    noteBulkWork();
    stop();
    noteBulkWork();
    expect(heard).toBe(2);
  });

  it('does nothing where V8 gives no collection function', () => {
    const settler = startMemorySettler(undefined);
    expect(settler.check()).toBe(false);
    settler.stop();
  });

  it("Node's own probes shrink a grown young generation and do not expose gc to Homeport", () => {
    const gcBefore = typeof (globalThis as { gc?: unknown }).gc;
    const probes = nodeProbes();
    expect(probes, 'Node 22 gives the collection function').toBeDefined();
    if (!probes) return;
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe(gcBefore);
    // Many objects surviving at once make V8 grow its young generation, as a large list does.
    const kept: { name: string; n: number[] }[] = [];
    for (let i = 0; i < 400_000 && probes.youngBytes() < 16 * MB; i++) kept.push({ name: `pod-${i}`, n: [i] });
    const grown = probes.youngBytes();
    expect(grown).toBeGreaterThanOrEqual(16 * MB);
    probes.collect();
    expect(probes.youngBytes()).toBeLessThan(grown / 4);
    expect(kept.length).toBeGreaterThan(0);
    const busy = probes.busySinceLast();
    expect(busy).toBeGreaterThanOrEqual(0);
    expect(busy).toBeLessThanOrEqual(1);
  });
});
