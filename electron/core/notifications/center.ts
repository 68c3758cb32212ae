/**
 * Where notifications go out: every subscriber gets the recent ones first (marked as a replay, so
 * a window opened later lists them without popping them up), then each new one as it happens.
 */
import type { Notification, NotificationKind } from '@shared/overview-schemas';

export type NewNotification = { kind: NotificationKind; title: string; message: string; where: string };

export interface NotificationCenterOptions {
  /** How many recent notifications are kept for new subscribers (default 50). */
  keep?: number;
  now?: () => number;
}

export function createNotificationCenter(options: NotificationCenterOptions = {}) {
  const keep = options.keep ?? 50;
  const now = options.now ?? Date.now;
  const recent: Notification[] = [];
  const sinks = new Set<(n: Notification) => void>();
  let seq = 0;

  return {
    publish(n: NewNotification): Notification {
      seq += 1;
      const at = now();
      const sent: Notification = {
        ...n,
        id: `${at.toString(36)}-${seq}`,
        at: new Date(at).toISOString(),
        replay: false,
      };
      recent.push(sent);
      if (recent.length > keep) recent.splice(0, recent.length - keep);
      for (const sink of [...sinks]) {
        // One closed client must not keep the others from hearing it.
        try {
          sink(sent);
        } catch {
          sinks.delete(sink);
        }
      }
      return sent;
    },
    subscribe(emit: (n: Notification) => void): () => void {
      for (const n of recent) emit({ ...n, replay: true });
      sinks.add(emit);
      return () => {
        sinks.delete(emit);
      };
    },
    recent: (): Notification[] => [...recent],
  };
}

export type NotificationCenter = ReturnType<typeof createNotificationCenter>;
