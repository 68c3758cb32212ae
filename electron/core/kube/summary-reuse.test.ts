import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from './kube-stream';
import { createInterner, type PodObject, summarizePod } from './pod-summary';
import { fakePod, type FakeKubeServer, startFakeKubeServer } from './testing/fake-kube-server';
import { gatewayFor, testTuning, waitFor } from './testing/harness';
import { createWatchHub } from './watch-hub';

const pod = (over: Partial<PodObject> = {}): PodObject => ({
  metadata: {
    name: 'api-0',
    namespace: 'media',
    uid: 'u1',
    creationTimestamp: '2025-01-01T00:00:00Z',
    ownerReferences: [{ kind: 'StatefulSet', name: 'api', controller: true }],
  },
  spec: { nodeName: 'n1', containers: [{ name: 'a' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'a', ready: true, state: { running: {} } }] },
  ...over,
});

describe('summaries that reuse what they held before', () => {
  it('are equal to summaries made from scratch', () => {
    const intern = createInterner();
    const before = summarizePod(pod(), { intern });
    const crashing = pod({
      status: {
        phase: 'Running',
        containerStatuses: [{ name: 'a', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      },
    });
    expect(summarizePod(crashing, { intern, previous: before })).toEqual(summarizePod(crashing));
    const moved = pod({ spec: { nodeName: 'n2', containers: [{ name: 'a' }] } });
    expect(summarizePod(moved, { intern, previous: before })).toEqual(summarizePod(moved));
    const noOwner = pod({ metadata: { name: 'api-0', namespace: 'media', uid: 'u1' } });
    expect(summarizePod(noOwner, { intern, previous: before })).toEqual(summarizePod(noOwner));
  });

  it('pool the strings many pods repeat, not the ones each pod has alone', () => {
    const asked: string[] = [];
    const intern = (text: string) => (asked.push(text), text);
    summarizePod(
      pod({
        status: {
          phase: 'Pending',
          containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ErrImagePull' } } }],
        },
      }),
      { intern },
    );
    expect(asked.sort()).toEqual(['ErrImagePull', 'Pending', 'media', 'n1']);
  });

  it('keep answering past the pool limit', () => {
    const intern = createInterner(3);
    const words = ['a', 'b', 'c', 'd', 'e', 'a', 'b'];
    expect(words.map((w) => intern(w))).toEqual(words);
  });
});

describe('a watch hands each summary what it held for that object', () => {
  let server: FakeKubeServer;
  beforeEach(async () => {
    server = await startFakeKubeServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('on changes and on a relist, and nothing for an object it did not hold', async () => {
    const seen: { name: string; previous: string | undefined }[] = [];
    const hub = createWatchHub({ openGateway: async () => gatewayFor(server.url), tuning: testTuning });
    server.put('pods', fakePod('m', 'a'));
    const spec = () => ({
      path: '/api/v1/pods',
      what: 'pods',
      summarize: (obj: KubeObject, previous: string | undefined) => {
        const restarts = JSON.stringify((obj as PodObject).status?.containerStatuses?.[0]?.restartCount ?? 0);
        seen.push({ name: obj.metadata?.name ?? '', previous });
        return `${obj.metadata?.name}:${restarts}`;
      },
    });
    const stop = hub.subscribe({ context: 'c', resource: 'pods' }, spec, () => undefined);
    try {
      await waitFor(() => server.watchRequests('pods').length === 1, 'the watch');
      server.put(
        'pods',
        fakePod('m', 'a', {
          status: { phase: 'Running', containerStatuses: [{ name: 'c', restartCount: 1, state: { running: {} } }] },
        }),
      );
      server.put('pods', fakePod('m', 'b'));
      await waitFor(() => seen.length === 3, 'both events');
      expect(seen).toEqual([
        { name: 'a', previous: undefined },
        { name: 'a', previous: 'a:0' },
        { name: 'b', previous: undefined },
      ]);
      // A relist (the resource version expired) summarizes against what was held.
      server.goneOpenWatches();
      await waitFor(() => seen.length === 5, 'the relist');
      expect(seen.slice(3)).toEqual([
        { name: 'a', previous: 'a:1' },
        { name: 'b', previous: 'b:0' },
      ]);
    } finally {
      stop();
      hub.close();
    }
  });
});
