/** How backup commands show progress, lists and plans in a terminal, and read a destination. */
import {
  type BackupDestinationSpec,
  type BackupProgress,
  type BackupSummary,
  type RestorePlan,
} from '@shared/backup-schemas';
import { parseDestination } from '../core/backup/destination-spec';
import { HomeportError } from '../core/errors';
import { UsageError } from './usage-error';

export const DESTINATION_HELP = 'nas:HOST/DIR_OR_EXPORT, s3:PROFILE/BUCKET[/PREFIX] or file:DIR';

/** --to as the user writes it (destination-spec.ts); the error names the option. */
export function parseDestinationText(text: string | undefined, cwd?: string): BackupDestinationSpec {
  if (!text) throw new UsageError(`--to: name where the backups are: ${DESTINATION_HELP}`);
  try {
    return parseDestination(text, cwd);
  } catch (err) {
    // A destination the text cannot name is a usage error; anything else is the failure it was.
    if (err instanceof HomeportError && err.code === 'INVALID_INPUT') throw new UsageError(`--to: ${err.message}`);
    if (err instanceof HomeportError) throw new HomeportError(err.code, `--to: ${err.message}`);
    throw err;
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** One line: what is being done, bytes so far and the rate. */
export function progressLine(p: BackupProgress): string {
  const what = [p.item, p.phase].filter(Boolean).join(' ');
  return `${p.kind} ${p.backup}: ${what}  ${formatBytes(p.bytes)}  ${formatBytes(p.bytesPerSecond)}/s`;
}

/** The end of an operation: one line per item, then how it ended. */
export function endLines(p: BackupProgress): string[] {
  const lines = p.items.map(
    (i) => `  ${i.state.padEnd(7)} ${i.name}  ${formatBytes(i.bytes)}${i.message ? `  ${i.message}` : ''}`,
  );
  const verdict =
    p.state === 'succeeded'
      ? `${p.kind} ${p.backup}: done`
      : `${p.kind} ${p.backup}: ${p.state}${p.message ? `: ${p.message}` : ''}`;
  return [...lines, verdict];
}

function age(iso: string | undefined, now: Date): string {
  if (!iso) return '—';
  const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 60_000));
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)}h`;
  return `${Math.round(minutes / 1440)}d`;
}

export function formatList(backups: BackupSummary[], now: Date): string {
  if (backups.length === 0) return 'No backups.';
  const header = ['ID', 'STACK', 'SIZE', 'AGE', 'DRILL'];
  const rows = backups.map((b) => [
    b.id,
    b.stack,
    b.manifest ? formatBytes(b.manifest.bytes) : 'incomplete',
    age(b.manifest?.startedAt, now),
    b.drill ? `${b.drill.result} ${age(b.drill.at, now)} ago` : b.complete ? 'never' : '—',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatRestorePlan(plan: RestorePlan): string[] {
  return [
    `Restore into ${plan.where}${plan.deployed ? ' (the stack is deployed there)' : ''}:`,
    ...plan.replaces.map((r) => `  replaces ${r}`),
    ...plan.skipped.map((s) => `  skips    ${s}`),
  ];
}
