import { useEffect, useState } from 'react';
import { formatAge } from '@shared/leases';
import type { Notification } from '@shared/overview-schemas';
import { useSubscription } from '../../lib/use-subscription';
import { useNow } from '../../lib/use-live-collection';
import { dismissToast, emptyNotifications, markRead, receiveNotifications } from './notification-list';
import './overview.css';

const TOAST_MS = 10_000;
const kindLabels: Record<Notification['kind'], string> = {
  'stack-unhealthy': 'Stack',
  'pod-crashloop': 'Pod',
  'leader-lost': 'Leader',
};

/**
 * Notifications in the window: a bell with the unread count and the recent list, and toasts for
 * new ones. Listening keeps Homeport watching the clusters while the window is open.
 */
export function NotificationArea() {
  const [list, setList] = useState(emptyNotifications);
  const [open, setOpen] = useState(false);
  const now = useNow(10_000);
  useSubscription('notifications:events', {}, (events) => setList((l) => receiveNotifications(l, events)));
  const oldest = list.toasts[list.toasts.length - 1];
  useEffect(() => {
    if (!oldest) return;
    const timer = setTimeout(() => setList((l) => dismissToast(l, oldest.id)), TOAST_MS);
    return () => clearTimeout(timer);
  }, [oldest]);

  const toggle = () => {
    setOpen((o) => !o);
    setList(markRead);
  };
  return (
    <>
      <button
        type="button"
        className="notif-bell"
        aria-expanded={open}
        aria-controls="notif-panel"
        onClick={toggle}
        data-testid="notifications-bell"
      >
        <svg className="notif-icon" viewBox="0 0 24 24" aria-hidden="true">
          <path d="M12 3a6 6 0 0 0-6 6v3.6L4.3 15.3A1 1 0 0 0 5.1 17h13.8a1 1 0 0 0 .8-1.7L18 12.6V9a6 6 0 0 0-6-6Zm-2.2 15.5a2.3 2.3 0 0 0 4.4 0Z" />
        </svg>
        Notifications
        {list.unread > 0 ? (
          <span className="notif-count" aria-label={`${list.unread} unread`} data-testid="notifications-unread">
            {list.unread}
          </span>
        ) : null}
      </button>
      {open ? (
        <div id="notif-panel" className="notif-panel" role="dialog" aria-label="Notifications">
          <header>
            <span className="strong">Notifications</span>
            <button
              type="button"
              className="notif-close"
              onClick={() => setOpen(false)}
              aria-label="Close notifications"
            >
              ✕
            </button>
          </header>
          {list.items.length === 0 ? (
            <p className="muted small">
              Nothing yet. Homeport tells you here when a stack turns unhealthy, a pod crash-loops or a leader is lost.
            </p>
          ) : (
            <ul data-testid="notifications-list">
              {list.items.map((n) => (
                <li key={n.id} className={`notif-item notif-${n.kind}`}>
                  <div className="strong">{n.title}</div>
                  <div className="small">{n.message}</div>
                  <div className="muted small">
                    {kindLabels[n.kind]} · {n.where} · {formatAge(n.at, now)} ago
                  </div>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
      <div className="notif-toasts" role="status" aria-live="polite" data-testid="notification-toasts">
        {list.toasts.map((n) => (
          <div key={n.id} className={`notif-toast notif-${n.kind}`} data-testid="notification-toast">
            <div className="notif-toast-text">
              <div className="strong">{n.title}</div>
              <div className="small">{n.message}</div>
              <div className="muted small">{n.where}</div>
            </div>
            <button
              type="button"
              className="notif-close"
              aria-label={`Dismiss: ${n.title}`}
              onClick={() => setList((l) => dismissToast(l, n.id))}
            >
              ✕
            </button>
          </div>
        ))}
      </div>
    </>
  );
}
