import { describe, expect, it } from 'vitest';
import type { LeaseSummary, PodSummary } from '@shared/kube-schemas';
import type { NewNotification } from './center';
import { createNotificationCenter } from './center';
import { createTransitionDetector } from './detector';
import { createNotifier } from './notifier';

describe('transition detector', () => {
  it('stays silent on the first observation, even of a bad state, and on unchanged states', () => {
    const d = createTransitionDetector();
    expect(d.observe('a', true)).toBe(false);
    expect(d.observe('a', true)).toBe(false);
    expect(d.observe('b', false)).toBe(false);
    expect(d.observe('b', false)).toBe(false);
  });

  it('fires once on a real good-to-bad transition, not while it stays bad', () => {
    const d = createTransitionDetector();
    d.observe('a', false);
    expect(d.observe('a', true)).toBe(true);
    expect(d.observe('a', true)).toBe(false);
    expect(d.observe('a', false)).toBe(false);
  });

  it('a subject flapping within the quiet period is said once, and again after it', () => {
    let t = 0;
    const d = createTransitionDetector({ quietMs: 1000, now: () => t });
    d.observe('a', false);
    expect(d.observe('a', true)).toBe(true);
    t = 500;
    d.observe('a', false);
    expect(d.observe('a', true)).toBe(false);
    t = 1600;
    d.observe('a', false);
    expect(d.observe('a', true)).toBe(true);
  });

  it('a forgotten subject starts from a baseline again', () => {
    const d = createTransitionDetector();
    d.observe('pod\0home\0x', false);
    d.forget((k) => k.startsWith('pod\0home'));
    expect(d.size).toBe(0);
    expect(d.observe('pod\0home\0x', true)).toBe(false);
  });
});

const pod = (reason?: string, restarts = 0): PodSummary => ({
  uid: 'u1',
  name: 'api-1',
  namespace: 'media',
  phase: 'Running',
  ...(reason ? { reason } : {}),
  ready: 0,
  total: 1,
  restarts,
  createdAt: '2026-12-01T10:00:00Z',
  deleting: false,
});

function capture(now = () => Date.parse('2026-12-01T10:00:10Z')) {
  const sent: NewNotification[] = [];
  const notifier = createNotifier(
    { publish: (n) => (sent.push(n), { ...n, id: 'x', at: '', replay: false }) },
    { now },
  );
  // The caller keeps each pod's previous state, as the overview monitor does.
  let was: boolean | undefined;
  const seePod = (p: PodSummary) => {
    notifier.pod('home', p, was);
    was = p.reason === 'CrashLoopBackOff';
  };
  return { sent, notifier, seePod };
}

describe('notifier', () => {
  it('a pod entering CrashLoopBackOff is said once, with its place', () => {
    const { sent, seePod } = capture();
    seePod(pod());
    seePod(pod('CrashLoopBackOff', 1));
    seePod(pod('CrashLoopBackOff', 2));
    seePod(pod(undefined, 2));
    seePod(pod('CrashLoopBackOff', 3));
    expect(sent).toEqual([
      expect.objectContaining({
        kind: 'pod-crashloop',
        title: 'Pod media/api-1 is crash-looping',
        where: "context 'home'",
      }),
    ]);
  });

  it('a pod already crash-looping when first seen says nothing', () => {
    const { sent, seePod } = capture();
    seePod(pod('CrashLoopBackOff', 7));
    seePod(pod('CrashLoopBackOff', 8));
    expect(sent).toEqual([]);
  });

  it('a lease that loses its holder or stops being renewed is a lost leader', () => {
    const { sent, notifier } = capture();
    const lease = (holder: string | undefined, renewTime: string): LeaseSummary => ({
      namespace: 'media',
      name: 'jobs',
      ...(holder ? { holder } : {}),
      renewTime,
      durationSeconds: 15,
      transitions: 1,
      controlPlane: false,
    });
    notifier.lease('home', lease('api-1', '2026-12-01T10:00:05Z'));
    notifier.lease('home', lease('api-1', '2026-12-01T10:00:06Z'));
    expect(sent).toEqual([]);
    notifier.lease('home', lease(undefined, '2026-12-01T10:00:06Z'));
    expect(sent).toEqual([
      expect.objectContaining({ kind: 'leader-lost', message: expect.stringContaining('no holder') }),
    ]);
    // Expired by time: renewed long ago.
    notifier.lease('home', { ...lease('b', '2026-12-01T10:00:06Z'), name: 'other' });
    notifier.lease('home', { ...lease('b', '2026-12-01T09:00:00Z'), name: 'other' });
    expect(sent[1]).toMatchObject({ kind: 'leader-lost', title: 'Leader lost: Lease media/other' });
  });

  it('a stack turning failed is said; unknown readings change nothing', () => {
    const { sent, notifier } = capture();
    const where = { kind: 'kubernetes' as const, context: 'home' };
    const stack = (state: 'healthy' | 'failed' | 'unknown' | 'progressing') => ({
      stack: 'media',
      namespace: 'media',
      state,
      readyWorkloads: state === 'healthy' ? 3 : 2,
      workloads: 3,
      ...(state === 'failed' ? { message: 'api: CrashLoopBackOff' } : {}),
    });
    notifier.stack(where, stack('healthy'));
    notifier.stack(where, stack('unknown'));
    notifier.stack(where, stack('healthy'));
    expect(sent).toEqual([]);
    notifier.stack(where, stack('failed'));
    notifier.stack(where, stack('failed'));
    expect(sent).toEqual([
      {
        kind: 'stack-unhealthy',
        title: 'Stack media is unhealthy',
        message: '2 of 3 workloads ready: api: CrashLoopBackOff.',
        where: "namespace 'media' of context 'home'",
      },
    ]);
  });

  it('a swarm losing its leader is said once', () => {
    const { sent, notifier } = capture();
    notifier.swarmLeader('nas', true);
    notifier.swarmLeader('nas', false);
    notifier.swarmLeader('nas', false);
    expect(sent).toEqual([expect.objectContaining({ kind: 'leader-lost', where: "Docker endpoint 'nas'" })]);
  });
});

describe('notification center', () => {
  it('a new subscriber gets the recent ones as replays, then live ones; ids are unique', () => {
    const center = createNotificationCenter({ keep: 2 });
    const n = { kind: 'pod-crashloop' as const, title: 't', message: 'm', where: 'w' };
    center.publish(n);
    center.publish(n);
    center.publish(n);
    const got: { id: string; replay: boolean }[] = [];
    center.subscribe((x) => got.push(x));
    center.publish(n);
    expect(got.map((x) => x.replay)).toEqual([true, true, false]);
    expect(new Set(got.map((x) => x.id)).size).toBe(3);
  });
});
