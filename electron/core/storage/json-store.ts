import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { HomeportError } from '../errors';
import { writeFileAtomic } from './atomic-file';

/**
 * A JSON document in the data directory, validated on read, written atomically and 0600.
 * Updates are serialized so two concurrent changes cannot lose one another.
 */
export class JsonStore<S extends z.ZodType> {
  private queue: Promise<unknown> = Promise.resolve();

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

  update(change: (current: z.infer<S>) => z.infer<S>): Promise<z.infer<S>> {
    const next = this.queue.then(async () => {
      const value = change(await this.read());
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.path, `${JSON.stringify(value, null, 2)}\n`);
      return value;
    });
    this.queue = next.catch(() => {});
    return next;
  }
}
