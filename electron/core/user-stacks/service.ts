/**
 * Bring your own stack: analyze a compose file (what Homeport understood, what it cannot express),
 * save it with the user's mapping as a versioned user stack, and keep the catalog in step so every
 * holder of it (deploy engine, Swarm deployer, readiness, leaders, backups, CLI) sees user stacks
 * next to the catalog's own.
 */
import type { ComposeAnalysis, UserStackDocument } from '@shared/user-stack-schemas';
import { HomeportError } from '../errors';
import type { StackDefinition } from '../stacks/model';
import type { UserStackCatalog } from '../stacks/types';
import type { UserStackInput, UserStackStore } from './store';

/** Options of an analysis: the env files the compose file reads, by the name it gives them. */
export interface AnalyzeOptions {
  envFiles?: Record<string, string>;
}

/** The compose library (electron/core/compose), injected where services are composed. */
export interface ComposeLibrary {
  analyzeCompose(text: string, opts?: AnalyzeOptions): ComposeAnalysis;
  userStackDefinition(doc: UserStackDocument): StackDefinition;
}

export interface UserStacksDeps {
  store: UserStackStore;
  catalog: UserStackCatalog;
  compose: ComposeLibrary;
  /** Where files the store cannot read are reported (they are left out of the catalog). */
  log?: (msg: string) => void;
}

const where = (f: { path: string; line?: number }) =>
  `${f.path || '(file)'}${f.line !== undefined ? ` (line ${f.line})` : ''}`;

export function createUserStacks(deps: UserStacksDeps) {
  const { store, catalog, compose } = deps;

  /** Reads every saved version again and hands them to the catalog. */
  function refresh(): void {
    const { documents, problems } = store.readAllSync();
    for (const p of problems) deps.log?.(`User stacks: ${p}`);
    catalog.replaceUserStacks(documents);
  }

  function analyze(p: { compose: string; envFiles?: Record<string, string> }): ComposeAnalysis {
    return compose.analyzeCompose(p.compose, p.envFiles ? { envFiles: p.envFiles } : undefined);
  }

  /** Saves the next version; refused while the file has errors or a volume or secret is left unmapped. */
  async function save(input: UserStackInput & { envFiles?: Record<string, string> }): Promise<UserStackDocument> {
    const { envFiles, ...rest } = input;
    // The files the compose file reads are kept with it: building the stack reads them again.
    const doc = { ...rest, files: { ...rest.files, ...envFiles } };
    const analysis = analyze({ compose: doc.compose, envFiles: doc.files });
    if (!analysis.ok || analysis.errors.length > 0) {
      throw new HomeportError(
        'INVALID_INPUT',
        `The compose file cannot be saved until its errors are fixed: ${analysis.errors
          .map((e) => `${where(e)}: ${e.message}`)
          .join('; ')}`,
      );
    }
    const missing = [
      ...analysis.volumes
        .filter((v) => !doc.mapping?.volumes?.[v.name])
        .map((v) => `'mapping.volumes.${v.name}': map the volume to a NAS export, an NFS path or a storage class`),
      ...analysis.secrets
        .filter((s) => !doc.mapping?.secrets?.[s.name])
        .map((s) => `'mapping.secrets.${s.name}': say whether Homeport generates the secret or which one to use`),
    ];
    if (missing.length > 0) throw new HomeportError('INVALID_INPUT', `User stack ${missing.join('; ')}`);
    const saved = await store.save(doc);
    try {
      // The stack must turn into a definition, or it would sit in the catalog unusable.
      compose.userStackDefinition(saved);
    } catch (err) {
      await removeVersion(saved);
      throw new HomeportError(
        'INVALID_INPUT',
        `User stack '${saved.name}' cannot be deployed: ${(err as Error).message}`,
      );
    }
    refresh();
    return saved;
  }

  async function removeVersion(doc: UserStackDocument) {
    if (doc.version === 1) await store.remove(doc.name);
    else await store.removeVersion(doc.name, doc.version);
  }

  async function remove(name: string): Promise<void> {
    await store.remove(name);
    refresh();
  }

  return { refresh, analyze, save, remove, list: () => store.list(), get: store.get };
}

export type UserStacks = ReturnType<typeof createUserStacks>;
