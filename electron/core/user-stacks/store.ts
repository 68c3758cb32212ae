/**
 * User stacks on disk: <dataDir>/user-stacks/<name>/v<N>.json, one UserStackDocument per version,
 * written atomically and 0600 (a compose file may carry credentials in its environment). Saving
 * never overwrites: it writes the next version. The catalog reads every version (a rollback renders
 * with the version its revision was deployed with); the picker shows the newest.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { stackName } from '@shared/names';
import { composeMappingSchema, userStackDocumentSchema, type UserStackDocument } from '@shared/user-stack-schemas';
import { HomeportError } from '../errors';
import { writeFileAtomic } from '../storage/atomic-file';
import { withDirLock } from '../storage/dir-lock';

export const USER_STACKS_DIR = 'user-stacks';
const VERSION_FILE = /^v([1-9]\d*)\.json$/;

/** What the user gives to save a stack; the store adds the version and the time. */
export const userStackInputSchema = z.strictObject({
  name: stackName,
  title: z.string().trim().min(1, 'is empty: give the stack a title').max(80),
  description: z.string().max(300).default(''),
  compose: z.string().min(1, 'is empty: paste or choose a docker-compose.yml'),
  mapping: composeMappingSchema,
  /** Files the compose file reads (`.env`, env_files, config files), by path as written. */
  files: z.record(z.string(), z.string()).default({}),
});
export type UserStackInput = z.input<typeof userStackInputSchema>;

export interface UserStackStore {
  /** The newest version of every user stack, by name. */
  list(): Promise<UserStackDocument[]>;
  /** One version (default the newest); NOT_FOUND names the versions there are. */
  get(name: string, version?: number): Promise<UserStackDocument>;
  /** Saves the input as the stack's next version (1 for a new stack) and returns the document. */
  save(input: UserStackInput): Promise<UserStackDocument>;
  /** Deletes every version of the stack. */
  remove(name: string): Promise<void>;
  /** Deletes one version (a save undone); the others stay. */
  removeVersion(name: string, version: number): Promise<void>;
  /**
   * Every version of every stack, read synchronously (the catalog's start and refresh). A file that
   * cannot be read is left out and named in `problems`: one broken file does not stop Homeport.
   */
  readAllSync(): { documents: UserStackDocument[]; problems: string[] };
}

export interface UserStackStoreDeps {
  dataDir: string;
  /** Names a user stack may not take (the catalog's own stacks). */
  reserved: () => readonly string[];
  now?: () => Date;
}

/** The first issue of a failed parse, naming its field: "'mapping.volumes.media.host': is empty". */
export function fieldError(what: string, error: z.ZodError): HomeportError {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') || '(input)';
  const message = issue?.code === 'invalid_type' && issue.input === undefined ? 'required' : issue?.message;
  return new HomeportError('INVALID_INPUT', `${what} '${path}': ${message ?? 'invalid'}`);
}

export function createUserStackStore(deps: UserStackStoreDeps): UserStackStore {
  const root = join(deps.dataDir, USER_STACKS_DIR);
  const now = deps.now ?? (() => new Date());
  const dirOf = (name: string) => join(root, name);

  const checkName = (name: string) => {
    const bad = stackName.safeParse(name).error?.issues[0]?.message;
    if (bad !== undefined) throw new HomeportError('INVALID_INPUT', `User stack 'name': ${bad}`);
    return name;
  };

  async function versions(name: string): Promise<number[]> {
    const names = await readdir(dirOf(name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    return versionsIn(names);
  }

  async function read(name: string, version: number): Promise<UserStackDocument> {
    return parseDocument(await readFile(join(dirOf(name), `v${version}.json`), 'utf8'), `${name}/v${version}.json`);
  }

  return {
    async list() {
      const names = await readdir(root).catch(() => [] as string[]);
      const out: UserStackDocument[] = [];
      for (const name of names.sort()) {
        if (!stackName.safeParse(name).success) continue;
        const latest = (await versions(name)).at(-1);
        if (latest !== undefined) out.push(await read(name, latest));
      }
      return out;
    },
    async get(name, version) {
      const all = await versions(checkName(name));
      if (all.length === 0) throw new HomeportError('NOT_FOUND', `No user stack '${name}'`);
      const wanted = version ?? (all.at(-1) as number);
      if (!all.includes(wanted)) {
        throw new HomeportError(
          'NOT_FOUND',
          `User stack '${name}' has no version ${wanted}; its versions are ${all.join(', ')}`,
        );
      }
      return read(name, wanted);
    },
    async save(input) {
      const parsed = userStackInputSchema.safeParse(input);
      if (!parsed.success) throw fieldError('User stack', parsed.error);
      const doc = parsed.data;
      if (deps.reserved().includes(doc.name)) {
        throw new HomeportError(
          'CONFLICT',
          `User stack 'name': '${doc.name}' is a catalog stack's name; choose another name`,
        );
      }
      await mkdir(root, { recursive: true, mode: 0o700 });
      return withDirLock(deps.dataDir, async () => {
        await mkdir(dirOf(doc.name), { recursive: true, mode: 0o700 });
        const version = ((await versions(doc.name)).at(-1) ?? 0) + 1;
        const saved: UserStackDocument = userStackDocumentSchema.parse({
          ...doc,
          version,
          savedAt: now().toISOString(),
        });
        await writeFileAtomic(join(dirOf(doc.name), `v${version}.json`), `${JSON.stringify(saved, null, 2)}\n`);
        return saved;
      });
    },
    async remove(name) {
      if ((await versions(checkName(name))).length === 0)
        throw new HomeportError('NOT_FOUND', `No user stack '${name}'`);
      await withDirLock(deps.dataDir, () => rm(dirOf(name), { recursive: true, force: true }));
    },
    async removeVersion(name, version) {
      await withDirLock(deps.dataDir, () => rm(join(dirOf(checkName(name)), `v${version}.json`), { force: true }));
    },
    readAllSync() {
      const out: UserStackDocument[] = [];
      const problems: string[] = [];
      let names: string[];
      try {
        names = readdirSync(root);
      } catch {
        return { documents: out, problems };
      }
      for (const name of names.sort()) {
        if (!stackName.safeParse(name).success) continue;
        let files: string[];
        try {
          files = readdirSync(dirOf(name));
        } catch {
          continue;
        }
        for (const version of versionsIn(files)) {
          try {
            const file = join(dirOf(name), `v${version}.json`);
            out.push(parseDocument(readFileSync(file, 'utf8'), `${name}/v${version}.json`));
          } catch (err) {
            problems.push((err as Error).message);
          }
        }
      }
      return { documents: out, problems };
    },
  };
}

function versionsIn(names: string[]): number[] {
  return names
    .map((n) => VERSION_FILE.exec(n)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

function parseDocument(text: string, file: string): UserStackDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new HomeportError('UNAVAILABLE', `User stack file ${file} is not JSON: ${(err as Error).message}`);
  }
  const parsed = userStackDocumentSchema.safeParse(json);
  if (!parsed.success) throw fieldError(`User stack file ${file}`, parsed.error);
  return parsed.data;
}
