/**
 * Rendering only what someone can see. A minimised or covered window, or a background tab, keeps
 * its live data current (deltas are still applied) but does not render it: React work happens
 * once, when the page is visible again.
 */

/** The part of `document` these helpers read; a stand-in in tests. */
export interface PageVisibility {
  readonly visibilityState: DocumentVisibilityState;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

/**
 * Wraps `publish` so that calls while the page is hidden only mark it stale; the latest state
 * is published once, when the page becomes visible again. `stop` removes the listener.
 */
export function publishWhenVisible(
  publish: () => void,
  page: PageVisibility = document,
): { changed(): void; stop(): void } {
  let stale = false;
  const onVisibility = () => {
    if (stale && page.visibilityState !== 'hidden') {
      stale = false;
      publish();
    }
  };
  page.addEventListener('visibilitychange', onVisibility);
  return {
    changed() {
      if (page.visibilityState === 'hidden') {
        stale = true;
        return;
      }
      stale = false;
      publish();
    },
    stop: () => page.removeEventListener('visibilitychange', onVisibility),
  };
}

/**
 * Calls `tick` every `ms` while the page is visible, and once at once when it becomes visible
 * again (a clock that was stopped is behind). Returns how to stop.
 */
export function everyWhileVisible(ms: number, tick: () => void, page: PageVisibility = document): () => void {
  let timer: ReturnType<typeof setInterval> | undefined;
  const start = () => {
    timer ??= setInterval(tick, ms);
  };
  const pause = () => {
    clearInterval(timer);
    timer = undefined;
  };
  const onVisibility = () => {
    if (page.visibilityState === 'hidden') return pause();
    if (timer === undefined) {
      tick();
      start();
    }
  };
  page.addEventListener('visibilitychange', onVisibility);
  if (page.visibilityState !== 'hidden') start();
  return () => {
    pause();
    page.removeEventListener('visibilitychange', onVisibility);
  };
}

/**
 * Keeps a subscription open while the page is seen: hidden for longer than `graceMs` (a window
 * minimised, a tab in the background), it is closed, so nothing is sent to a page nobody looks
 * at; visible again, it is opened anew and starts with the current state. A short look away
 * (switching tabs for a moment) keeps it. Returns how to close it for good.
 */
export function subscribedWhileVisible(
  open: () => () => void,
  graceMs: number,
  page: PageVisibility = document,
): () => void {
  let close: (() => void) | undefined = open();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onVisibility = () => {
    if (page.visibilityState === 'hidden') {
      timer ??= setTimeout(() => {
        timer = undefined;
        close?.();
        close = undefined;
      }, graceMs);
      return;
    }
    clearTimeout(timer);
    timer = undefined;
    close ??= open();
  };
  page.addEventListener('visibilitychange', onVisibility);
  if (page.visibilityState === 'hidden') onVisibility();
  return () => {
    clearTimeout(timer);
    close?.();
    close = undefined;
    page.removeEventListener('visibilitychange', onVisibility);
  };
}
