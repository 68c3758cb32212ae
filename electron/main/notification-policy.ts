/** What a desktop notification says for a Homeport notification (no Electron here, so it is testable). */
import { notificationSchema } from '@shared/overview-schemas';

/**
 * The title and body of the desktop notification for one event of notifications:events, or
 * undefined for what is not shown: the recent list replayed to a new subscriber (already shown
 * once) and anything that does not fit the schema.
 */
export function desktopNotificationFor(event: unknown): { title: string; body: string } | undefined {
  const parsed = notificationSchema.safeParse(event);
  if (!parsed.success || parsed.data.replay) return undefined;
  const n = parsed.data;
  return { title: n.title, body: `${n.where[0]?.toUpperCase() ?? ''}${n.where.slice(1)}: ${n.message}` };
}
