import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PodSummary } from '@shared/kube-schemas';
import type { ResourceRow } from '@shared/resource-schemas';
import { createKubeService, type KubeService } from '../kube-service';
import { fakePod, type FakeKubeServer, startFakeKubeServer } from '../testing/fake-kube-server';
import { createView, gatewayFor, testTuning, waitFor } from '../testing/harness';
import { createWatchHub } from '../watch-hub';
import { createResourceService, type ResourceService } from './resource-service';
import { summarizePodRow } from './workload-rows';

let server: FakeKubeServer;
let kube: KubeService;
let resources: ResourceService;

beforeEach(async () => {
  server = await startFakeKubeServer();
  const hub = createWatchHub({
    openGateway: async () => gatewayFor(server.url),
    tuning: { ...testTuning, batchMs: 20 },
  });
  kube = createKubeService({ openGateway: async () => gatewayFor(server.url), hub });
  resources = createResourceService({ openGateway: async () => gatewayFor(server.url), hub });
});
afterEach(async () => {
  kube.close();
  resources.close();
  await server.close();
});

const podsParams = (namespace?: string) => ({
  context: 'c',
  group: '',
  version: 'v1',
  plural: 'pods',
  namespaced: true,
  ...(namespace ? { namespace } : {}),
});

describe('one watch of pods for the Pods screen and the resource browser', () => {
  it('lists and watches once, and both views follow the same changes', async () => {
    server.put('pods', fakePod('media', 'api-1'));
    server.put(
      'pods',
      fakePod('media', 'crasher', {
        status: {
          phase: 'Running',
          containerStatuses: [
            {
              name: 'main',
              ready: false,
              restartCount: 4,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
            },
          ],
        },
      }),
    );
    const pods = createView<PodSummary>();
    const rows = createView<ResourceRow>();
    const leavePods = kube.subscribePods({ context: 'c', namespace: 'media' }, pods.emit);
    const leaveRows = resources.subscribe(podsParams('media'), rows.emit);
    await waitFor(() => rows.items.size === 2 && pods.items.size === 2, 'both views to hold the two pods');
    await waitFor(() => server.watchRequests('pods').length > 0, 'the watch to start after the list');

    expect(server.watchRequests('pods')).toHaveLength(1);
    expect(server.requests.filter((r) => r.resource === 'pods' && !r.watch)).toHaveLength(1);
    expect(resources.activeWatches).toBe(1);
    // The rows made from the shared summaries are the rows made from the objects themselves.
    for (const obj of server.objects('pods')) {
      expect(rows.items.get(`media/${obj.metadata.name}`)).toEqual(summarizePodRow(obj));
    }
    expect(rows.items.get('media/crasher')).toMatchObject({ status: 'CrashLoopBackOff', tone: 'error', problem: true });

    server.put(
      'pods',
      fakePod('media', 'api-1', { metadata: { name: 'api-1', namespace: 'media', deletionTimestamp: 'x' } }),
    );
    await waitFor(() => rows.items.get('media/api-1')?.status === 'Terminating', 'the browser row to say Terminating');
    await waitFor(() => pods.items.get('media/api-1')?.deleting === true, 'the Pods view to see the deletion');

    // The watch stays while either screen looks, and stops when both have left.
    leavePods();
    expect(resources.activeWatches).toBe(1);
    leaveRows();
    expect(resources.activeWatches).toBe(0);
  });

  it('keeps a different namespace and other kinds on watches of their own', async () => {
    server.put('pods', fakePod('media', 'api-1'));
    const a = createView<ResourceRow>();
    const b = createView<PodSummary>();
    resources.subscribe(podsParams(), a.emit);
    kube.subscribePods({ context: 'c', namespace: 'media' }, b.emit);
    await waitFor(() => a.items.size === 1 && b.items.size === 1, 'both views to hold the pod');
    // Each watch starts only after its own list, so wait for both before counting.
    await waitFor(() => server.watchRequests('pods').length >= 2, 'a watch for each namespace scope');
    expect(server.watchRequests('pods')).toHaveLength(2);
    expect(kube.activeWatches).toBe(2);
  });
});
