/**
 * Takes a backup of a deployed stack: its state (the live revision's values and the objects they
 * render to), its generated secrets (encrypted), every database it declares (pg_dump in the
 * database's container, streamed to the destination) and the objects of its buckets; the manifest
 * last. Every part is counted and hashed (SHA-256) on its way out. When anything fails, the folder
 * is removed where the destination can still be reached, and in any case has no manifest.
 */
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Revision } from '@shared/deploy-schemas';
import type { BackupDestinationSpec, BackupFile, BackupItem, BackupManifest } from '@shared/backup-schemas';
import type { Target } from '@shared/target-schemas';
import { errorMessage, HomeportError } from '../errors';
import { describeWorkload, type Workload } from '../exec/command';
import { encryptSecrets } from './crypto';
import type { BackupEngineDeps } from './deps';
import type { BackupDestination } from './destination';
import { Meter } from './meter';
import type { ProgressSink } from './operations';
import { dumpDatabase, pgDumpVersion } from './postgres';
import { bucketDir, databaseFile, objectFile, MANIFEST, SECRETS_FILE, STATE_FILE, writeBuffer } from './store';

/** What state.json.gz holds. */
export interface BackupState {
  stack: string;
  revision: number;
  /** The values as the revision recorded them (references, not keys). */
  values: unknown;
  /** The objects (Kubernetes) or specs (Swarm) the values render to; secrets' values left out. */
  rendered?: unknown;
  renderError?: string;
}

/** Streams `source` to `path` through a Meter; the file's size and SHA-256 as stored. */
export async function storePart(
  dest: BackupDestination,
  path: string,
  source: Readable,
  sink: ProgressSink,
  signal?: AbortSignal,
): Promise<BackupFile> {
  const meter = new Meter((n) => sink.bytes(n));
  source.on('error', (err) => meter.destroy(err));
  await dest.write(path, source.pipe(meter), { signal });
  return { path, bytes: meter.bytes, sha256: meter.sha256() };
}

export async function requireWorkload(
  deps: BackupEngineDeps,
  target: Target,
  stack: string,
  component: string,
): Promise<Workload> {
  const found = await deps.workloadOf(target, stack, component);
  if (typeof found === 'string') throw new HomeportError('UNAVAILABLE', found);
  return found;
}

function renderState(deps: BackupEngineDeps, target: Target, stack: string, values: unknown): Promise<unknown> {
  return deps.resolveReferences(stack, values).then(({ values: resolved }) => {
    const checked = deps.stacks.validate(stack, resolved);
    if (!checked.ok) throw new Error(checked.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    return target.kind === 'kubernetes'
      ? deps.stacks.renderKubernetes(stack, checked.values, { namespace: target.namespace }).objects
      : deps.stacks.renderSwarm(stack, checked.values, { stack });
  });
}

export async function takeBackup(
  deps: BackupEngineDeps,
  p: {
    target: Target;
    stack: string;
    destination: BackupDestinationSpec;
    id: string;
    /** The live revision, as the caller found it deployed. */
    live: Revision;
    /** The target in the user's words. */
    where: string;
  },
  sink: ProgressSink,
  signal: AbortSignal,
): Promise<BackupManifest> {
  const started = (deps.now ?? (() => new Date()))();
  const { target, stack, id, live } = p;
  const declared = deps.stacks.backup(stack);
  const dest = await deps.openDestination(p.destination);
  const items: BackupItem[] = [];
  const tools: Record<string, string> = { homeport: deps.version };
  // Paths in the manifest are relative to the backup's folder: a copied or renamed folder still reads.
  const part = async (name: string, source: Readable, progress: ProgressSink = sink): Promise<BackupFile> => ({
    ...(await storePart(dest, `${id}/${name}`, source, progress, signal)),
    path: name,
  });
  try {
    sink.phase('state', 'state');
    const state: BackupState = { stack, revision: live.revision, values: live.values };
    try {
      state.rendered = await renderState(deps, target, stack, live.values);
    } catch (err) {
      state.renderError = errorMessage(err);
    }
    const gz = Readable.from([Buffer.from(JSON.stringify(state))]).pipe(createGzip());
    const stateFile = await part(STATE_FILE, gz);
    items.push({ name: 'state', kind: 'state', files: [stateFile] });
    sink.item('state', 'done', stateFile.bytes);

    sink.phase('secrets', 'secrets');
    const material = await deps.keys.material();
    if (!material) {
      sink.item(
        'secrets',
        'skipped',
        0,
        'No backup passphrase or key file is set: the generated secrets are not in this backup',
      );
    } else {
      const secrets = await deps.generatedSecrets(target, stack);
      const sealed = await encryptSecrets(Buffer.from(JSON.stringify(secrets)), material);
      const file = await part(SECRETS_FILE, Readable.from([sealed]));
      items.push({ name: 'secrets', kind: 'secrets', files: [file], encrypted: true });
      sink.item('secrets', 'done', file.bytes);
    }

    for (const db of declared.databases) {
      const name = `database/${db.component}`;
      sink.phase('dumping', name);
      const workload = await requireWorkload(deps, target, stack, db.component);
      const place = { run: deps.runInWorkload, target, workload, db, signal };
      tools.pg_dump ??= await pgDumpVersion(place);
      let file: BackupFile | undefined;
      const tables = await dumpDatabase(place, async (dump) => {
        file = await part(databaseFile(db.component), dump);
      });
      if (!file) throw new Error(`the dump of ${name} was not stored`);
      items.push({
        name,
        kind: 'database',
        files: [file],
        tables,
        source: describeWorkload(workload),
      });
      sink.item(name, 'done', file.bytes);
    }

    for (const b of declared.buckets(live.values)) {
      const name = `bucket/${b.bucket}`;
      sink.phase('copying objects', name);
      const objects = await deps.openObjects(b.profile);
      const files: BackupFile[] = [];
      const stats: { key: string; bytes: number; sha256: string }[] = [];
      let total = 0;
      for await (const entry of objects.list(b.bucket)) {
        if (!('key' in entry)) continue;
        signal.throwIfAborted();
        const body = await objects.get(b.bucket, entry.key, { signal });
        const file = await part(`${bucketDir(b.bucket)}/${objectFile(files.length)}`, body, {
          ...sink,
          bytes: (n) => sink.bytes(total + n),
        });
        total += file.bytes;
        files.push(file);
        stats.push({ key: entry.key, bytes: file.bytes, sha256: file.sha256 });
      }
      items.push({ name, kind: 'bucket', files, bucket: b, objects: stats });
      sink.item(name, 'done', total);
    }

    sink.phase('manifest');
    const finished = (deps.now ?? (() => new Date()))();
    const manifest: BackupManifest = {
      format: 1,
      id,
      stack,
      target,
      where: p.where,
      revision: live.revision,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: Math.max(0, finished.getTime() - started.getTime()),
      tools,
      items,
      bytes: items.flatMap((i) => i.files).reduce((n, f) => n + f.bytes, 0),
    };
    await writeBuffer(dest, `${id}/${MANIFEST}`, Buffer.from(JSON.stringify(manifest, null, 2)));
    return manifest;
  } catch (err) {
    await dest.remove(id).catch(() => undefined);
    throw err;
  } finally {
    await dest.close().catch(() => undefined);
  }
}
