/**
 * Decides when an observed state deserves a notification: only on a real transition from a good
 * state into a bad one. The first observation of anything is its baseline (Homeport starting
 * next to an already crash-looping pod says nothing); an unchanged state says nothing; and the
 * same thing turning bad again within the quiet period (a pod cycling between Running and
 * CrashLoopBackOff) is said once.
 */
export interface TransitionDetectorOptions {
  /** After a notification for a key, further bad transitions of that key stay silent this long (default 10 min). */
  quietMs?: number;
  now?: () => number;
}

export interface TransitionDetector {
  /** Records the state of `key`; true when it just turned bad and a notification should go out. */
  observe(key: string, bad: boolean): boolean;
  /**
   * The same decision for a state its caller keeps (`before` undefined: first seen). The key is
   * made only when the state turns bad, for the quiet period: tens of thousands of pods observed
   * cost no key each.
   */
  turned(before: boolean | undefined, bad: boolean, key: () => string): boolean;
  /** Forgets keys (a deleted pod, a target no longer listed): their next observation is a baseline again. */
  forget(match: (key: string) => boolean): void;
  /** Forgets one key, at once whatever the number tracked (a deleted pod among thousands). */
  forgetKey(key: string): void;
  /** How many keys are tracked; for tests and diagnostics. */
  readonly size: number;
}

export function createTransitionDetector(options: TransitionDetectorOptions = {}): TransitionDetector {
  const quietMs = options.quietMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  const states = new Map<string, boolean>();
  const notifiedAt = new Map<string, number>();
  const turned = (before: boolean | undefined, bad: boolean, key: () => string): boolean => {
    if (before === undefined || before || !bad) return false;
    const k = key();
    const last = notifiedAt.get(k);
    const t = now();
    if (last !== undefined && t - last < quietMs) return false;
    notifiedAt.set(k, t);
    return true;
  };
  return {
    observe(key, bad) {
      const before = states.get(key);
      states.set(key, bad);
      return turned(before, bad, () => key);
    },
    turned,
    forget(match) {
      for (const key of [...states.keys()]) if (match(key)) states.delete(key);
    },
    forgetKey(key) {
      states.delete(key);
    },
    get size() {
      return states.size;
    },
  };
}
