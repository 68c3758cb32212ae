/**
 * Service specs for comparison: the rendered spec (with network and secret names resolved) and the
 * engine's stored spec differ only by what the engine fills in or leaves out. Both sides drop empty
 * values (absent, null, '', 0, false, {} and []) and engine defaults, and secret references compare
 * by name (an ID changes when a secret is recreated, the name says which one it is).
 */
import { changedFields } from '../deploy/diff';

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Values the engine treats as unset, at these paths (dot-joined keys, array indexes left out). */
const DEFAULTS: Record<string, Json> = {
  'TaskTemplate.Runtime': 'container',
  'TaskTemplate.ContainerSpec.Isolation': 'default',
  'TaskTemplate.ForceUpdate': 0,
  'EndpointSpec.Mode': 'vip',
  'EndpointSpec.Ports.Protocol': 'tcp',
  'EndpointSpec.Ports.PublishMode': 'ingress',
  'TaskTemplate.ContainerSpec.Secrets.SecretID': undefined,
  'TaskTemplate.ContainerSpec.Configs.ConfigID': undefined,
};

function clean(v: Json, path: string): Json {
  if (Array.isArray(v)) {
    const items = v.map((x) => clean(x, path)).filter((x) => x !== undefined);
    return items.length ? items : undefined;
  }
  if (isObject(v)) {
    const out: Record<string, Json> = {};
    for (const key of Object.keys(v).sort()) {
      const p = path ? `${path}.${key}` : key;
      if (p in DEFAULTS && (DEFAULTS[p] === undefined || DEFAULTS[p] === v[key])) continue;
      const c = clean(v[key], p);
      if (c !== undefined) out[key] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (v === null || v === '' || v === 0 || v === false) return undefined;
  return v;
}

/** The spec without empty values and engine defaults, keys sorted. */
export function normalizeServiceSpec(spec: unknown): Record<string, Json> {
  return (clean(spec, '') as Record<string, Json> | undefined) ?? {};
}

/** Paths of the service spec an update would change ('Mode.Replicated.Replicas'). */
export function serviceChanges(live: unknown, next: unknown): string[] {
  return changedFields(normalizeServiceSpec(live), normalizeServiceSpec(next));
}

/** A task's container spec against its service's: false for tasks of an older spec. */
export function sameContainerSpec(a: unknown, b: unknown): boolean {
  return JSON.stringify(clean(a, '')) === JSON.stringify(clean(b, ''));
}
