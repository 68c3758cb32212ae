/** How the Backups screen shows sizes, rates, ages and field errors. Pure, so it is tested alone. */
import type { z } from 'zod';

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 10 || i === 0 ? 0 : 1)} ${units[i]}`;
}

export const formatRate = (bytesPerSecond: number) => `${formatBytes(bytesPerSecond)}/s`;

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function formatAge(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (Number.isNaN(seconds)) return 'unknown';
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/**
 * A form's errors by field path ('dir', 'keepDaily'), from the contract's own schema: the first
 * message of each field, without the field name the contract's messages start with.
 */
export function fieldErrors(
  error: z.ZodError | undefined,
  prefix: readonly PropertyKey[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error?.issues ?? []) {
    if (!prefix.every((p, i) => issue.path[i] === p)) continue;
    const field = issue.path.slice(prefix.length).map(String).join('.');
    out[field] ??= issue.message.replace(new RegExp(`^${field}: `), '');
  }
  return out;
}
