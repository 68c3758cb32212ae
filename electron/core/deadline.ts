/**
 * One time limit over several steps (connect, then ask): each step races the same deadline, and
 * what a step produces after the deadline passed (a late connection) is handed to `late` to close.
 */
export function createDeadline(ms: number, error: () => Error) {
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      reject(error());
    }, ms);
  });
  // Nobody may be racing when it fires; that is not an unhandled failure.
  deadline.catch(() => undefined);
  return {
    race<T>(step: Promise<T>, late?: (value: T) => void): Promise<T> {
      if (late) step.then((v) => (expired ? late(v) : undefined)).catch(() => undefined);
      return Promise.race([step, deadline]);
    },
    clear() {
      clearTimeout(timer);
    },
  };
}
