import { afterEach, describe, expect, it, vi } from 'vitest';
import { everyWhileVisible, publishWhenVisible, subscribedWhileVisible, type PageVisibility } from './page-visibility';

/** A page whose visibility the test sets, firing `visibilitychange` as a browser does. */
function fakePage() {
  const target = new EventTarget();
  let state: DocumentVisibilityState = 'visible';
  const page: PageVisibility & { set(s: DocumentVisibilityState): void; listeners: number } = {
    get visibilityState() {
      return state;
    },
    listeners: 0,
    addEventListener(type, listener) {
      page.listeners += 1;
      target.addEventListener(type, listener);
    },
    removeEventListener(type, listener) {
      page.listeners -= 1;
      target.removeEventListener(type, listener);
    },
    set(s) {
      state = s;
      target.dispatchEvent(new Event('visibilitychange'));
    },
  };
  return page;
}

describe('a live collection on a hidden page', () => {
  it('publishes every batch while visible, none while hidden, and the latest state once when shown again', () => {
    const page = fakePage();
    const items = new Map<string, number>();
    const published: string[] = [];
    const feed = publishWhenVisible(() => published.push(JSON.stringify([...items])), page);

    items.set('a', 1);
    feed.changed();
    expect(published).toEqual(['[["a",1]]']);

    page.set('hidden');
    for (let i = 2; i <= 100; i++) {
      items.set('a', i);
      feed.changed();
    }
    items.set('b', 7);
    feed.changed();
    expect(published).toHaveLength(1);

    page.set('visible');
    expect(published).toEqual(['[["a",1]]', '[["a",100],["b",7]]']);
    // Shown again with nothing new meanwhile: no extra render.
    page.set('hidden');
    page.set('visible');
    expect(published).toHaveLength(2);
  });

  it('publishes the first snapshot when the page that subscribed while hidden is shown', () => {
    const page = fakePage();
    page.set('hidden');
    const publish = vi.fn();
    const feed = publishWhenVisible(publish, page);
    feed.changed();
    expect(publish).not.toHaveBeenCalled();
    page.set('visible');
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('stops listening when the subscription ends', () => {
    const page = fakePage();
    const publish = vi.fn();
    const feed = publishWhenVisible(publish, page);
    page.set('hidden');
    feed.changed();
    feed.stop();
    page.set('visible');
    expect(publish).not.toHaveBeenCalled();
    expect(page.listeners).toBe(0);
  });
});

describe('a clock on a hidden page', () => {
  afterEach(() => vi.useRealTimers());

  it('does not tick while hidden, and catches up at once when shown again', () => {
    vi.useFakeTimers();
    const page = fakePage();
    const tick = vi.fn();
    const stop = everyWhileVisible(1000, tick, page);
    vi.advanceTimersByTime(3000);
    expect(tick).toHaveBeenCalledTimes(3);

    page.set('hidden');
    vi.advanceTimersByTime(60_000);
    expect(tick).toHaveBeenCalledTimes(3);

    page.set('visible');
    expect(tick).toHaveBeenCalledTimes(4);
    vi.advanceTimersByTime(1000);
    expect(tick).toHaveBeenCalledTimes(5);

    stop();
    vi.advanceTimersByTime(10_000);
    expect(tick).toHaveBeenCalledTimes(5);
    expect(page.listeners).toBe(0);
  });

  it('starts stopped on a page that is hidden already', () => {
    vi.useFakeTimers();
    const page = fakePage();
    page.set('hidden');
    const tick = vi.fn();
    everyWhileVisible(1000, tick, page);
    vi.advanceTimersByTime(5000);
    expect(tick).not.toHaveBeenCalled();
  });
});

describe('a live subscription on a page hidden for a while', () => {
  afterEach(() => vi.useRealTimers());

  it('stays open through a short look away, closes after the grace, and opens anew when shown', () => {
    vi.useFakeTimers();
    const page = fakePage();
    const log: string[] = [];
    let opened = 0;
    const open = () => {
      const n = ++opened;
      log.push(`open ${n}`);
      return () => log.push(`close ${n}`);
    };
    const stop = subscribedWhileVisible(open, 10_000, page);
    expect(log).toEqual(['open 1']);

    page.set('hidden');
    vi.advanceTimersByTime(9_000);
    page.set('visible');
    vi.advanceTimersByTime(60_000);
    expect(log).toEqual(['open 1']);

    page.set('hidden');
    vi.advanceTimersByTime(10_000);
    expect(log).toEqual(['open 1', 'close 1']);
    vi.advanceTimersByTime(300_000);
    page.set('visible');
    expect(log).toEqual(['open 1', 'close 1', 'open 2']);

    stop();
    expect(log).toEqual(['open 1', 'close 1', 'open 2', 'close 2']);
    expect(page.listeners).toBe(0);
  });

  it('closed for good while hidden stays closed', () => {
    vi.useFakeTimers();
    const page = fakePage();
    const log: string[] = [];
    const stop = subscribedWhileVisible(
      () => {
        log.push('open');
        return () => log.push('close');
      },
      10_000,
      page,
    );
    page.set('hidden');
    vi.advanceTimersByTime(20_000);
    stop();
    page.set('visible');
    expect(log).toEqual(['open', 'close']);
  });
});
