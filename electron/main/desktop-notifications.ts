import { BrowserWindow, Notification } from 'electron';
import type { Subscribe } from '../api/dispatch';
import { desktopNotificationFor } from './notification-policy';

/**
 * While Homeport runs, each new notification (stack unhealthy, pod crash-looping, leader lost) is
 * also a desktop notification; clicking it brings the window forward. Listening keeps the
 * clusters watched even when no window shows the overview.
 */
export function showDesktopNotifications(subscribe: Subscribe, log: (msg: string) => void): () => void {
  if (!Notification.isSupported()) return () => {};
  const started = subscribe('notifications:events', {}, (event) => {
    const shown = desktopNotificationFor(event);
    if (!shown) return;
    const n = new Notification(shown);
    n.on('click', () => {
      const win = BrowserWindow.getAllWindows()[0];
      if (!win) return;
      if (win.isMinimized()) win.restore();
      win.focus();
    });
    n.show();
  });
  if (!started.ok) {
    log(`Desktop notifications: ${started.error.message}`);
    return () => {};
  }
  return started.stop;
}
