import { describe, expect, it } from 'vitest';
import { desktopNotificationFor } from './notification-policy';

const note = {
  id: '1',
  kind: 'leader-lost',
  title: 'Leader lost: Lease media/jobs',
  message: 'The Lease has no holder: no instance is leading.',
  where: "context 'home'",
  at: '2026-12-01T10:00:00.000Z',
  replay: false,
};

describe('desktop notifications', () => {
  it('a fresh notification is shown with where it happened', () => {
    expect(desktopNotificationFor(note)).toEqual({
      title: 'Leader lost: Lease media/jobs',
      body: "Context 'home': The Lease has no holder: no instance is leading.",
    });
  });

  it('the replayed recent list and malformed events are not shown again', () => {
    expect(desktopNotificationFor({ ...note, replay: true })).toBeUndefined();
    expect(desktopNotificationFor({ title: 'x' })).toBeUndefined();
  });
});
