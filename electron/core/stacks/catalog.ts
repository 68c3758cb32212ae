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
import { radarrMvp } from './radarr-stack';
import { revenge } from './revenge-stack';
import { renderSwarmStack, type SwarmRenderOptions, type SwarmStack } from './swarm';
import type { KubeObject, RenderedStack, RenderOptions, StackCatalog, StackKnowledge, ValidationResult } from './types';

/** The stacks Homeport ships. */
export const builtinStacks: readonly StackDefinition[] = [revenge as StackDefinition, radarrMvp as StackDefinition];

export function createStackCatalog(
  definitions: readonly StackDefinition[] = builtinStacks,
): StackCatalog & StackKnowledge {
  const byName = new Map<string, StackDefinition>();
  for (const def of definitions) {
    if (byName.has(def.name)) throw new Error(`stack catalog: duplicate stack '${def.name}'`);
    byName.set(def.name, def);
  }

  const get = (stack: string): StackDefinition => {
    const def = byName.get(stack);
    if (!def) throw new Error(`unknown stack '${stack}'; known stacks: ${[...byName.keys()].join(', ') || 'none'}`);
    return def;
  };

  const validate = (stack: string, values: unknown): ValidationResult => {
    const parsed = get(stack).schema.safeParse(values ?? {});
    return parsed.success ? { ok: true, values: parsed.data } : { ok: false, issues: toFieldIssues(parsed.error) };
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
    list: () => [...byName.values()].map(stackInfo),
    has: (stack) => byName.has(stack),
    validate,
    renderKubernetes(stack: string, values: unknown, opts: RenderOptions): RenderedStack {
      const def = get(stack);
      const badNamespace = namespaceName.safeParse(opts.namespace).error?.issues[0]?.message;
      if (badNamespace !== undefined) throw new Error(`invalid namespace '${opts.namespace}': ${badNamespace}`);
      const model = def.build(validated(stack, values));
      return {
        stack,
        namespace: opts.namespace,
        objects: renderKubernetesObjects(model, { stack, namespace: opts.namespace }),
      };
    },
    renderSwarm(stack: string, values: unknown, opts: SwarmRenderOptions): SwarmStack {
      const def = get(stack);
      const badStack = swarmStackName.safeParse(opts.stack).error?.issues[0]?.message;
      if (badStack !== undefined) throw new Error(`invalid Swarm stack name '${opts.stack}': ${badStack}`);
      return renderSwarmStack(def.build(validated(stack, values)), opts);
    },
    signals: (stack) => get(stack).signals,
    contracts: (stack) => get(stack).contracts,
    backup: (stack) => get(stack).backup,
  };
}

export function stackInfo(def: StackDefinition): StackInfo {
  return {
    name: def.name,
    title: def.title,
    description: def.description,
    // Input side: fields with defaults are optional and show their default, as the user types them.
    valuesSchema: z.toJSONSchema(def.schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    defaults: def.schema.parse({}),
  };
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

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  // A record key breaking its rule: the rule's own message says why.
  if (issue.code === 'invalid_key') return issue.issues[0]?.message ?? issue.message;
  return issue.message;
}

/** Objects as a multi-document YAML stream (documents separated by `---`). */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
