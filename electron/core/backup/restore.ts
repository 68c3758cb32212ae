/**
 * Restoring a backup: every part is read once and checked against the manifest before anything at
 * the target changes; then the stack is deployed from the backed-up values with its generated
 * secrets (when the key opens them), the database waits to accept connections, pg_restore runs in
 * its container fed straight from the destination, the bucket's objects are copied back, and the
 * stack must become healthy. Restoring over a deployed stack removes it and its data first, and only
 * when the caller confirmed (`replace`) after seeing the plan.
 */
import { createGunzip } from 'node:zlib';
import type { BackupManifest, RestorePlan } from '@shared/backup-schemas';
import type { Target } from '@shared/target-schemas';
import { HomeportError } from '../errors';
import type { ProvidedSecrets } from '../stacks/model';
import type { PostgresBackup } from '../stacks/backup-declaration';
import { deepMerge } from '../targets/stack-deployments';
import type { StackTarget } from '../targets/target';
import { decryptSecrets } from './crypto';
import type { BackupEngineDeps } from './deps';
import type { BackupDestination } from './destination';
import type { ProgressSink } from './operations';
import { restoreDatabase } from './postgres';
import { readAll, readChecked, readManifest, verifyFiles } from './store';
import { requireWorkload, type BackupState } from './take-backup';

export interface LoadedBackup {
  manifest: BackupManifest;
  state: BackupState;
  /** The generated secrets, when the backup has them and the key opens them. */
  restored?: ProvidedSecrets;
  /** What will not be restored, and why. */
  skipped: string[];
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled'));
      },
      { once: true },
    );
  });

/** Reads the manifest and (unless `check` is off) checks every part; reads the state and opens the secrets. */
export async function loadBackup(
  deps: BackupEngineDeps,
  dest: BackupDestination,
  id: string,
  sink?: ProgressSink,
  signal?: AbortSignal,
  check = true,
): Promise<LoadedBackup> {
  const manifest = await readManifest(dest, id);
  if (check) {
    sink?.phase('checking');
    await verifyFiles(
      dest,
      id,
      manifest.items.flatMap((i) => i.files),
      (f) => sink?.phase('checking', f.path),
      signal,
    );
  }
  const stateItem = manifest.items.find((i) => i.kind === 'state');
  const stateFile = stateItem?.files[0];
  if (!stateFile) throw new HomeportError('INVALID_INPUT', `Backup ${id} holds no stack state`);
  const state = JSON.parse(
    (await readAll((await readChecked(dest, id, stateFile, signal)).pipe(createGunzip()))).toString('utf8'),
  ) as BackupState;
  const skipped: string[] = [];
  let restored: ProvidedSecrets | undefined;
  const secretsFile = manifest.items.find((i) => i.kind === 'secrets')?.files[0];
  if (!secretsFile) {
    skipped.push('secrets: this backup holds none (no passphrase was set when it was taken); new ones are generated');
  } else {
    const material = await deps.keys.material();
    if (!material) {
      skipped.push(
        'secrets: no backup passphrase or key file is set, so they cannot be opened; new ones are generated',
      );
    } else {
      const sealed = await readAll(await readChecked(dest, id, secretsFile, signal));
      restored = JSON.parse(
        (await decryptSecrets(sealed, material, `The secrets of backup ${id}`)).toString('utf8'),
      ) as ProvidedSecrets;
    }
  }
  return { manifest, state, restored, skipped };
}

export async function isDeployed(target: StackTarget, stack: string): Promise<boolean> {
  return (await target.revisions(stack)).some((r) => r.current);
}

export async function planRestore(
  deps: BackupEngineDeps,
  dest: BackupDestination,
  id: string,
  target: Target,
): Promise<RestorePlan> {
  const loaded = await loadBackup(deps, dest, id, undefined, undefined, false);
  const stackTarget = deps.targets.open(target);
  const deployed = await isDeployed(stackTarget, loaded.manifest.stack);
  const replaces: string[] = [];
  if (deployed) {
    replaces.push(
      `stack ${loaded.manifest.stack} at ${stackTarget.where}: removed with its volumes and data, then deployed from revision ${loaded.manifest.revision} of the backup`,
    );
  }
  for (const item of loaded.manifest.items) {
    if (item.kind === 'database' && deployed)
      replaces.push(`${item.name}: ${item.tables?.length ?? 0} tables restored with pg_restore`);
    if (item.kind === 'bucket' && item.bucket) {
      replaces.push(
        `bucket ${item.bucket.bucket} of S3 profile '${item.bucket.profile}': ${item.objects?.length ?? 0} objects written back (same keys overwritten)`,
      );
    }
  }
  return { where: stackTarget.where, deployed, replaces, skipped: loaded.skipped };
}

/** Waits until the database in its container accepts connections (pg_isready exits 0). */
export async function waitForDatabase(
  deps: BackupEngineDeps,
  target: Target,
  stack: string,
  db: PostgresBackup,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + (deps.databaseTimeoutMs ?? 5 * 60_000);
  let last = '';
  while (Date.now() < deadline) {
    const found = await deps.workloadOf(target, stack, db.component).catch((e: unknown) => String(e));
    if (typeof found !== 'string') {
      const s = deps.runInWorkload(target, {
        workload: found,
        // Over TCP to the container's loopback, not the socket: while the image initializes a new
        // database it runs a temporary server on the socket only (listen_addresses='',
        // docker-library/postgres@6edb0a8c 18/alpine3.23/docker-entrypoint.sh:285-301), then shuts it
        // down; the socket answering then is no sign the real server is up.
        command: ['pg_isready', '-h', '127.0.0.1', '-U', db.user, '-d', db.database],
        signal,
      });
      s.stdout.resume();
      s.stderr.resume();
      const r = await s.result;
      if (r.kind === 'exited' && r.code === 0) return;
      last = r.kind === 'failed' ? r.message : `pg_isready exited ${r.code}`;
    } else last = found;
    await sleep(deps.pollMs ?? 2000, signal);
  }
  throw new HomeportError(
    'UNAVAILABLE',
    `The database ${db.component} of ${stack} did not accept connections in time (${last})`,
  );
}

/** Waits until the stack's rollout is healthy; at the deadline, says what kept it from being so. */
export async function waitHealthy(
  deps: BackupEngineDeps,
  target: StackTarget,
  stack: string,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + (deps.healthTimeoutMs ?? 5 * 60_000);
  let last = 'no status yet';
  while (Date.now() < deadline) {
    const status = await target.rolloutStatus(stack);
    if (status.state === 'healthy') return;
    // A workload restarting while the data comes back (a crash loop) may still settle: the
    // reason is kept and reported only if it never becomes healthy.
    last =
      status.state === 'failed' && status.failed
        ? `${status.failed.component}: ${status.failed.reason}`
        : status.workloads.map((w) => `${w.name} ${w.ready}/${w.desired}`).join(', ') || status.error || last;
    await sleep(deps.pollMs ?? 2000, signal);
  }
  throw new HomeportError('UNAVAILABLE', `${stack} at ${target.where} did not become healthy in time (${last})`);
}

export interface CopyPlace {
  target: Target;
  /** The stack's name at the target (a drill's scratch name on Swarm). */
  stack: string;
  /** Merged over the backed-up values (a drill's scratch settings). */
  valuesPatch?: Record<string, unknown>;
  /** Restore the bucket objects (a drill checks them from the backup's files instead). */
  objects: boolean;
}

/** Deploys the backed-up stack at the place and restores its data into it; progress per item. */
export async function restoreInto(
  deps: BackupEngineDeps,
  dest: BackupDestination,
  loaded: LoadedBackup,
  place: CopyPlace,
  sink: ProgressSink,
  signal: AbortSignal,
): Promise<void> {
  const { manifest, state } = loaded;
  const template = manifest.stack;
  const stackTarget = deps.targets.open(place.target);
  sink.phase('deploying', 'state');
  const values = place.valuesPatch ? deepMerge(state.values, place.valuesPatch) : state.values;
  const { values: resolved, provided } = await deps.resolveReferences(template, values);
  await stackTarget.apply({
    stack: place.stack,
    template,
    values: resolved,
    provided,
    restored: loaded.restored,
    prune: true,
  });
  sink.item('state', 'done', 0, `revision ${manifest.revision} deployed to ${stackTarget.where}`);
  sink.item(
    'secrets',
    loaded.restored ? 'done' : 'skipped',
    0,
    loaded.restored ? undefined : loaded.skipped.join('; '),
  );

  const declared = deps.stacks.backup(template);
  for (const item of manifest.items.filter((i) => i.kind === 'database')) {
    const component = item.name.replace(/^database\//, '');
    const db = declared.databases.find((d) => d.component === component);
    const file = item.files[0];
    if (!db || !file)
      throw new HomeportError('INVALID_INPUT', `The stack '${template}' declares no database ${component}`);
    sink.phase('waiting for the database', item.name);
    await waitForDatabase(deps, place.target, place.stack, db, signal);
    sink.phase('pg_restore', item.name);
    const workload = await requireWorkload(deps, place.target, place.stack, component);
    const source = await readChecked(dest, manifest.id, file, signal);
    let bytes = 0;
    source.on('data', (c: Buffer) => sink.bytes((bytes += c.length)));
    await restoreDatabase({ run: deps.runInWorkload, target: place.target, workload, db, signal }, source);
    sink.item(item.name, 'done', file.bytes);
  }

  for (const item of manifest.items.filter((i) => i.kind === 'bucket')) {
    if (!place.objects || !item.bucket) continue;
    sink.phase('copying objects back', item.name);
    await deps.ensureBucket(item.bucket.profile, item.bucket.bucket);
    const objects = await deps.openObjects(item.bucket.profile);
    let total = 0;
    for (const [i, o] of (item.objects ?? []).entries()) {
      const file = item.files[i];
      if (!file) break;
      const body = await readChecked(dest, manifest.id, file, signal);
      await objects.put(item.bucket.bucket, o.key, body, { signal });
      total += o.bytes;
      sink.bytes(total);
    }
    sink.item(item.name, 'done', total);
  }

  sink.phase('rolling out', 'health');
  await waitHealthy(deps, stackTarget, place.stack, signal);
}

/** Restores a backup to a target; over a deployed stack only when `replace` confirms it. */
export async function restoreBackup(
  deps: BackupEngineDeps,
  dest: BackupDestination,
  p: { backup: string; target: Target; replace: boolean },
  sink: ProgressSink,
  signal: AbortSignal,
): Promise<void> {
  const loaded = await loadBackup(deps, dest, p.backup, sink, signal);
  const stack = loaded.manifest.stack;
  const stackTarget = deps.targets.open(p.target);
  if (await isDeployed(stackTarget, stack)) {
    if (!p.replace) {
      throw new HomeportError(
        'CONFLICT',
        `'${stack}' is deployed at ${stackTarget.where}: restoring removes it with its volumes and data first; look at the restore plan and confirm to replace it`,
      );
    }
    sink.phase('removing the deployed stack', 'state');
    await stackTarget.uninstall({ stack, deleteData: true });
  }
  await restoreInto(deps, dest, loaded, { target: p.target, stack, objects: true }, sink, signal);
}
