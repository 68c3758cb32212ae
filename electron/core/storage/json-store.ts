import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { HomeportError } from '../errors';
import { removeStaleTempFiles, writeFileAtomic } from './atomic-file';
import { withDirLock } from './dir-lock';

/**
 * A JSON document in the data directory, validated on read, written atomically and 0600.
 * Updates hold the directory's lock, which every Homeport process sharing the directory takes,
 * and re-read the file under it: two changes, from this process or another, cannot lose one
 * another. Reads take no lock (a rename replaces the file whole).
 */
export class JsonStore<S extends z.ZodType> {
  private cleaned = false;

  constructor(
    private readonly path: string,
    private readonly schema: S,
    private readonly fallback: () => z.infer<S>,
  ) {}

  async read(): Promise<z.infer<S>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.fallback();
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new HomeportError(
        'INTERNAL',
        `${this.path} is not valid JSON. Fix or move the file aside; Homeport will not overwrite it.`,
      );
    }
    const parsed = this.schema.safeParse(json);
    if (!parsed.success) {
      throw new HomeportError(
        'INTERNAL',
        `${this.path} does not hold valid Homeport settings (${parsed.error.issues[0]?.message}). Fix or move the file aside.`,
      );
    }
    return parsed.data;
  }

  async update(change: (current: z.infer<S>) => z.infer<S>): Promise<z.infer<S>> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return withDirLock(dir, async () => {
      if (!this.cleaned) {
        this.cleaned = true;
        await removeStaleTempFiles(this.path);
      }
      const value = change(await this.read());
      await writeFileAtomic(this.path, `${JSON.stringify(value, null, 2)}\n`);
      return value;
    });
  }
}

/**
 * A JSON object keyed by user text (a kube context name), read as a record whose keys are all own
 * properties: `__proto__` stays an entry instead of becoming the record's prototype (as with
 * z.record), so it round-trips. Look entries up with Object.hasOwn, never bare indexing, or
 * 'constructor' finds Object's.
 */
export function ownRecord<V extends z.ZodType>(value: V) {
  return z
    .preprocess(
      (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.entries(v) : v),
      z.array(z.tuple([z.string(), value])),
    )
    .transform((entries) => Object.fromEntries(entries) as Record<string, z.infer<V>>);
}
