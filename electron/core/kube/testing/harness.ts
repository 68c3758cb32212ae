/** Helpers shared by the kube tests: a gateway to the fake server, a delta-applying view, waiting. */
import type { WatchStatus } from '@shared/kube-schemas';
import type { Delta } from '../informer';
import { createKubeGateway, type KubeGateway } from '../kube-gateway';

export function gatewayFor(url: string, token?: string): KubeGateway {
  return createKubeGateway({ context: 'test', server: url, namespace: 'default', insecureSkipTlsVerify: false, token });
}

/** Applies deltas to a Map the way the renderer does, and keeps what arrived for assertions. */
export function createView<T extends { namespace: string; name: string }>() {
  const items = new Map<string, T>();
  const deltas: Delta<T>[] = [];
  let status: WatchStatus | undefined;
  const statuses: WatchStatus[] = [];
  return {
    items,
    deltas,
    statuses,
    get status() {
      return status;
    },
    emit: (delta: Delta<T>) => {
      deltas.push(delta);
      switch (delta.type) {
        case 'reset':
          items.clear();
          for (const item of delta.items) items.set(`${item.namespace}/${item.name}`, item);
          break;
        case 'upsert':
          for (const item of delta.items) items.set(`${item.namespace}/${item.name}`, item);
          break;
        case 'delete':
          for (const key of delta.keys) items.delete(key);
          break;
        case 'status':
          status = delta.status;
          statuses.push(delta.status);
      }
    },
    count: (type: Delta<T>['type']) => deltas.filter((d) => d.type === type).length,
    sorted: () => [...items.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v),
  };
}

/** Polls until the check passes; fails with the label after timeoutMs so no test can hang. */
export async function waitFor(check: () => boolean, label: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fast, deterministic watch timing for tests. */
export const testTuning = {
  backoffBaseMs: 10,
  backoffMaxMs: 40,
  idleTimeoutMs: 3_000,
  random: () => 0.5,
};
