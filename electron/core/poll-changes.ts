/**
 * Reads something every `intervalMs` and emits it whenever it differs from what was emitted last
 * (by `key`, JSON by default). A failed read goes to onError, and the next good read is emitted
 * even if it equals the one before the failure, so a "could not read" notice never sticks.
 */
export function pollChanges<T>(
  read: () => Promise<T>,
  emit: (value: T) => void,
  opts: { intervalMs: number; key?: (value: T) => string; onError?: (err: unknown) => void },
): () => void {
  const keyOf = opts.key ?? ((v: T) => JSON.stringify(v));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let last: string | undefined;
  const poll = async () => {
    try {
      const value = await read();
      const key = keyOf(value);
      if (!stopped && key !== last) {
        last = key;
        emit(value);
      }
    } catch (err) {
      last = undefined;
      if (!stopped) opts.onError?.(err);
    }
    if (!stopped) timer = setTimeout(() => void poll(), opts.intervalMs);
  };
  void poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
