/** Removing an engine object that something still uses: the engine refuses until it is free. */
import { setTimeout as sleep } from 'node:timers/promises';
import { DockerRequestError } from './client';

/**
 * The answers of an engine that will remove the object once it is free: 409 (in use), 400 and 500
 * (a Swarm object whose tasks are still stopping), 403 (a local network a container is still
 * leaving: "error while removing network: … has active endpoints").
 */
const BUSY = new Set([400, 403, 409, 500]);

/**
 * Retries a removal the engine refuses while something still uses the object, for up to
 * `timeoutMs`; then throws the engine's last refusal. False when the object was already gone.
 */
export async function removeWhenFree(
  remove: () => Promise<unknown>,
  timeoutMs: number,
  retryMs = 500,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await remove();
      return true;
    } catch (err) {
      const status = err instanceof DockerRequestError ? err.status : undefined;
      if (status === 404) return false;
      if (Date.now() > deadline || status === undefined || !BUSY.has(status)) throw err;
      await sleep(retryMs);
    }
  }
}
