import type { Notification } from '@shared/overview-schemas';

export interface NotificationList {
  /** Newest first, each id once. */
  items: Notification[];
  /** Fresh ones shown as toasts until dismissed or timed out. */
  toasts: Notification[];
  /** Fresh ones since the bell list was last opened. */
  unread: number;
}

export const emptyNotifications: NotificationList = { items: [], toasts: [], unread: 0 };
const KEEP = 50;
const MAX_TOASTS = 3;

/**
 * Adds events of notifications:events. A replay (the recent list a new subscription gets, also
 * after a reconnect) goes to the bell list only; a fresh one also pops up. An id seen before is
 * ignored, so a reconnect never shows anything twice.
 */
export function receiveNotifications(list: NotificationList, events: Notification[]): NotificationList {
  const known = new Set(list.items.map((n) => n.id));
  const fresh = events.filter((n) => {
    if (known.has(n.id)) return false;
    known.add(n.id);
    return true;
  });
  if (fresh.length === 0) return list;
  const popping = fresh.filter((n) => !n.replay);
  const items = [...fresh, ...list.items].sort((a, b) => b.at.localeCompare(a.at)).slice(0, KEEP);
  return {
    items,
    toasts: [...popping.reverse(), ...list.toasts].slice(0, MAX_TOASTS),
    unread: list.unread + popping.length,
  };
}

export function dismissToast(list: NotificationList, id: string): NotificationList {
  return { ...list, toasts: list.toasts.filter((n) => n.id !== id) };
}

export function markRead(list: NotificationList): NotificationList {
  return list.unread === 0 ? list : { ...list, unread: 0 };
}
