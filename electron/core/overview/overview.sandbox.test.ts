/**
 * The overview and its notifications against the sandbox (a simulated API server) next to a
 * context whose server refuses connections: the sandbox's figures come from real requests and the
 * shared pod watch; the dead context is unreachable in one line; a pod made to crash-loop raises
 * one notification, a Lease nobody renews raises one, and a stack deployed there is listed with its rollout.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Notification, Overview } from '@shared/overview-schemas';
import { overviewSchema } from '@shared/overview-schemas';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../../sandbox/index';
import { loadKubeconfig } from '../clusters/kubeconfig';
import { createDeployEngine } from '../deploy/engine';
import { kubeRevisionRecords } from '../targets/deployed-where-sources';
import { resolveConnection } from '../kube/kube-connection';
import { createKubeGateway, type KubeGateway } from '../kube/kube-gateway';
import { createKubeService } from '../kube/kube-service';
import { webStack } from '../readiness/testing/web-stack';
import { builtinStacks, createStackCatalog } from '../stacks/catalog';
import { createClusterOverview } from './cluster-overview';

let sandbox: Sandbox;
let openGateway: (context: string) => Promise<KubeGateway>;
const catalog = createStackCatalog([...builtinStacks, webStack]);

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-overview-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  const conn = await resolveConnection(
    await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]),
    SANDBOX_CONTEXT,
  );
  openGateway = async (context) =>
    createKubeGateway(context === SANDBOX_CONTEXT ? conn : { ...conn, server: 'http://127.0.0.1:1' });
}, 30_000);
afterAll(async () => {
  await sandbox?.close();
});

const crashingPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'crashes', namespace: 'default' },
  spec: { containers: [{ name: 'main', image: 'ghcr.io/example/app:homeport-crash' }] },
};

describe('overview on the sandbox', () => {
  it('shows the sandbox with its figures and stacks, the dead context unreachable, a crash loop and a lost leader as one notification each', async () => {
    const engine = createDeployEngine({ openGateway, catalog });
    const ref = { context: SANDBOX_CONTEXT, namespace: 'web', stack: 'webapp' };
    await engine.apply({ ...ref, values: {}, prune: false });
    const kube = createKubeService({ openGateway, tuning: { backoffBaseMs: 200, backoffMaxMs: 1000 } });
    const overview = createClusterOverview(
      {
        contexts: async () => [
          { name: SANDBOX_CONTEXT, simulated: true },
          { name: 'dead', simulated: false },
        ],
        endpoints: async () => [],
        openGateway,
        openClient: () => Promise.reject(new Error('no Docker endpoint here')),
        kubeStacks: async (context) => kubeRevisionRecords(await openGateway(context)),
        swarmStacks: () => Promise.reject(new Error('no Docker endpoint here')),
        rollout: (target, stack) =>
          target.kind === 'kubernetes'
            ? engine.rolloutStatus({ context: target.context, namespace: target.namespace, stack })
            : Promise.reject(new Error('no swarm')),
        kube,
      },
      { timeoutMs: 3000, intervalMs: 300, leaseCheckMs: 200 },
    );
    let latest: Overview | undefined;
    const stopOverview = overview.subscribe((o) => (latest = overviewSchema.parse(o)));
    const notes: Notification[] = [];
    const stopNotes = overview.subscribeNotifications((n) => notes.push(n));
    try {
      await vi.waitFor(
        () => {
          const sb = latest?.targets.find((t) => t.name === SANDBOX_CONTEXT);
          expect(sb).toMatchObject({ state: 'reachable', simulated: true, pods: { live: true } });
          expect(sb?.stacks).toEqual([
            expect.objectContaining({ stack: 'webapp', namespace: 'web', state: 'healthy' }),
          ]);
        },
        { timeout: 30_000, interval: 100 },
      );
      const sb = latest?.targets.find((t) => t.name === SANDBOX_CONTEXT);
      expect(sb?.version).toMatch(/^v1\./);
      expect(sb?.nodes?.total).toBeGreaterThan(0);
      expect(sb?.nodes?.ready).toBe(sb?.nodes?.total);
      expect(latest?.targets.find((t) => t.name === 'dead')).toMatchObject({
        state: 'unreachable',
        error: expect.stringContaining('127.0.0.1:1'),
      });
      expect(latest?.targets.find((t) => t.name === 'dead')?.error).not.toContain('\n');
      expect(kube.activeWatches).toBe(4);

      const gateway = await openGateway(SANDBOX_CONTEXT);
      await gateway.request('/api/v1/namespaces/default/pods', { method: 'POST', body: crashingPod });
      gateway.close();
      await vi.waitFor(() => expect(notes.map((n) => n.kind)).toContain('pod-crashloop'), {
        timeout: 20_000,
        interval: 100,
      });
      expect(notes.find((n) => n.kind === 'pod-crashloop')).toMatchObject({
        title: 'Pod default/crashes is crash-looping',
        where: `context '${SANDBOX_CONTEXT}'`,
      });
      // The sandbox restarts it again and again; it is still one notification, and a Warning event.
      await vi.waitFor(
        () => {
          const t = latest?.targets.find((x) => x.name === SANDBOX_CONTEXT);
          expect(t?.warnings).toBeGreaterThan(0);
          expect(t?.pods?.ready).toBeLessThan(t?.pods?.total ?? 0);
        },
        { timeout: 10_000, interval: 100 },
      );
      expect(notes.filter((n) => n.kind === 'pod-crashloop')).toHaveLength(1);

      // A leader that stops renewing its Lease: lost once its duration has passed, by time alone.
      const leases = await openGateway(SANDBOX_CONTEXT);
      await leases.request('/apis/coordination.k8s.io/v1/namespaces/default/leases', {
        method: 'POST',
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: 'e2e-jobs', namespace: 'default' },
          spec: { holderIdentity: 'jobs-1', leaseDurationSeconds: 2, renewTime: new Date().toISOString() },
        },
      });
      leases.close();
      const lost = expect.objectContaining({
        kind: 'leader-lost',
        title: 'Leader lost: Lease default/e2e-jobs',
        message: 'jobs-1 stopped renewing it and no one has taken over.',
      });
      await vi.waitFor(() => expect(notes).toContainEqual(lost), { timeout: 10_000, interval: 100 });
      await new Promise((r) => setTimeout(r, 600));
      expect(notes.filter((n) => n.title === 'Leader lost: Lease default/e2e-jobs')).toHaveLength(1);
    } finally {
      stopNotes();
      stopOverview();
      kube.close();
    }
    expect(kube.activeWatches).toBe(0);
  }, 60_000);
});
