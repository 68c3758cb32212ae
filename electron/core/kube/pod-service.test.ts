import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LeaseSummary, LogChunk, PodSummary } from '@shared/kube-schemas';
import { HomeportError } from '../errors';
import { createKubeService, type KubeService } from './kube-service';
import { fakePod, type FakeKubeServer, startFakeKubeServer } from './testing/fake-kube-server';
import { createView, gatewayFor, testTuning, waitFor } from './testing/harness';

let server: FakeKubeServer;
let service: KubeService;

beforeEach(async () => {
  server = await startFakeKubeServer();
  service = createKubeService({ openGateway: async () => gatewayFor(server.url), batchMs: 20, tuning: testTuning });
});
afterEach(async () => {
  service.close();
  await server.close();
});

const ref = { context: 'home', namespace: 'media', name: 'api-0' };

async function failure(promise: Promise<unknown>): Promise<HomeportError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HomeportError);
  return err as HomeportError;
}

describe('getPod', () => {
  it('returns conditions, containers, the pod’s own recent events, IP and labels', async () => {
    server.put(
      'pods',
      fakePod('media', 'api-0', {
        metadata: { name: 'api-0', namespace: 'media', uid: 'pod-uid', labels: { app: 'api' } },
        spec: {
          containers: [
            { name: 'api', image: 'api:1' },
            { name: 'sidecar', image: 'envoy:1' },
          ],
        },
        status: {
          phase: 'Running',
          podIP: '10.42.0.7',
          conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: 't1' }],
          containerStatuses: [
            { name: 'api', image: 'api:1', ready: true, restartCount: 1, state: { running: { startedAt: 't' } } },
            {
              name: 'sidecar',
              image: 'envoy:1',
              ready: false,
              restartCount: 4,
              state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m' } },
            },
          ],
        },
      }),
    );
    const event = (name: string, reason: string, last: string, extra: object = {}) => ({
      metadata: { name, namespace: 'media' },
      involvedObject: { kind: 'Pod', name: 'api-0', namespace: 'media', uid: 'pod-uid' },
      type: 'Warning',
      reason,
      message: `${reason} happened`,
      count: 2,
      lastTimestamp: last,
      ...extra,
    });
    server.put('events', event('e1', 'BackOff', '2025-01-01T00:02:00Z'));
    server.put('events', event('e2', 'Pulled', '2025-01-01T00:03:00Z'));
    server.put(
      'events',
      event('old', 'Killing', '2024-01-01T00:00:00Z', {
        involvedObject: { kind: 'Pod', name: 'api-0', namespace: 'media', uid: 'earlier-pod' },
      }),
    );
    server.put('events', {
      ...event('other', 'Other', 't'),
      involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'media' },
    });

    const detail = await service.getPod(ref);
    expect(detail.summary).toMatchObject({
      name: 'api-0',
      reason: 'CrashLoopBackOff',
      ready: 1,
      total: 2,
      restarts: 5,
    });
    expect(detail.conditions).toEqual([
      { type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: 't1' },
    ]);
    expect(detail.containers).toEqual([
      { name: 'api', image: 'api:1', ready: true, restarts: 1, state: 'running' },
      {
        name: 'sidecar',
        image: 'envoy:1',
        ready: false,
        restarts: 4,
        state: 'waiting',
        reason: 'CrashLoopBackOff',
        message: 'back-off 5m',
      },
    ]);
    expect(detail.events.map((e) => e.reason)).toEqual(['Pulled', 'BackOff']);
    expect(detail.podIP).toBe('10.42.0.7');
    expect(detail.labels).toEqual({ app: 'api' });
    const eventsReq = server.requests.find((r) => r.resource === 'events')!;
    expect(eventsReq.query.get('fieldSelector')).toBe(
      'involvedObject.name=api-0,involvedObject.namespace=media,involvedObject.kind=Pod',
    );
  });

  it('lists init containers with their state and folds repeated events into one line', async () => {
    server.put(
      'pods',
      fakePod('media', 'api-0', {
        metadata: { name: 'api-0', namespace: 'media', uid: 'pod-uid' },
        spec: {
          initContainers: [{ name: 'migrate', image: 'migrate:1' }],
          containers: [{ name: 'api', image: 'api:1' }],
        },
        status: {
          phase: 'Running',
          initContainerStatuses: [
            {
              name: 'migrate',
              image: 'migrate:1',
              ready: true,
              restartCount: 0,
              state: { terminated: { reason: 'Completed', exitCode: 0 } },
            },
          ],
        },
      }),
    );
    const backOff = (name: string, first: string, last: string, count: number) => ({
      metadata: { name, namespace: 'media' },
      involvedObject: { kind: 'Pod', name: 'api-0', namespace: 'media', uid: 'pod-uid' },
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      count,
      firstTimestamp: first,
      lastTimestamp: last,
    });
    server.put('events', backOff('b1', '2025-01-01T00:01:00Z', '2025-01-01T00:02:00Z', 3));
    server.put('events', backOff('b2', '2025-01-01T00:04:00Z', '2025-01-01T00:05:00Z', 2));

    const detail = await service.getPod(ref);
    expect(detail.initContainers).toEqual([
      { name: 'migrate', image: 'migrate:1', ready: true, restarts: 0, state: 'terminated', reason: 'Completed' },
    ]);
    expect(detail.events).toEqual([
      {
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed container',
        count: 5,
        firstSeen: '2025-01-01T00:01:00Z',
        lastSeen: '2025-01-01T00:05:00Z',
      },
    ]);
  });

  it('resolves a ReplicaSet owner to its Deployment', async () => {
    server.put('replicasets', {
      metadata: {
        name: 'api-6f7d',
        namespace: 'media',
        ownerReferences: [{ kind: 'Deployment', name: 'api', controller: true }],
      },
    });
    server.put(
      'pods',
      fakePod('media', 'api-0', {
        metadata: {
          name: 'api-0',
          namespace: 'media',
          ownerReferences: [{ kind: 'ReplicaSet', name: 'api-6f7d', controller: true }],
        },
      }),
    );
    expect((await service.getPod(ref)).summary.owner).toEqual({ kind: 'Deployment', name: 'api' });
  });

  it('says which pod is gone', async () => {
    const err = await failure(service.getPod(ref));
    expect(err.code).toBe('NOT_FOUND');
    expect(err).toMatchObject({ status: 404 });
  });

  it('says when access is forbidden', async () => {
    server.fail((r) => r.resource === 'pods', 403, 'pods "api-0" is forbidden: User "bob" cannot get resource "pods"');
    const err = await failure(service.getPod(ref));
    expect(err.code).toBe('FORBIDDEN');
    expect(err.message).toContain('cannot get resource');
  });
});

describe('deletePod and listNamespaces', () => {
  it('deletes a pod, and says NOT_FOUND for a missing one', async () => {
    server.put('pods', fakePod('media', 'api-0'));
    expect(await service.deletePod(ref)).toEqual({ deleted: true });
    expect(server.objects('pods')).toHaveLength(0);
    expect(server.requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/v1/namespaces/media/pods/api-0' });
    const err = await failure(service.deletePod(ref));
    expect(err.code).toBe('NOT_FOUND');
  });

  it('lists namespaces sorted', async () => {
    for (const name of ['media', 'default', 'kube-system']) server.put('namespaces', { metadata: { name } });
    expect(await service.listNamespaces({ context: 'home' })).toEqual({
      namespaces: ['default', 'kube-system', 'media'],
    });
  });
});

describe('live pods and leases', () => {
  it('lists and watches only the pods: no owner is looked up or sent for a live pod', async () => {
    server.put('replicasets', {
      metadata: {
        name: 'web-abc',
        namespace: 'm',
        ownerReferences: [{ kind: 'Deployment', name: 'web', controller: true }],
      },
    });
    const rsOwned = (name: string, rs: string) =>
      fakePod('m', name, {
        metadata: { name, namespace: 'm', ownerReferences: [{ kind: 'ReplicaSet', name: rs, controller: true }] },
      });
    for (let i = 0; i < 10; i++) server.put('pods', rsOwned(`web-${i}`, 'web-abc'));
    server.put('pods', rsOwned('bare', 'standalone-rs'));
    const view = createView<PodSummary>();
    const since = server.requests.length;
    service.subscribePods({ context: 'c', namespace: 'm' }, view.emit);
    await waitFor(() => view.items.size === 11 && view.status?.state === 'live', 'the pods');
    server.put('pods', rsOwned('web-10', 'web-abc'));
    await waitFor(() => view.items.has('m/web-10'), 'the new pod');
    // A ReplicaSet per Deployment read during every list, and every pod sent again once its
    // Deployment was known, cost a cluster's first list a fifth of its time; nothing showed it.
    expect(server.requests.slice(since).map((r) => r.resource)).toEqual(['pods', 'pods']);
    expect([...view.items.values()].filter((p) => p.owner !== undefined)).toEqual([]);
    // The details of one pod still name its Deployment.
    const detail = await service.getPod({ context: 'c', namespace: 'm', name: 'web-3' });
    expect(detail.summary.owner).toEqual({ kind: 'Deployment', name: 'web' });
    const bare = await service.getPod({ context: 'c', namespace: 'm', name: 'bare' });
    expect(bare.summary.owner).toEqual({ kind: 'ReplicaSet', name: 'standalone-rs' });
  });

  it('streams lease summaries', async () => {
    server.put('leases', {
      metadata: { name: 'kube-scheduler', namespace: 'kube-system' },
      spec: { holderIdentity: 'n1', leaseTransitions: 1 },
    });
    const view = createView<LeaseSummary>();
    service.subscribeLeases({ context: 'c' }, view.emit);
    await waitFor(() => view.items.size === 1 && view.status?.state === 'live', 'the lease');
    server.put('leases', {
      metadata: { name: 'kube-scheduler', namespace: 'kube-system' },
      spec: { holderIdentity: 'n2', leaseTransitions: 2 },
    });
    await waitFor(() => view.items.get('kube-system/kube-scheduler')?.holder === 'n2', 'the new holder');
    expect(view.items.get('kube-system/kube-scheduler')).toMatchObject({ controlPlane: true, transitions: 2 });
    expect(server.watchRequests('leases')[0]!.path).toBe('/apis/coordination.k8s.io/v1/leases');
  });
});

describe('pod logs', () => {
  function collect() {
    const chunks: LogChunk[] = [];
    const lines = () => chunks.flatMap((c) => (c.type === 'lines' ? c.lines : []));
    const end = () => chunks.find((c) => c.type === 'end');
    return { chunks, lines, end, emit: (c: LogChunk) => chunks.push(c) };
  }

  it('streams the tail, then followed lines, then ends', async () => {
    server.setLogs('media', 'api-0', ['one', 'two', '', 'three'], true);
    const log = collect();
    service.streamPodLogs({ ...ref, follow: true, tailLines: 3, container: 'api' }, log.emit);
    await waitFor(() => log.lines().length === 3, 'the tail');
    expect(log.lines()).toEqual(['two', '', 'three']);
    server.pushLog('media', 'api-0', 'four\nfi');
    server.pushLog('media', 'api-0', 've\n');
    await waitFor(() => log.lines().length === 5, 'followed lines');
    expect(log.lines().slice(3)).toEqual(['four', 'five']);
    server.endLogs('media', 'api-0');
    await waitFor(() => log.end() !== undefined, 'the end');
    expect(log.chunks.at(-1)).toEqual({ type: 'end', reason: 'The container stopped writing its log' });
    const req = server.requests.find((r) => r.path.endsWith('/log'))!;
    expect(Object.fromEntries(req.query)).toEqual({ container: 'api', follow: 'true', tailLines: '3' });
  });

  it('asks for the previous container’s log without following it, and says where it ended', async () => {
    server.setLogs('media', 'api-0', ['last words']);
    const log = collect();
    service.streamPodLogs({ ...ref, follow: true, previous: true, container: 'api' }, log.emit);
    await waitFor(() => log.end() !== undefined, 'the end');
    expect(log.lines()).toEqual(['last words']);
    expect(log.end()).toEqual({ type: 'end', reason: 'End of the previous container’s log' });
    const req = server.requests.find((r) => r.path.endsWith('/log'))!;
    expect(Object.fromEntries(req.query)).toEqual({ container: 'api', previous: 'true' });
  });

  it('ends a log of a missing pod with a reason naming it', async () => {
    const log = collect();
    service.streamPodLogs({ ...ref, follow: false }, log.emit);
    await waitFor(() => log.end() !== undefined, 'the end');
    expect(log.end()).toEqual({ type: 'end', reason: "Pod media/api-0 no longer exists in context 'home'" });
  });

  it('ends with the server’s explanation when the log cannot be read', async () => {
    server.setLogs('media', 'api-0', ['x']);
    server.fail(
      (r) => r.path.endsWith('/log'),
      400,
      'a container name must be specified for pod api-0, choose one of: [api sidecar]',
    );
    const log = collect();
    service.streamPodLogs({ ...ref, follow: false }, log.emit);
    await waitFor(() => log.end() !== undefined, 'the end');
    expect(log.end()).toEqual({
      type: 'end',
      reason:
        'Cannot read the log of Pod media/api-0: a container name must be specified for pod api-0, choose one of: [api sidecar]',
    });
  });

  it('stops emitting once unsubscribed and closes the stream', async () => {
    server.setLogs('media', 'api-0', ['a'], true);
    const log = collect();
    const stop = service.streamPodLogs({ ...ref, follow: true }, log.emit);
    await waitFor(() => log.lines().length === 1, 'the first line');
    stop();
    server.pushLog('media', 'api-0', 'b\n');
    await new Promise((r) => setTimeout(r, 60));
    expect(log.chunks).toEqual([{ type: 'lines', lines: ['a'] }]);
  });
});
