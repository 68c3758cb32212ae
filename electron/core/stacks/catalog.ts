/**
 * The stack catalog: lists the stacks Homeport can deploy, checks the user's values against a
 * stack's schema and renders validated values to Kubernetes objects or Docker Swarm specs.
 */
import type { FieldIssue, StackInfo } from '@shared/deploy-schemas';
import { namespaceName, swarmStackName } from '@shared/names';
import { stringify } from 'yaml';
import { z } from 'zod';
import { renderKubernetesObjects } from './kubernetes';
import type { StackDefinition } from './model';
import { goverse } from './goverse-stack';
import { radarrMvp } from './radarr-stack';
import { revenge } from './revenge-stack';
import { renderSwarmStack, SWARM_CATALOG_STACK_LABEL, type SwarmRenderOptions, type SwarmStack } from './swarm';
import { deriveNeeds } from './stack-needs';
import type {
  KubeObject,
  RenderedStack,
  RenderOptions,
  StackCatalog,
  StackKnowledge,
  UserStackCatalog,
  ValidationResult,
} from './types';
import { UserStacks, withVersion, type DefineUserStack } from './user-catalog';
import type { UserStackDocument } from '@shared/user-stack-schemas';

/** The stacks Homeport ships. */
export const builtinStacks: readonly StackDefinition[] = [
  revenge as StackDefinition,
  goverse as StackDefinition,
  radarrMvp as StackDefinition,
];

/** User stacks in the catalog: how a saved document becomes a definition, and the saved documents. */
export interface UserStackOptions {
  define: DefineUserStack;
  /** Every saved version of every user stack. */
  documents?: readonly UserStackDocument[];
}

export function createStackCatalog(
  definitions: readonly StackDefinition[] = builtinStacks,
  userOptions?: UserStackOptions,
): StackCatalog & StackKnowledge & UserStackCatalog {
  const byName = new Map<string, StackDefinition>();
  for (const def of definitions) {
    if (byName.has(def.name)) throw new Error(`stack catalog: duplicate stack '${def.name}'`);
    byName.set(def.name, def);
  }
  const user = new UserStacks(
    userOptions?.define ??
      (() => {
        throw new Error('this catalog has no compose support: user stacks cannot be read');
      }),
  );
  // A saved user stack never shadows a catalog stack (the store refuses such names; a file put there by hand is left out).
  const replaceUserStacks = (docs: readonly UserStackDocument[]) =>
    user.replace(docs.filter((d) => !byName.has(d.name)));
  replaceUserStacks(userOptions?.documents ?? []);
  const allNames = () => [...byName.keys(), ...user.names()];

  /** The definition for stack-level knowledge: a user stack's newest version. */
  const get = (stack: string): StackDefinition => {
    const def = byName.get(stack);
    if (def) return def;
    if (user.has(stack)) return user.definition(stack);
    throw new Error(`unknown stack '${stack}'; known stacks: ${allNames().join(', ') || 'none'}`);
  };

  const validate = (stack: string, values: unknown): ValidationResult => {
    if (!byName.has(stack) && user.has(stack)) {
      const picked = user.pick(stack, values);
      if (!('def' in picked)) return { ok: false, issues: [picked] };
      const parsed = picked.def.schema.safeParse(picked.values, REPORT_INPUT);
      return parsed.success
        ? { ok: true, values: withVersion(parsed.data, picked.version) }
        : { ok: false, issues: toFieldIssues(parsed.error) };
    }
    const parsed = get(stack).schema.safeParse(values ?? {}, REPORT_INPUT);
    return parsed.success ? { ok: true, values: parsed.data } : { ok: false, issues: toFieldIssues(parsed.error) };
  };

  /** The model of validated values, built by the definition (a user stack: of the version they name). */
  const buildModel = (stack: string, values: unknown) => {
    const checked = validated(stack, values);
    if (!byName.has(stack) && user.has(stack)) {
      const picked = user.pick(stack, checked);
      if (!('def' in picked)) throw new Error(`${picked.path}: ${picked.message}`);
      return picked.def.build(picked.values);
    }
    return get(stack).build(checked);
  };

  const validated = (stack: string, values: unknown): unknown => {
    const result = validate(stack, values);
    if (!result.ok) {
      const detail = result.issues.map((i) => `${i.path || '(values)'}: ${i.message}`).join('; ');
      throw new Error(`invalid values for stack '${stack}': ${detail}`);
    }
    return result.values;
  };

  return {
    list: () => [...[...byName.values()].map((def) => stackInfo(def)), ...user.names().map(userStackInfo)],
    has: (stack) => byName.has(stack) || user.has(stack),
    validate,
    renderKubernetes(stack: string, values: unknown, opts: RenderOptions): RenderedStack {
      get(stack); // an unknown stack is named before the namespace is checked
      const badNamespace = namespaceName.safeParse(opts.namespace).error?.issues[0]?.message;
      if (badNamespace !== undefined) throw new Error(`invalid namespace '${opts.namespace}': ${badNamespace}`);
      const model = buildModel(stack, values);
      return {
        stack,
        namespace: opts.namespace,
        objects: renderKubernetesObjects(model, {
          stack,
          namespace: opts.namespace,
          serviceMonitors: opts.serviceMonitors ?? false,
        }),
      };
    },
    renderSwarm(stack: string, values: unknown, opts: SwarmRenderOptions): SwarmStack {
      const badStack = swarmStackName.safeParse(opts.stack).error?.issues[0]?.message;
      if (badStack !== undefined) throw new Error(`invalid Swarm stack name '${opts.stack}': ${badStack}`);
      const spec = renderSwarmStack(buildModel(stack, values), opts);
      if (opts.stack === stack) return spec;
      // Named unlike its catalog stack (a restore drill's scratch stack, a second copy): the services
      // say which catalog stack they are, for screens that find stacks by their services (leaders).
      const services = spec.services.map((svc) => ({
        ...svc,
        Labels: { ...svc.Labels, [SWARM_CATALOG_STACK_LABEL]: stack },
      }));
      return { ...spec, services };
    },
    signals: (stack) => get(stack).signals,
    contracts: (stack) => get(stack).contracts,
    backup: (stack) => get(stack).backup,
    replaceUserStacks,
    userStackVersions: (stack) => user.versions(stack),
  };

  function userStackInfo(name: string): StackInfo {
    const doc = user.document(name) as UserStackDocument;
    const base = { origin: 'user' as const, version: doc.version };
    try {
      return { ...stackInfo(user.definition(name)), ...base };
    } catch (err) {
      // A saved file the compose library no longer reads: listed, saying why, so it can be removed or saved again.
      return {
        name,
        title: doc.title,
        description: `Cannot be read: ${(err as Error).message}`,
        valuesSchema: {},
        defaults: {},
        ...base,
      };
    }
  }
}

export function stackInfo(def: StackDefinition): StackInfo {
  return {
    name: def.name,
    title: def.title,
    description: def.description,
    // Input side: fields with defaults are optional and show their default, as the user types them.
    valuesSchema: z.toJSONSchema(def.schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    defaults: defaultsOf(def.schema),
    ...stackInfoExtras(def),
  };
}

/**
 * The values `{}` parses to. A stack with values that have no default (images the user must
 * build) does not validate `{}`: then each field that parses on its own gives its default, and the
 * fields that do not are left out for the form to ask for.
 */
export function defaultsOf(schema: z.ZodType): unknown {
  const whole = schema.safeParse({});
  return whole.success ? whole.data : fieldDefaults(schema);
}

function fieldDefaults(schema: z.ZodType): unknown {
  const alone = schema.safeParse(undefined);
  if (alone.success) return alone.data;
  let inner: unknown = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional) {
    inner = inner.unwrap();
  }
  if (!(inner instanceof z.ZodObject)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
    const v = fieldDefaults(field);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** What the picker shows besides the form: where the stack comes from and what it needs. */
function stackInfoExtras(def: StackDefinition): Pick<StackInfo, 'origin' | 'needs'> {
  const valuesSchema = z.toJSONSchema(def.schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { origin: 'catalog', needs: deriveNeeds(def, valuesSchema) };
}

/** Zod issues as field issues with dotted paths; each unknown key becomes its own issue. */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        issues.push({ path: [...base, key].join('.'), message: 'unknown field; remove it' });
    } else {
      issues.push({ path: base.join('.'), message: issueMessage(issue) });
    }
  }
  return issues;
}

/** Issues carry the value they are about: a missing field (no input) reads 'required', a wrong one its rule. */
const REPORT_INPUT = { reportInput: true } as const;

/**
 * What the user reads under a field: zod's own messages ('Invalid input: expected int, received
 * number') said as the fix. A schema's custom message ('must be a port from 1 to 65535') stays.
 */
export function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  if (issue.code === 'invalid_type' && issue.expected === 'int') return 'must be a whole number';
  if (issue.code === 'invalid_type' && issue.expected === 'number') return 'must be a number';
  if (issue.code === 'invalid_type' && issue.expected === 'boolean') return 'must be true or false';
  if (issue.code === 'invalid_value' && issue.message.startsWith('Invalid option')) {
    return `must be one of ${issue.values.map(String).join(', ')}`;
  }
  // zod's default range messages start so; a schema's own message does not.
  if (issue.code === 'too_small' && issue.origin === 'number' && issue.message.startsWith('Too small')) {
    return issue.inclusive === false ? `must be more than ${issue.minimum}` : `must be at least ${issue.minimum}`;
  }
  if (issue.code === 'too_big' && issue.origin === 'number' && issue.message.startsWith('Too big')) {
    return issue.inclusive === false ? `must be less than ${issue.maximum}` : `must be at most ${issue.maximum}`;
  }
  // A record key breaking its rule: the rule's own message says why.
  if (issue.code === 'invalid_key') return issue.issues[0]?.message ?? issue.message;
  return issue.message;
}

/** Objects as a multi-document YAML stream (documents separated by `---`). */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
