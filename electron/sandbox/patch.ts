/** Merge patch (RFC 7386), strategic merge patch and server-side apply over plain JSON. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The lists Kubernetes merges by a key instead of replacing (the strategic-merge-patch keys). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  conditions: 'type',
  tolerations: 'key',
  hostAliases: 'ip',
  ownerReferences: 'uid',
};

const mergeKeyFor = (field: string, items: Json[]): string | undefined => {
  if (field === 'ports' && items.some((i) => isObject(i) && 'port' in i && !('containerPort' in i))) return 'port';
  const key = MERGE_KEYS[field];
  return key && items.every((i) => isObject(i) && key in i) ? key : undefined;
};

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

export function strategicMergePatch(target: Json, patch: Json, field = ''): Json {
  if (Array.isArray(patch)) {
    const key = mergeKeyFor(field, patch);
    if (!key || !Array.isArray(target)) return structuredClone(patch);
    const out = [...target];
    for (const item of patch as JsonObject[]) {
      const i = out.findIndex((t) => isObject(t) && t[key] === item[key]);
      if (item.$patch === 'delete') {
        if (i >= 0) out.splice(i, 1);
      } else if (i >= 0) out[i] = strategicMergePatch(out[i] ?? null, item);
      else out.push(structuredClone(item));
    }
    return out;
  }
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') continue;
    if (v === null) delete out[k];
    else out[k] = strategicMergePatch(out[k] ?? null, v, k);
  }
  return out;
}

/** A FieldsV1 set (as in metadata.managedFields): `f:name` for fields, `k:{...}` for list items. */
export type FieldSet = { [k: string]: FieldSet };

export function fieldSetOf(value: Json, field = ''): FieldSet {
  const set: FieldSet = {};
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) set[`f:${k}`] = fieldSetOf(v, k);
  } else if (Array.isArray(value)) {
    const key = mergeKeyFor(field, value);
    if (key)
      for (const item of value as JsonObject[]) set[`k:${JSON.stringify({ [key]: item[key] })}`] = fieldSetOf(item);
  }
  return set;
}

/** Removes from `target` what `previous` owned and `next` no longer does. */
function prune(target: Json, previous: FieldSet, next: FieldSet): Json {
  if (isObject(target)) {
    const out: JsonObject = { ...target };
    for (const [k, sub] of Object.entries(previous)) {
      if (!k.startsWith('f:')) continue;
      const name = k.slice(2);
      if (!(k in next)) delete out[name];
      else if (name in out) out[name] = pruneChild(out[name] ?? null, sub, next[k] ?? {});
    }
    return out;
  }
  return target;
}

function pruneChild(value: Json, previous: FieldSet, next: FieldSet): Json {
  if (Array.isArray(value)) {
    return value
      .filter((item) => {
        if (!isObject(item)) return true;
        const owned = Object.keys(previous).find((k) => k.startsWith('k:') && matchesKey(item, k));
        return !owned || Object.keys(next).some((k) => k.startsWith('k:') && matchesKey(item, k));
      })
      .map((item) => {
        if (!isObject(item)) return item;
        const k = Object.keys(previous).find((p) => p.startsWith('k:') && matchesKey(item, p));
        return k && next[k] ? prune(item, previous[k] ?? {}, next[k] ?? {}) : item;
      });
  }
  return prune(value, previous, next);
}

function matchesKey(item: JsonObject, k: string): boolean {
  const key = JSON.parse(k.slice(2)) as JsonObject;
  return Object.entries(key).every(([name, v]) => item[name] === v);
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldSet;
  subresource?: string;
}

/**
 * Server-side apply: merge the applied configuration into the live object, drop the fields this
 * manager applied before but no longer does, and record what the manager now owns.
 */
export function serverSideApply(
  live: JsonObject | undefined,
  applied: JsonObject,
  manager: string,
  apiVersion: string,
): JsonObject {
  const appliedFields = fieldSetOf(stripMeta(applied));
  const entries = ((live?.metadata as JsonObject | undefined)?.managedFields ?? []) as unknown as ManagedFieldsEntry[];
  const previous = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  let base: Json = live ?? {};
  if (previous) base = prune(base, previous.fieldsV1, appliedFields);
  const merged = strategicMergePatch(base, applied) as JsonObject;
  const entry: ManagedFieldsEntry = {
    manager,
    operation: 'Apply',
    apiVersion,
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    fieldsType: 'FieldsV1',
    fieldsV1: appliedFields,
  };
  const meta = (merged.metadata ?? {}) as JsonObject;
  meta.managedFields = [
    ...entries.filter((e) => !(e.manager === manager && e.operation === 'Apply')),
    entry,
  ] as unknown as Json;
  merged.metadata = meta;
  return merged;
}

/** Identity fields are not "owned" by an applier. */
export function stripMeta(applied: JsonObject): JsonObject {
  const copy = { ...applied };
  delete copy.apiVersion;
  delete copy.kind;
  if (isObject(copy.metadata)) {
    const meta = { ...copy.metadata };
    delete meta.name;
    delete meta.namespace;
    copy.metadata = meta;
  }
  return copy;
}
