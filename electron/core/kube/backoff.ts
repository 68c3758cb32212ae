export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Injected so tests can pin the jitter. */
  random?: () => number;
}

/**
 * Exponential backoff with jitter: the ceiling doubles per attempt up to maxMs, and the delay
 * is drawn from the upper half of it, so many watches that failed together (an API server
 * restart) do not all come back in the same instant.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  const r = (opts.random ?? Math.random)();
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}
