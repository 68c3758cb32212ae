import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PodSummary } from '@shared/kube-schemas';
import { HomeportError } from '../errors';
import { backoffDelay } from './backoff';
import { createKubeService, type KubeService } from './kube-service';
import { type PodObject, summarizePod } from './pod-summary';
import { fakePod, type FakeKubeServer, startFakeKubeServer } from './testing/fake-kube-server';
import { createView, gatewayFor, sleep, testTuning, waitFor } from './testing/harness';

let server: FakeKubeServer;
let service: KubeService;

function truth(namespace?: string): PodSummary[] {
  return server
    .objects('pods')
    .filter((o) => !namespace || o.metadata.namespace === namespace)
    .map((o) => summarizePod(o as PodObject))
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

function start(tuning: Partial<typeof testTuning> = {}) {
  service = createKubeService({
    openGateway: async () => gatewayFor(server.url),
    batchMs: 20,
    tuning: { ...testTuning, ...tuning },
  });
}

async function live(view: ReturnType<typeof createView<PodSummary>>, namespace?: string) {
  await waitFor(
    () => view.status?.state === 'live' && JSON.stringify(view.sorted()) === JSON.stringify(truth(namespace)),
    'the view to match the server',
  );
  expect(view.sorted()).toEqual(truth(namespace));
}

beforeEach(async () => {
  server = await startFakeKubeServer();
});
afterEach(async () => {
  service?.close();
  await server.close();
});

describe('list and watch', () => {
  it('pages the initial list and follows changes', async () => {
    for (let i = 0; i < 1200; i++) server.put('pods', fakePod('media', `p-${i}`));
    start();
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c', namespace: 'media' }, view.emit);
    await live(view, 'media');
    const lists = server.requests.filter((r) => r.resource === 'pods' && !r.watch);
    expect(lists.map((r) => r.query.get('limit'))).toEqual(['500', '500', '500']);
    expect(lists[1]!.query.get('continue')).toBeTruthy();
    const watch = server.watchRequests('pods')[0]!;
    expect(watch.query.get('allowWatchBookmarks')).toBe('true');
    expect(Number(watch.query.get('timeoutSeconds'))).toBeGreaterThanOrEqual(300);
    expect(watch.query.get('resourceVersion')).toBe(String(server.resourceVersion));
    expect(view.count('reset')).toBe(1);

    server.put('pods', fakePod('media', 'new'));
    server.remove('pods', 'media', 'p-3');
    server.put(
      'pods',
      fakePod('media', 'p-4', { metadata: { name: 'p-4', deletionTimestamp: '2025-01-02T00:00:00Z' } }),
    );
    server.put('pods', fakePod('other', 'not-mine'));
    await live(view, 'media');
    expect(view.items.get('media/p-4')).toMatchObject({ deleting: true, reason: 'Terminating' });
  });

  it('shares one watch per key and closes it when the last subscriber leaves', async () => {
    server.put('pods', fakePod('media', 'a'));
    start();
    const first = createView<PodSummary>();
    const second = createView<PodSummary>();
    const stopFirst = service.subscribePods({ context: 'c', namespace: 'media' }, first.emit);
    await live(first, 'media');
    // 'live' is reported once listed; the watch request follows it.
    await waitFor(() => server.openWatches === 1, 'the watch to open after the list');
    const stopSecond = service.subscribePods({ context: 'c', namespace: 'media' }, second.emit);
    // The newcomer gets the current rows and status at once, without a new request.
    expect(second.deltas.slice(0, 2).map((d) => d.type)).toEqual(['reset', 'status']);
    expect(second.sorted()).toEqual(truth('media'));
    expect(second.status?.state).toBe('live');
    expect(server.watchRequests('pods')).toHaveLength(1);
    expect(server.requests.filter((r) => r.resource === 'pods' && !r.watch)).toHaveLength(1);

    server.put('pods', fakePod('media', 'b'));
    await live(first, 'media');
    await live(second, 'media');

    stopFirst();
    expect(server.openWatches).toBe(1);
    stopSecond();
    stopSecond();
    expect(service.activeWatches).toBe(0);
    await waitFor(() => server.openWatches === 0, 'the watch connection to close');
    const before = server.requests.length;
    server.put('pods', fakePod('media', 'c'));
    await sleep(60);
    expect(server.requests.length).toBe(before);
    expect(first.items.has('media/c')).toBe(false);
  });

  it('keys all-namespace and per-namespace watches apart', async () => {
    server.put('pods', fakePod('a', 'x'));
    server.put('pods', fakePod('b', 'y'));
    start();
    const all = createView<PodSummary>();
    const onlyA = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, all.emit);
    service.subscribePods({ context: 'c', namespace: 'a' }, onlyA.emit);
    await live(all);
    await live(onlyA, 'a');
    expect(service.activeWatches).toBe(2);
    expect(
      server
        .watchRequests('pods')
        .map((r) => r.path)
        .sort(),
    ).toEqual(['/api/v1/namespaces/a/pods', '/api/v1/pods']);
  });
});

describe('recovery', () => {
  for (const form of ['event', 'http'] as const) {
    it(`relists once on 410 Gone sent as ${form === 'http' ? 'the HTTP status' : 'an in-stream ERROR'}`, async () => {
      for (let i = 0; i < 20; i++) server.put('pods', fakePod('m', `p-${i}`));
      start();
      const view = createView<PodSummary>();
      service.subscribePods({ context: 'c' }, view.emit);
      await live(view);
      // The client misses these events, then the server forgets them: only a relist can recover.
      server.silenceWatches();
      server.put('pods', fakePod('m', 'added-while-away'));
      server.remove('pods', 'm', 'p-1');
      server.putQuietly('pods', fakePod('m', 'p-2', { status: { phase: 'Failed' } }));
      server.removeQuietly('pods', 'm', 'p-3');
      server.compact(form);
      const resetsBefore = view.count('reset');
      const listsBefore = server.requests.filter((r) => !r.watch).length;
      server.dropWatches();
      await live(view);
      await sleep(60);
      expect(view.count('reset')).toBe(resetsBefore + 1);
      expect(server.requests.filter((r) => !r.watch).length).toBe(listsBefore + 1);
      expect(view.items.has('m/p-1')).toBe(false);
      expect(view.items.has('m/p-3')).toBe(false);
      expect(view.items.get('m/p-2')?.phase).toBe('Failed');
      expect(server.openWatches).toBe(1);
    });
  }

  it('relists on an ERROR 410 in the middle of a running watch', async () => {
    server.put('pods', fakePod('m', 'a'));
    start();
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, view.emit);
    await live(view);
    server.putQuietly('pods', fakePod('m', 'quiet'));
    server.goneOpenWatches();
    await live(view);
    expect(view.count('reset')).toBe(2);
    await waitFor(() => server.openWatches === 1, 'a new watch');
  });

  it('resumes after a dropped connection from the last resourceVersion without relisting', async () => {
    server.put('pods', fakePod('m', 'a'));
    start();
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, view.emit);
    await live(view);
    const rv = String(server.resourceVersion);
    server.fail((r) => r.watch, 503, 'apiserver restarting', 2);
    server.dropWatches();
    server.put('pods', fakePod('m', 'b'));
    server.remove('pods', 'm', 'a');
    await live(view);
    expect(view.statuses.some((s) => s.state === 'reconnecting' && s.message?.includes('apiserver restarting'))).toBe(
      true,
    );
    const watches = server.watchRequests('pods');
    expect(watches.length).toBe(4);
    expect(watches[1]!.query.get('resourceVersion')).toBe(rv);
    expect(server.requests.filter((r) => !r.watch)).toHaveLength(1);
    expect(view.count('reset')).toBe(1);
  });

  it('resumes from a bookmark, so a compaction after it does not force a relist', async () => {
    server.put('pods', fakePod('mine', 'a'));
    start();
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c', namespace: 'mine' }, view.emit);
    await live(view, 'mine');
    for (let i = 0; i < 5; i++) server.put('pods', fakePod('elsewhere', `x-${i}`));
    server.bookmark('pods');
    await sleep(50);
    server.compact('event');
    server.endWatches();
    await waitFor(() => server.watchRequests('pods').length === 2 && server.openWatches === 1, 'the resumed watch');
    expect(server.watchRequests('pods')[1]!.query.get('resourceVersion')).toBe(String(server.resourceVersion));
    expect(server.requests.filter((r) => !r.watch)).toHaveLength(1);
    server.put('pods', fakePod('mine', 'b'));
    await live(view, 'mine');
  });

  it('detects a dead connection by silence and reconnects', async () => {
    server.put('pods', fakePod('m', 'a'));
    start({ idleTimeoutMs: 250 });
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, view.emit);
    await live(view);
    // Bookmarks count as life: no reconnect while they flow.
    for (let i = 0; i < 6; i++) {
      server.bookmark('pods');
      await sleep(100);
    }
    expect(server.watchRequests('pods')).toHaveLength(1);
    server.silenceWatches();
    server.put('pods', fakePod('m', 'b'));
    await waitFor(() => server.watchRequests('pods').length === 2, 'a reconnect after silence', 3_000);
    await live(view);
    expect(view.items.has('m/b')).toBe(true);
    await waitFor(() => server.openWatches === 1, 'the dead watch to be closed');
  });

  it('keeps up with a burst of 1,000 events in a few batches', async () => {
    for (let i = 0; i < 500; i++) server.put('pods', fakePod('m', `p-${i}`));
    start();
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, view.emit);
    await live(view);
    const from = view.deltas.length;
    for (let i = 0; i < 400; i++) server.put('pods', fakePod('m', `p-${i}`, { status: { phase: 'Pending' } }));
    for (let i = 0; i < 300; i++) server.remove('pods', 'm', `p-${i}`);
    for (let i = 0; i < 300; i++) server.put('pods', fakePod('m', `burst-${i}`));
    await live(view);
    const batch = view.deltas.slice(from);
    expect(batch.filter((d) => d.type === 'upsert').length).toBeLessThanOrEqual(5);
    expect(batch.filter((d) => d.type === 'reset')).toHaveLength(0);
    // Each key appears at most once per delta.
    for (const d of batch) {
      if (d.type === 'upsert') expect(new Set(d.items.map((i) => i.name)).size).toBe(d.items.length);
    }
  });

  it('collapses many changes to one pod within a batch into its last state', async () => {
    start({});
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, view.emit);
    await live(view);
    const from = view.deltas.length;
    for (let i = 0; i < 50; i++)
      server.put(
        'pods',
        fakePod('m', 'flappy', {
          status: { phase: 'Running', containerStatuses: [{ name: 'main', restartCount: i }] },
        }),
      );
    server.put('pods', fakePod('m', 'gone'));
    server.remove('pods', 'm', 'gone');
    await live(view);
    const upserts = view.deltas.slice(from).filter((d) => d.type === 'upsert');
    expect(upserts).toHaveLength(1);
    expect(upserts[0]!.type === 'upsert' && upserts[0]!.items).toEqual([expect.objectContaining({ restarts: 49 })]);
  });
});

describe('failures', () => {
  it('reports 401 as failed with a clear message and stops retrying', async () => {
    await server.close();
    server = await startFakeKubeServer({ token: 'right' });
    service = createKubeService({
      openGateway: async () => gatewayFor(server.url, 'wrong'),
      batchMs: 20,
      tuning: testTuning,
    });
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, view.emit);
    await waitFor(() => view.status?.state === 'failed', 'the failed status');
    expect(view.status?.message).toMatch(/refused the credentials of context 'test'.*Check the user's token/);
    const count = server.requests.length;
    await sleep(100);
    expect(server.requests.length).toBe(count);
  });

  it('reports a missing credential consent as failed', async () => {
    service = createKubeService({
      openGateway: async () => {
        throw new HomeportError(
          'FORBIDDEN',
          "Context 'c' needs the credential plugin 'aws', which you have not allowed yet.",
        );
      },
      batchMs: 20,
      tuning: testTuning,
    });
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, view.emit);
    await waitFor(() => view.status?.state === 'failed', 'the failed status');
    expect(view.status?.message).toContain('not allowed yet');
  });

  it('retries a list that fails with 500, saying so, then goes live', async () => {
    server.put('pods', fakePod('m', 'a'));
    server.fail((r) => r.resource === 'pods' && !r.watch, 500, 'etcd timeout', 3);
    start();
    const view = createView<PodSummary>();
    service.subscribePods({ context: 'c' }, view.emit);
    await live(view);
    expect(view.statuses.map((s) => s.state)).toContain('reconnecting');
    expect(view.statuses.find((s) => s.state === 'reconnecting')?.message).toContain('etcd timeout');
  });

  it('backs off exponentially with jitter, within bounds', () => {
    const opts = { baseMs: 100, maxMs: 5_000 };
    expect(backoffDelay(0, { ...opts, random: () => 0 })).toBe(50);
    expect(backoffDelay(0, { ...opts, random: () => 1 })).toBe(100);
    expect(backoffDelay(3, { ...opts, random: () => 0.5 })).toBe(600);
    for (let attempt = 0; attempt < 60; attempt++) {
      const d = backoffDelay(attempt, opts);
      expect(d).toBeGreaterThanOrEqual(Math.min(5_000, 100 * 2 ** attempt) / 2);
      expect(d).toBeLessThanOrEqual(5_000);
    }
    const samples = new Set(Array.from({ length: 20 }, () => backoffDelay(5, opts)));
    expect(samples.size).toBeGreaterThan(1);
  });
});
