import { describe, expect, it } from 'vitest';
import type { Notification } from '@shared/overview-schemas';
import { dismissToast, emptyNotifications, markRead, receiveNotifications } from './notification-list';

const note = (id: string, at: string, replay = false): Notification => ({
  id,
  kind: 'pod-crashloop',
  title: `Pod default/${id} is crash-looping`,
  message: 'm',
  where: "context 'home'",
  at,
  replay,
});

describe('in-app notification list', () => {
  it('replays go to the bell list only; fresh ones pop up and count as unread', () => {
    let list = receiveNotifications(emptyNotifications, [note('a', '2026-12-01T10:00:00Z', true)]);
    expect(list).toMatchObject({ items: [{ id: 'a' }], toasts: [], unread: 0 });
    list = receiveNotifications(list, [note('b', '2026-12-01T10:01:00Z'), note('c', '2026-12-01T10:02:00Z')]);
    expect(list.items.map((n) => n.id)).toEqual(['c', 'b', 'a']);
    expect(list.toasts.map((n) => n.id)).toEqual(['c', 'b']);
    expect(list.unread).toBe(2);
    expect(markRead(list).unread).toBe(0);
    expect(dismissToast(list, 'c').toasts.map((n) => n.id)).toEqual(['b']);
  });

  it('an id seen before (a replay after reconnecting) is not shown again', () => {
    const once = receiveNotifications(emptyNotifications, [note('a', '2026-12-01T10:00:00Z')]);
    const again = receiveNotifications(once, [note('a', '2026-12-01T10:00:00Z', true)]);
    expect(again).toBe(once);
  });
});
