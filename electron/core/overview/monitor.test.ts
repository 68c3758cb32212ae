import { describe, expect, it, vi } from 'vitest';
import type { LeaseDelta, PodDelta, PodSummary } from '@shared/kube-schemas';
import type { Notification, Overview } from '@shared/overview-schemas';
import { createOverviewMonitor, type OverviewSources } from './monitor';
import type { KubeFigures } from './probes';

const figures: KubeFigures = {
  version: 'v1.31.0',
  nodes: { ready: 2, total: 3 },
  warnings: 4,
  stacks: [{ stack: 'media', namespace: 'media', state: 'healthy', readyWorkloads: 3, workloads: 3 }],
};

const pod = (name: string, over: Partial<PodSummary> = {}): PodSummary => ({
  uid: name,
  name,
  namespace: 'default',
  phase: 'Running',
  ready: 1,
  total: 1,
  restarts: 0,
  createdAt: '2026-12-01T10:00:00Z',
  deleting: false,
  ...over,
});

function fakeSources(over: Partial<OverviewSources> = {}) {
  const podSinks = new Map<string, (d: PodDelta) => void>();
  const stopped: string[] = [];
  const sources: OverviewSources = {
    contexts: async () => [
      { name: 'dead', simulated: false },
      { name: 'home', simulated: true },
    ],
    endpoints: async () => [],
    // 'dead' never answers at all: no error, no reply.
    probeContext: (context) => (context === 'dead' ? new Promise<never>(() => {}) : Promise.resolve(figures)),
    probeEndpoint: () => Promise.reject(new Error('not used')),
    watchPods: (context, emit) => {
      podSinks.set(context, emit);
      return () => stopped.push(`pods ${context}`);
    },
    watchLeases: (context, _emit: (d: LeaseDelta) => void) => () => stopped.push(`leases ${context}`),
    ...over,
  };
  return { sources, podSinks, stopped };
}

/** Resolves with the first snapshot that satisfies `test`. */
function until(monitor: ReturnType<typeof createOverviewMonitor>, test: (o: Overview) => boolean) {
  return new Promise<{ overview: Overview; stop: () => void }>((resolve) => {
    let stop = () => {};
    stop = monitor.subscribe((o) => {
      if (test(o)) resolve({ overview: o, stop });
    });
  });
}

describe('overview monitor', () => {
  it("a target that never answers does not delay the others' figures and is unreachable after its own limit", async () => {
    const { sources } = fakeSources();
    const monitor = createOverviewMonitor(sources, { timeoutMs: 300, batchMs: 5 });
    const started = Date.now();
    const first = await until(monitor, (o) => o.targets.find((t) => t.name === 'home')?.state === 'reachable');
    expect(Date.now() - started).toBeLessThan(250);
    expect(first.overview.targets.find((t) => t.name === 'dead')).toMatchObject({ state: 'checking' });
    expect(first.overview.targets.find((t) => t.name === 'home')).toMatchObject({
      kind: 'kubernetes',
      simulated: true,
      version: 'v1.31.0',
      nodes: { ready: 2, total: 3 },
      warnings: 4,
      stacks: figures.stacks,
    });
    const dead = await until(monitor, (o) => o.targets.find((t) => t.name === 'dead')?.state === 'unreachable');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(1500);
    expect(dead.overview.targets.find((t) => t.name === 'dead')).toMatchObject({
      error: 'no answer within 0.3 s',
      stacks: [],
    });
    // The reachable one kept its figures.
    expect(dead.overview.targets.find((t) => t.name === 'home')?.version).toBe('v1.31.0');
    dead.stop();
    first.stop();
  });

  it('an error is shown in one line, and pods not ready come from the shared watch', async () => {
    const { sources, podSinks } = fakeSources({
      probeContext: (context) =>
        context === 'dead'
          ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1\n    at TCPConnectWrap'))
          : Promise.resolve(figures),
    });
    const monitor = createOverviewMonitor(sources, { timeoutMs: 1000, batchMs: 5 });
    const ready = until(monitor, (o) => o.targets.every((t) => t.state !== 'checking'));
    const { overview, stop } = await ready;
    expect(overview.targets.find((t) => t.name === 'dead')?.error).toBe('connect ECONNREFUSED 127.0.0.1:1');
    podSinks.get('home')?.({
      type: 'reset',
      items: [
        pod('a'),
        pod('b', { ready: 0, reason: 'CrashLoopBackOff' }),
        pod('c', { phase: 'Pending', ready: 0 }),
        pod('done', { phase: 'Succeeded', ready: 0 }),
      ],
    });
    podSinks.get('home')?.({ type: 'status', status: { state: 'live' } });
    const counted = await until(monitor, (o) => o.targets.find((t) => t.name === 'home')?.pods?.live === true);
    expect(counted.overview.targets.find((t) => t.name === 'home')?.pods).toEqual({ ready: 1, total: 3, live: true });
    counted.stop();
    stop();
  });

  it('a pod turning CrashLoopBackOff on the watch reaches notification subscribers once', async () => {
    const { sources, podSinks, stopped } = fakeSources();
    const monitor = createOverviewMonitor(sources, { timeoutMs: 1000, batchMs: 5 });
    const got: Notification[] = [];
    const stop = monitor.subscribeNotifications((n) => got.push(n));
    await vi.waitFor(() => expect(podSinks.get('home')).toBeDefined());
    const sink = podSinks.get('home');
    sink?.({ type: 'reset', items: [pod('api', { ready: 0, phase: 'Pending' })] });
    sink?.({ type: 'upsert', items: [pod('api', { ready: 0, reason: 'CrashLoopBackOff', restarts: 1 })] });
    sink?.({ type: 'upsert', items: [pod('api', { ready: 0, reason: 'CrashLoopBackOff', restarts: 2 })] });
    expect(got).toEqual([expect.objectContaining({ kind: 'pod-crashloop', where: "context 'home'", replay: false })]);
    // A window opened later lists it without popping it up again.
    const later: Notification[] = [];
    monitor.subscribeNotifications((n) => later.push(n))();
    expect(later).toEqual([expect.objectContaining({ id: got[0]?.id, replay: true })]);
    stop();
    // The last listener gone: the shared watches are released.
    expect(stopped).toEqual(expect.arrayContaining(['pods home', 'leases home', 'pods dead', 'leases dead']));
    expect(monitor.watching).toBe(0);
  });

  it("a relist keeps each pod's previous state; a deleted pod starts over as first seen", async () => {
    const { sources, podSinks } = fakeSources({ contexts: async () => [{ name: 'home', simulated: false }] });
    const monitor = createOverviewMonitor(sources, { timeoutMs: 1000, batchMs: 5, quietMs: 0 });
    const got: Notification[] = [];
    const stop = monitor.subscribeNotifications((n) => got.push(n));
    await vi.waitFor(() => expect(podSinks.get('home')).toBeDefined());
    const sink = podSinks.get('home');
    const looping = (name: string) => pod(name, { ready: 0, reason: 'CrashLoopBackOff' });
    sink?.({ type: 'reset', items: [looping('old'), pod('turns'), pod('gone')] });
    // The relist: 'old' was already looping (nothing to say), 'turns' turned (said once).
    sink?.({ type: 'reset', items: [looping('old'), looping('turns')] });
    expect(got.map((n) => n.title)).toEqual(['Pod default/turns is crash-looping']);
    // 'gone' was dropped by the relist: back crash-looping, it is first seen, a baseline.
    sink?.({ type: 'upsert', items: [looping('gone')] });
    // Deleted and created again: a baseline too, even though it was fine before.
    sink?.({ type: 'upsert', items: [pod('again')] });
    sink?.({ type: 'delete', keys: ['default/again'] });
    sink?.({ type: 'upsert', items: [looping('again')] });
    expect(got).toHaveLength(1);
    stop();
  });

  it('counts follow upserts and deletes whatever the crash-loop state of a finished pod', async () => {
    const { sources, podSinks } = fakeSources({ contexts: async () => [{ name: 'home', simulated: false }] });
    const monitor = createOverviewMonitor(sources, { timeoutMs: 1000, batchMs: 5 });
    let last: Overview | undefined;
    const stop = monitor.subscribe((o) => (last = o));
    const home = () => last?.targets.find((t) => t.name === 'home')?.pods;
    await vi.waitFor(() => expect(podSinks.get('home')).toBeDefined());
    const sink = podSinks.get('home');
    sink?.({ type: 'reset', items: [pod('a'), pod('b')] });
    sink?.({ type: 'status', status: { state: 'live' } });
    await vi.waitFor(() => expect(home()).toEqual({ ready: 2, total: 2, live: true }));
    // A finished pod whose last reason was a crash loop counts for nothing, on its way in and out.
    sink?.({ type: 'upsert', items: [pod('a', { phase: 'Failed', ready: 0, reason: 'CrashLoopBackOff' })] });
    await vi.waitFor(() => expect(home()).toEqual({ ready: 1, total: 1, live: true }));
    sink?.({ type: 'upsert', items: [pod('c', { ready: 0, reason: 'CrashLoopBackOff' })] });
    await vi.waitFor(() => expect(home()).toEqual({ ready: 1, total: 2, live: true }));
    sink?.({ type: 'delete', keys: ['default/a', 'default/b', 'default/c'] });
    await vi.waitFor(() => expect(home()).toEqual({ ready: 0, total: 0, live: true }));
    stop();
  });

  it('with only notifications listening, pod changes are kept but no overview is counted until one is asked for', async () => {
    const { sources, podSinks } = fakeSources({ contexts: async () => [{ name: 'home', simulated: false }] });
    // Every overview snapshot is stamped with now(); healthy pods ask nothing of the clock.
    const now = vi.fn(() => Date.now());
    const monitor = createOverviewMonitor(sources, { timeoutMs: 1000, batchMs: 1, now });
    const stop = monitor.subscribeNotifications(() => {});
    await vi.waitFor(() => expect(podSinks.get('home')).toBeDefined());
    const sink = podSinks.get('home');
    sink?.({ type: 'reset', items: [pod('a')] });
    sink?.({ type: 'status', status: { state: 'live' } });
    await new Promise((r) => setTimeout(r, 20));
    const calls = now.mock.calls.length;
    for (let i = 0; i < 20; i++) {
      sink?.({ type: 'upsert', items: [pod(`p${i}`)] });
      await new Promise((r) => setTimeout(r, 3));
    }
    expect(now.mock.calls.length).toBe(calls);
    // The Overview opened later counts every pod the watch brought meanwhile.
    const { overview, stop: close } = await until(monitor, () => true);
    expect(overview.targets.find((t) => t.name === 'home')?.pods).toEqual({ ready: 21, total: 21, live: true });
    close();
    stop();
  });

  it('a stack that turns failed between two checks is notified', async () => {
    let state: 'healthy' | 'failed' = 'healthy';
    const { sources } = fakeSources({
      contexts: async () => [{ name: 'home', simulated: false }],
      probeContext: async () => ({
        ...figures,
        stacks: [{ stack: 'media', namespace: 'media', state, readyWorkloads: 2, workloads: 3 }],
      }),
    });
    const monitor = createOverviewMonitor(sources, { timeoutMs: 1000, batchMs: 5, intervalMs: 20 });
    const got: Notification[] = [];
    const stop = monitor.subscribeNotifications((n) => got.push(n));
    await new Promise((r) => setTimeout(r, 60));
    expect(got).toEqual([]);
    state = 'failed';
    await vi.waitFor(() => expect(got).toHaveLength(1));
    expect(got[0]).toMatchObject({ kind: 'stack-unhealthy', title: 'Stack media is unhealthy' });
    await new Promise((r) => setTimeout(r, 60));
    expect(got).toHaveLength(1);
    stop();
  });

  it('the lists of targets failing is a problem, not a crash', async () => {
    const { sources } = fakeSources({
      contexts: () => Promise.reject(new Error('kubeconfig /x: bad YAML')),
      endpoints: async () => [],
    });
    const monitor = createOverviewMonitor(sources, { timeoutMs: 1000, batchMs: 5 });
    const { overview, stop } = await until(monitor, () => true);
    expect(overview).toMatchObject({
      targets: [],
      problems: ['The kubeconfig contexts could not be read: kubeconfig /x: bad YAML'],
    });
    stop();
  });
});
