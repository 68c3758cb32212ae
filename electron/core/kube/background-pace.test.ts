import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PodSummary } from '@shared/kube-schemas';
import { createKubeService, type KubeService } from './kube-service';
import { fakePod, type FakeKubeServer, startFakeKubeServer } from './testing/fake-kube-server';
import { createView, gatewayFor, sleep, testTuning, waitFor } from './testing/harness';

let server: FakeKubeServer;
let service: KubeService;

beforeEach(async () => {
  server = await startFakeKubeServer();
  service = createKubeService({
    openGateway: async () => gatewayFor(server.url),
    batchMs: 20,
    // A pause far longer than any wait below: what arrives during one is only seen once woken.
    tuning: { ...testTuning, idleTimeoutMs: 60_000, backgroundPaceMs: 20_000 },
  });
});
afterEach(async () => {
  service.close();
  await server.close();
});

describe('a watch only background subscribers hear', () => {
  it('is read in bursts, and at once again when someone starts looking', async () => {
    server.put('pods', fakePod('m', 'a'));
    const monitor = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, monitor.emit, { background: true });
    await waitFor(() => monitor.items.has('m/a') && server.openWatches === 1, 'the list and the watch');

    // The first event is read as it comes; the stream then rests, and the next waits in the kernel.
    server.put('pods', fakePod('m', 'b'));
    await waitFor(() => monitor.items.has('m/b'), 'the first event');
    server.put('pods', fakePod('m', 'c'));
    await sleep(300);
    expect(monitor.items.has('m/c')).toBe(false);

    // A screen subscribes: the pause ends, it and the monitor get what waited, and events flow.
    const screen = createView<PodSummary>();
    const leave = service.subscribePods({ context: 'c' }, screen.emit);
    await waitFor(() => monitor.items.has('m/c') && screen.items.has('m/c'), 'the waiting event, at once');
    server.put('pods', fakePod('m', 'd'));
    server.put('pods', fakePod('m', 'e'));
    await waitFor(() => screen.items.has('m/e') && monitor.items.has('m/e'), 'events as they come');

    // The screen leaves: back to bursts.
    leave();
    server.put('pods', fakePod('m', 'f'));
    await waitFor(() => monitor.items.has('m/f'), 'the first event after the screen left');
    server.put('pods', fakePod('m', 'g'));
    await sleep(300);
    expect(monitor.items.has('m/g')).toBe(false);
    expect(server.watchRequests('pods')).toHaveLength(1);
  });

  it('is read as it comes while any subscriber is not a background one', async () => {
    const monitor = createView<PodSummary>();
    const screen = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, monitor.emit, { background: true });
    service.subscribePods({ context: 'c' }, screen.emit);
    await waitFor(() => server.openWatches === 1, 'the watch');
    for (const name of ['a', 'b', 'c']) {
      server.put('pods', fakePod('m', name));
      await waitFor(() => screen.items.has(`m/${name}`) && monitor.items.has(`m/${name}`), `pod ${name}`);
    }
  });
});
