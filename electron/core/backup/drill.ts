/**
 * The restore drill: proves a backup restores. Every part is checked against the manifest, the
 * stack is restored into a scratch copy beside the live one (another namespace of the same cluster,
 * another stack name on the same swarm, publishing nothing), the database's tables are counted and
 * checksummed and compared with what the backup recorded, the copy must become healthy, and it is
 * removed whatever happened. The verdict names the first difference.
 */
import { randomBytes } from 'node:crypto';
import type { DrillResult, TableStat } from '@shared/backup-schemas';
import { describeTarget, type Target } from '@shared/target-schemas';
import { errorMessage } from '../errors';
import type { BackupEngineDeps } from './deps';
import type { BackupDestination } from './destination';
import type { ProgressSink } from './operations';
import { tableStats } from './postgres';
import { loadBackup, restoreInto } from './restore';
import { requireWorkload } from './take-backup';

/** Where a drill of a backup taken at `target` runs its scratch copy. */
export function scratchPlace(target: Target, stack: string, suffix = randomBytes(2).toString('hex')) {
  return target.kind === 'kubernetes'
    ? { target: { ...target, namespace: `homeport-drill-${suffix}` } as Target, stack }
    : { target, stack: `${stack}-drill-${suffix}` };
}

/** The first difference between the tables a backup recorded and the restored ones. */
export function firstDifference(recorded: readonly TableStat[], restored: readonly TableStat[]): string | undefined {
  const byName = new Map(restored.map((t) => [`${t.schema}.${t.table}`, t]));
  for (const want of recorded) {
    const name = `${want.schema}.${want.table}`;
    const got = byName.get(name);
    if (!got) return `table ${name} is missing after the restore`;
    if (got.rows !== want.rows)
      return `table ${name}: ${got.rows} rows after the restore, the backup recorded ${want.rows}`;
    if (got.checksum !== want.checksum) {
      return `table ${name}: the contents differ from what the backup recorded (same ${want.rows} rows, checksum ${got.checksum} instead of ${want.checksum})`;
    }
  }
  return undefined;
}

export async function runDrill(
  deps: BackupEngineDeps,
  dest: BackupDestination,
  id: string,
  sink: ProgressSink,
  signal: AbortSignal,
): Promise<DrillResult> {
  const started = Date.now();
  const at = () => (deps.now ?? (() => new Date()))().toISOString();
  let scratch = 'not started';
  let tables = 0;
  let objects = 0;
  const verdict = (message?: string): DrillResult => ({
    result: message ? 'failed' : 'passed',
    at: at(),
    durationMs: Date.now() - started,
    scratch,
    tables,
    objects,
    ...(message ? { message } : {}),
  });
  let loaded;
  try {
    loaded = await loadBackup(deps, dest, id, sink, signal);
  } catch (err) {
    if (signal.aborted) throw err;
    return verdict(errorMessage(err));
  }
  const { manifest } = loaded;
  objects = manifest.items.reduce((n, i) => n + (i.objects?.length ?? 0), 0);
  const place = scratchPlace(manifest.target, manifest.stack);
  const stackTarget = deps.targets.open(place.target);
  scratch =
    place.target.kind === 'kubernetes' ? stackTarget.where : `stack ${place.stack} on ${describeTarget(place.target)}`;
  const declared = deps.stacks.backup(manifest.stack);
  try {
    await restoreInto(
      deps,
      dest,
      loaded,
      { ...place, valuesPatch: declared.scratchValues, objects: false },
      sink,
      signal,
    );
    for (const item of manifest.items.filter((i) => i.kind === 'database')) {
      const component = item.name.replace(/^database\//, '');
      const db = declared.databases.find((d) => d.component === component);
      if (!db) continue;
      sink.phase('comparing tables', item.name);
      const workload = await requireWorkload(deps, place.target, place.stack, component);
      const restored = await tableStats({ run: deps.runInWorkload, target: place.target, workload, db, signal });
      tables += item.tables?.length ?? 0;
      const diff = firstDifference(item.tables ?? [], restored);
      if (diff) return verdict(`${item.name}: ${diff}`);
    }
    return verdict();
  } catch (err) {
    if (signal.aborted) throw err;
    return verdict(errorMessage(err));
  } finally {
    sink.phase('removing the scratch copy');
    await stackTarget.uninstall({ stack: place.stack, deleteData: true }).catch(() => undefined);
    if (place.target.kind === 'kubernetes') {
      await deps.deleteNamespace(place.target.context, place.target.namespace).catch(() => undefined);
    }
  }
}
