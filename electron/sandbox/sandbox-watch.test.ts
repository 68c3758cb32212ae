import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodSummary } from '@shared/kube-schemas';
import { loadKubeconfig } from '../core/clusters/kubeconfig';
import { resolveConnection } from '../core/kube/kube-connection';
import { createKubeGateway } from '../core/kube/kube-gateway';
import { createKubeService, type KubeService } from '../core/kube/kube-service';
import { createView, testTuning } from '../core/kube/testing/harness';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from './index';

let sandbox: Sandbox;
let service: KubeService;

async function truth(gateway: ReturnType<typeof createKubeGateway>): Promise<string[]> {
  const list = await gateway.getJson<{ items: { metadata: { namespace: string; name: string } }[] }>('/api/v1/pods');
  return list.items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort();
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  const config = await loadKubeconfig([{ path: 'sandbox', origin: 'sandbox' }], {
    read: async () => sandbox.kubeconfig(),
  });
  const conn = await resolveConnection(config, SANDBOX_CONTEXT);
  service = createKubeService({ openGateway: async () => createKubeGateway(conn), tuning: testTuning });
});

afterAll(async () => {
  service?.close();
  await sandbox?.close();
});

describe('the watch hub against the sandbox, under faults', () => {
  it('ends with exactly the cluster after dropped watches, 410s of both kinds, bursts and killed pods', async () => {
    const config = await loadKubeconfig([{ path: 'sandbox', origin: 'sandbox' }], {
      read: async () => sandbox.kubeconfig(),
    });
    const gateway = createKubeGateway(await resolveConnection(config, SANDBOX_CONTEXT));
    await sandbox.admin.createPods('bench', 200, { running: true });
    const view = createView<PodSummary>();
    const stop = service.subscribePods({ context: SANDBOX_CONTEXT }, view.emit);
    try {
      await until(() => view.items.size === 200 && view.status?.state === 'live');

      await sandbox.admin.createPods('burst', 300);
      sandbox.faults.dropWatches();
      sandbox.admin.touchPods('bench', 100);
      sandbox.faults.expireHistory();
      for (let i = 0; i < 20; i++) sandbox.faults.killPod('bench', `bulk-${i}`);
      sandbox.faults.dropWatches();
      sandbox.faults.expireHistory({ asHttpStatus: true });
      sandbox.faults.dropWatches();
      for (let i = 20; i < 40; i++) sandbox.faults.killPod('bench', `bulk-${i}`);

      await until(async () => {
        const expected = await truth(gateway);
        return expected.length === view.items.size && expected.every((k) => view.items.has(k));
      });
      expect([...view.items.keys()].sort()).toEqual(await truth(gateway));
      expect(view.deltas.filter((d) => d.type === 'reset').length).toBeGreaterThanOrEqual(2);
      expect(view.status?.state).toBe('live');
    } finally {
      stop();
      gateway.close();
    }
  });
});
