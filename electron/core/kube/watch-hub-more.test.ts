import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PodSummary } from '@shared/kube-schemas';
import { HomeportError } from '../errors';
import { createKubeService, type KubeService } from './kube-service';
import { type PodObject, summarizePod } from './pod-summary';
import { fakePod, type FakeKubeServer, startFakeKubeServer } from './testing/fake-kube-server';
import { createView, gatewayFor, sleep, testTuning, waitFor } from './testing/harness';

let server: FakeKubeServer;
let service: KubeService | undefined;

const truth = () =>
  server
    .objects('pods')
    .map((o) => summarizePod(o as PodObject))
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
const matches = (view: ReturnType<typeof createView<PodSummary>>) =>
  view.status?.state === 'live' && JSON.stringify(view.sorted()) === JSON.stringify(truth());

beforeEach(async () => {
  server = await startFakeKubeServer();
});
afterEach(async () => {
  service?.close();
  service = undefined;
  await server.close();
});

describe('scale', () => {
  it('lists 5,000 pods and absorbs 2,000 events quickly, in few batches', async () => {
    for (let i = 0; i < 5_000; i++) server.put('pods', fakePod(`ns-${i % 20}`, `pod-${i}`));
    service = createKubeService({ openGateway: async () => gatewayFor(server.url), batchMs: 100, tuning: testTuning });
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, view.emit);
    await waitFor(() => matches(view), 'the initial 5,000 pods', 10_000);
    expect(server.requests.filter((r) => !r.watch)).toHaveLength(10);
    const from = view.deltas.length;
    const started = Date.now();
    // 200 events/s for ten simulated seconds, delivered as fast as the socket allows.
    for (let i = 0; i < 2_000; i++) {
      const n = (i * 7) % 5_000;
      if (i % 10 === 9) server.remove('pods', `ns-${n % 20}`, `pod-${n}`);
      else server.put('pods', fakePod(`ns-${n % 20}`, `pod-${n}`, { status: { phase: 'Pending' } }));
    }
    await waitFor(() => matches(view), 'the view to catch up', 10_000);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(view.deltas.slice(from).filter((d) => d.type === 'upsert').length).toBeLessThanOrEqual(10);
  });
});

describe('more recovery', () => {
  it('retries a failed watch when a new subscriber arrives (consent given meanwhile)', async () => {
    server.put('pods', fakePod('m', 'a'));
    let allowed = false;
    service = createKubeService({
      openGateway: async () => {
        if (!allowed) throw new HomeportError('FORBIDDEN', "Context 'c' needs the credential plugin 'aws'.");
        return gatewayFor(server.url);
      },
      batchMs: 20,
      tuning: testTuning,
    });
    const first = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, first.emit);
    await waitFor(() => first.status?.state === 'failed', 'failed');
    allowed = true;
    const second = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, second.emit);
    await waitFor(() => matches(first) && matches(second), 'both views live');
    // 'live' is reported once listed; the watch request follows it.
    await waitFor(() => server.openWatches === 1, 'the watch to open after the list');
    expect(server.watchRequests('pods')).toHaveLength(1);
  });

  it('fails on 403 of the watch itself, naming what could not be watched', async () => {
    server.fail((r) => r.watch, 403, 'pods is forbidden: User "bob" cannot watch resource "pods"');
    service = createKubeService({ openGateway: async () => gatewayFor(server.url), batchMs: 20, tuning: testTuning });
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c', namespace: 'media' }, view.emit);
    await waitFor(() => view.status?.state === 'failed', 'failed');
    expect(view.status?.message).toContain("Cannot watch pods in namespace 'media' of context 'c'");
    expect(view.status?.message).toContain('cannot watch resource');
  });

  it('recovers from an in-stream ERROR that is not 410, and backs off when watches keep failing', async () => {
    server.put('pods', fakePod('m', 'a'));
    service = createKubeService({ openGateway: async () => gatewayFor(server.url), batchMs: 20, tuning: testTuning });
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, view.emit);
    await waitFor(() => matches(view), 'live');
    server.fail((r) => r.watch, 500, 'storage unavailable', 4);
    server.dropWatches();
    server.put('pods', fakePod('m', 'b'));
    await waitFor(() => matches(view) && server.openWatches === 1, 'live again');
    const reconnecting = view.statuses.filter((s) => s.state === 'reconnecting');
    expect(reconnecting.length).toBeGreaterThan(0);
    expect(reconnecting[0]!.message).toMatch(
      /Lost the watch of pods of all namespaces in context 'c'.*storage unavailable/,
    );
    expect(server.watchRequests('pods')).toHaveLength(6);
    expect(server.requests.filter((r) => !r.watch)).toHaveLength(1);
  });

  it('starts the list over when a continue token expires mid-way', async () => {
    for (let i = 0; i < 1_200; i++) server.put('pods', fakePod('m', `p-${i}`));
    server.fail((r) => r.query.has('continue'), 410, 'The provided continue parameter is too old', 1);
    service = createKubeService({ openGateway: async () => gatewayFor(server.url), batchMs: 20, tuning: testTuning });
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, view.emit);
    await waitFor(() => matches(view), 'live');
    const lists = server.requests.filter((r) => !r.watch);
    expect(lists.map((r) => r.query.has('continue'))).toEqual([false, true, false, true, true]);
    expect(view.count('reset')).toBe(1);
  });

  it('keeps other subscribers going when one throws', async () => {
    server.put('pods', fakePod('m', 'a'));
    service = createKubeService({ openGateway: async () => gatewayFor(server.url), batchMs: 20, tuning: testTuning });
    let calls = 0;
    service.subscribePods({ context: 'c' }, () => {
      if (++calls > 1) throw new Error('socket closed');
    });
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, view.emit);
    server.put('pods', fakePod('m', 'b'));
    await waitFor(() => matches(view), 'the healthy subscriber to be live');
  });

  it('stops cleanly when the last subscriber leaves while the gateway is still opening', async () => {
    let release: () => void = () => {};
    const opening = new Promise<void>((r) => (release = r));
    service = createKubeService({
      openGateway: async () => {
        await opening;
        return gatewayFor(server.url);
      },
      batchMs: 20,
      tuning: testTuning,
    });
    const stop = service.subscribePods({ context: 'c' }, () => {});
    stop();
    release();
    await sleep(50);
    expect(server.requests).toHaveLength(0);
    expect(service.activeWatches).toBe(0);
  });
});

describe('the first list, page by page', () => {
  it('shows the pages listed so far while the rest is still coming, then everything live', async () => {
    for (let i = 0; i < 1_200; i++) server.put('pods', fakePod('media', `pod-${String(i).padStart(4, '0')}`));
    // The third page fails once: the first two must already be on screen, still marked syncing.
    server.fail((r) => r.resource === 'pods' && !r.watch && (r.query.get('continue') ?? '').startsWith('1000:'), 500);
    service = createKubeService({
      openGateway: async () => gatewayFor(server.url),
      batchMs: 10,
      tuning: { ...testTuning, backoffBaseMs: 300, backoffMaxMs: 300, random: () => 0 },
    });
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, view.emit);
    await waitFor(() => view.items.size === 1_000, 'the first two pages on screen');
    expect(view.status?.state).not.toBe('live');
    // A second screen opening now gets the pages so far at once.
    const late = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, late.emit);
    expect(late.items.size).toBe(1_000);
    await waitFor(() => matches(view) && matches(late), 'all 1,200 pods, live, in both views');
    expect(view.count('reset')).toBeGreaterThanOrEqual(1);
  });

  it('a relist after the history is gone replaces the rows at once: none blink out meanwhile', async () => {
    for (let i = 0; i < 1_200; i++) server.put('pods', fakePod('media', `pod-${i}`));
    service = createKubeService({ openGateway: async () => gatewayFor(server.url), batchMs: 10, tuning: testTuning });
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, view.emit);
    await waitFor(() => matches(view), 'the first list');
    const from = view.deltas.length;
    server.put('pods', fakePod('media', 'pod-new'));
    server.compact();
    server.dropWatches();
    await waitFor(() => matches(view) && view.items.size === 1_201, 'the relist');
    const resets = view.deltas.slice(from).filter((d) => d.type === 'reset');
    // One reset holding every pod: no partial page ever replaced the rows.
    expect(resets.every((d) => d.type === 'reset' && d.items.length >= 1_200)).toBe(true);
  });
});
