/**
 * The user stacks the catalog holds next to its own: every saved version of each, turned into a
 * stack definition on first use (the compose library's userStackDefinition, injected). A user
 * stack's values carry `stackVersion`, the version they render with: validation sets it (the newest
 * when the values do not say), so the revision a deploy records keeps it, and a rollback renders
 * with the version that revision was deployed with.
 */
import type { FieldIssue } from '@shared/deploy-schemas';
import type { UserStackDocument } from '@shared/user-stack-schemas';
import type { StackDefinition } from './model';

/** The values field naming the user stack version they render with. */
export const STACK_VERSION_FIELD = 'stackVersion';

/** Turns a saved user stack into a definition (electron/core/compose userStackDefinition). */
export type DefineUserStack = (doc: UserStackDocument) => StackDefinition;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface PickedVersion {
  def: StackDefinition;
  version: number;
  /** The values without `stackVersion`, as the definition's schema takes them. */
  values: unknown;
}

export class UserStacks {
  private byName = new Map<string, Map<number, UserStackDocument>>();
  private defs = new Map<string, StackDefinition>();

  constructor(private readonly define: DefineUserStack) {}

  /** Replaces what the catalog knows of user stacks (after a save or a removal). */
  replace(docs: readonly UserStackDocument[]): void {
    const next = new Map<string, Map<number, UserStackDocument>>();
    for (const doc of docs) {
      const versions = next.get(doc.name) ?? new Map<number, UserStackDocument>();
      versions.set(doc.version, doc);
      next.set(doc.name, versions);
    }
    this.byName = next;
    // A version's file never changes, so definitions stay valid unless the stack went away.
    for (const key of [...this.defs.keys()]) {
      const [name, version] = key.split('@') as [string, string];
      if (!next.get(name)?.has(Number(version))) this.defs.delete(key);
    }
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  versions(name: string): number[] {
    return [...(this.byName.get(name)?.keys() ?? [])].sort((a, b) => a - b);
  }

  latest(name: string): number {
    return this.versions(name).at(-1) ?? 0;
  }

  document(name: string, version = this.latest(name)): UserStackDocument | undefined {
    return this.byName.get(name)?.get(version);
  }

  /** The definition of one version (default the newest). Throws for an unknown one. */
  definition(name: string, version = this.latest(name)): StackDefinition {
    const key = `${name}@${version}`;
    const cached = this.defs.get(key);
    if (cached) return cached;
    const doc = this.document(name, version);
    if (!doc) {
      throw new Error(
        `user stack '${name}' has no version ${version}; its versions are ${this.versions(name).join(', ')}`,
      );
    }
    const def = { ...this.define(doc), name: doc.name, title: doc.title, description: doc.description };
    this.defs.set(key, def);
    return def;
  }

  /**
   * The version the values render with and the values without it; an issue on `stackVersion`
   * when they name a version that does not exist.
   */
  pick(name: string, values: unknown): PickedVersion | FieldIssue {
    let version = this.latest(name);
    let rest: unknown = values ?? {};
    if (isObject(values) && STACK_VERSION_FIELD in values) {
      const { [STACK_VERSION_FIELD]: asked, ...others } = values;
      rest = others;
      if (!Number.isInteger(asked) || !this.versions(name).includes(asked as number)) {
        return {
          path: STACK_VERSION_FIELD,
          message: `user stack '${name}' has no version ${JSON.stringify(asked)}; its versions are ${this.versions(name).join(', ')}`,
        };
      }
      version = asked as number;
    }
    return { def: this.definition(name, version), version, values: rest };
  }
}

/** Validated values of a user stack with the version they render with. */
export function withVersion(values: unknown, version: number): Record<string, unknown> {
  return { ...(isObject(values) ? values : {}), [STACK_VERSION_FIELD]: version };
}
