import { describe, expect, it } from 'vitest';
import { topics, type SubscriptionHandlers } from '@shared/contract';
import type { Notification, Overview } from '@shared/overview-schemas';
import { createSubscribe } from './dispatch';
import { createOverviewSubscriptions } from './overview-handlers';

const others = Object.fromEntries(
  Object.keys(topics).map((t) => [
    t,
    () => {
      throw new Error('not called in these tests');
    },
  ]),
) as unknown as SubscriptionHandlers;

const overview: Overview = {
  targets: [
    { kind: 'kubernetes', name: 'home', state: 'reachable', version: 'v1.31.0', stacks: [] },
    { kind: 'kubernetes', name: 'lab', state: 'unreachable', error: 'connect ECONNREFUSED 127.0.0.1:1', stacks: [] },
  ],
  problems: [],
  generatedAt: '2026-12-01T10:00:00.000Z',
};
const note: Notification = {
  id: '1',
  kind: 'pod-crashloop',
  title: 'Pod default/api is crash-looping',
  message: 'Its container keeps exiting.',
  where: "context 'home'",
  at: '2026-12-01T10:00:00.000Z',
  replay: false,
};

function setup() {
  const calls: string[] = [];
  const subscribe = createSubscribe({
    ...others,
    ...createOverviewSubscriptions({
      overview: {
        subscribe: (emit) => {
          calls.push('overview');
          emit(overview);
          return () => calls.push('overview stopped');
        },
        subscribeNotifications: (emit) => {
          calls.push('notifications');
          emit(note);
          return () => calls.push('notifications stopped');
        },
      },
    }),
  });
  return { subscribe, calls };
}

describe('overview:live and notifications:events', () => {
  it('refuse parameters they do not take before anything starts', () => {
    const { subscribe, calls } = setup();
    expect(subscribe('overview:live', { context: 'home' }, () => {})).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(subscribe('notifications:events', { all: true }, () => {})).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(calls).toEqual([]);
  });

  it('stream the monitor’s snapshots and notifications, and stop it when the client leaves', () => {
    const { subscribe, calls } = setup();
    const got: unknown[] = [];
    const a = subscribe('overview:live', {}, (e) => got.push(e));
    const b = subscribe('notifications:events', undefined, (e) => got.push(e));
    expect(a.ok && b.ok).toBe(true);
    expect(got).toEqual([overview, note]);
    if (a.ok) a.stop();
    if (b.ok) b.stop();
    expect(calls).toEqual(['overview', 'notifications', 'overview stopped', 'notifications stopped']);
  });

  it('what they send fits the contract', () => {
    expect(topics['overview:live'].event.parse(overview)).toEqual(overview);
    expect(topics['notifications:events'].event.parse(note)).toEqual(note);
  });
});
