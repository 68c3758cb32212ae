/**
 * A backup as files at a destination: one folder per backup, its parts, the manifest written last
 * and the restore drill's result beside it. A folder without a manifest is incomplete: it is listed
 * as such and never restored. Reading a part checks its SHA-256 against the manifest.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  backupIdSchema,
  backupManifestSchema,
  drillResultSchema,
  type BackupFile,
  type BackupManifest,
  type BackupSummary,
  type DrillResult,
} from '@shared/backup-schemas';
import { HomeportError } from '../errors';
import type { BackupDestination } from './destination';

export const MANIFEST = 'manifest.json';
export const DRILL = 'drill.json';
export const STATE_FILE = 'state.json.gz';
export const SECRETS_FILE = 'secrets.enc';
export const databaseFile = (component: string) => `database-${component}.dump`;
export const bucketDir = (bucket: string) => `bucket-${bucket}`;
/** Objects are numbered in the manifest's order: a key can be longer than a file name may be. */
export const objectFile = (index: number) => String(index).padStart(8, '0');
const MAX_JSON = 64 * 1024 * 1024;

/** `<stack>-<UTC time>-<4 hex>`: sorts by time within a stack. */
export function newBackupId(stack: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stack}-${stamp}-${randomBytes(2).toString('hex')}`;
}

export const stackOfId = (id: string) => id.replace(/-\d{8}T\d{6}Z-[0-9a-f]{4}$/, '');

export async function readAll(stream: Readable, max = MAX_JSON): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > max) throw new HomeportError('INVALID_INPUT', `the file is larger than ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function writeBuffer(dest: BackupDestination, path: string, data: Buffer): Promise<void> {
  await dest.write(path, Readable.from([data]));
}

async function readJson(dest: BackupDestination, path: string): Promise<unknown> {
  const text = (await readAll(await dest.read(path))).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new HomeportError('INVALID_INPUT', `${dest.label}: ${path} is not JSON (damaged?)`);
  }
}

export async function readManifest(dest: BackupDestination, id: string): Promise<BackupManifest> {
  backupIdSchema.parse(id);
  const entries = await dest.list(id);
  if (entries.length === 0) throw new HomeportError('NOT_FOUND', `${dest.label} has no backup ${id}`);
  if (!entries.some((e) => e.name === MANIFEST && e.kind === 'file')) {
    throw new HomeportError(
      'CONFLICT',
      `Backup ${id} at ${dest.label} has no manifest: it did not finish, so it cannot be restored or verified`,
    );
  }
  const parsed = backupManifestSchema.safeParse(await readJson(dest, `${id}/${MANIFEST}`));
  if (!parsed.success || parsed.data.id !== id) {
    throw new HomeportError('INVALID_INPUT', `The manifest of backup ${id} at ${dest.label} is not valid (damaged?)`);
  }
  return parsed.data;
}

async function readDrill(dest: BackupDestination, id: string): Promise<DrillResult | undefined> {
  const parsed = drillResultSchema.safeParse(await readJson(dest, `${id}/${DRILL}`).catch(() => undefined));
  return parsed.success ? parsed.data : undefined;
}

export async function writeDrill(dest: BackupDestination, id: string, drill: DrillResult): Promise<void> {
  await writeBuffer(dest, `${id}/${DRILL}`, Buffer.from(JSON.stringify(drill, null, 2)));
}

/** The backups at the destination, newest first (of one stack when given). */
export async function listBackups(dest: BackupDestination, stack?: string): Promise<BackupSummary[]> {
  const folders = (await dest.list(''))
    .filter((e) => e.kind === 'dir' && backupIdSchema.safeParse(e.name).success)
    .map((e) => e.name)
    .filter((id) => stack === undefined || stackOfId(id) === stack);
  const out: BackupSummary[] = [];
  for (const id of folders) {
    const files = await dest.list(id);
    const base = { id, stack: stackOfId(id) };
    if (!files.some((f) => f.name === MANIFEST)) {
      out.push({ ...base, complete: false });
      continue;
    }
    const manifest = await readManifest(dest, id).catch(() => undefined);
    const drill = files.some((f) => f.name === DRILL) ? await readDrill(dest, id) : undefined;
    out.push({
      ...base,
      complete: manifest !== undefined,
      ...(manifest ? { manifest } : {}),
      ...(drill ? { drill } : {}),
    });
  }
  const timeOf = (s: BackupSummary) => s.id.replace(/^.*-(\d{8}T\d{6}Z)-[0-9a-f]{4}$/, '$1');
  return out.sort((a, b) => timeOf(b).localeCompare(timeOf(a)));
}

/** Passes bytes through and fails at the end when they are not the file the manifest recorded. */
class Checked extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  constructor(
    private readonly file: BackupFile,
    private readonly where: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    const sha = this.hash.digest('hex');
    if (this.bytes !== this.file.bytes || sha !== this.file.sha256) {
      done(
        new HomeportError(
          'INVALID_INPUT',
          `${this.where}: ${this.file.path} is damaged (${this.bytes} bytes with SHA-256 ${sha.slice(0, 12)}…; the manifest recorded ${this.file.bytes} bytes, ${this.file.sha256.slice(0, 12)}…)`,
        ),
      );
    } else done();
  }
}

/** Reads a part of the backup, failing at its end when its size or SHA-256 differ from the manifest's. */
export async function readChecked(
  dest: BackupDestination,
  id: string,
  file: BackupFile,
  signal?: AbortSignal,
): Promise<Readable> {
  const source = await dest.read(`${id}/${file.path}`, { signal });
  const checked = new Checked({ ...file, path: `${id}/${file.path}` }, dest.label);
  source.on('error', (err) => checked.destroy(err));
  return source.pipe(checked);
}

/** Reads every part once and checks it; the first damaged or missing one is named. */
export async function verifyFiles(
  dest: BackupDestination,
  id: string,
  files: readonly BackupFile[],
  onFile?: (file: BackupFile) => void,
  signal?: AbortSignal,
): Promise<void> {
  for (const file of files) {
    onFile?.(file);
    const stream = await readChecked(dest, id, file, signal);
    await pipeline(stream, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) void chunk;
    });
  }
}
