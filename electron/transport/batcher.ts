import type { PushMessage } from '@shared/bridge';

/**
 * Coalesces subscription events into one message per subscription per interval, so a burst of
 * events crosses the transport as a few messages instead of thousands. The live sources already
 * batch at their own cadence (the watch hub every 50 ms), so by default this only merges what
 * arrives in the same turn of the event loop: a second batching window would add its whole
 * length to every update's latency.
 */
export function createBatcher(send: (messages: PushMessage[]) => void, intervalMs = 0) {
  const pending = new Map<string, unknown[]>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (pending.size === 0) return;
    const messages: PushMessage[] = [...pending].map(([id, events]) => ({ type: 'events', id, events }));
    pending.clear();
    send(messages);
  };
  return {
    push(id: string, event: unknown) {
      const list = pending.get(id);
      if (list) list.push(event);
      else pending.set(id, [event]);
      timer ??= setTimeout(flush, intervalMs);
    },
    drop(id: string) {
      pending.delete(id);
    },
    flush,
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending.clear();
    },
  };
}

/** Runs the subscriptions of one client and stops them all when it goes away. */
export function createSubscriptionTable() {
  const active = new Map<string, () => void>();
  return {
    add(id: string, stop: () => void) {
      active.get(id)?.();
      active.set(id, stop);
    },
    remove(id: string) {
      active.get(id)?.();
      active.delete(id);
    },
    clear() {
      for (const stop of active.values()) stop();
      active.clear();
    },
    has: (id: string) => active.has(id),
    size: () => active.size,
  };
}
