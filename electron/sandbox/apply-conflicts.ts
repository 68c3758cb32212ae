/**
 * Server-side apply conflicts: an apply that would change a field another field manager owns is
 * refused with 409 Conflict unless forced; forced, the other managers lose those fields. The
 * words follow k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go (NewConflictError,
 * getConflictMessage, printManager).
 */
import { ApiError } from './http-util';
import { fieldSetOf, stripMeta, type FieldSet, type Json, type JsonObject, type ManagedFieldsEntry } from './patch';

export interface ApplyConflict {
  entry: ManagedFieldsEntry;
  /** Keys into a FieldSet (`f:spec`, `k:{"name":"api"}`), root first. */
  keys: string[];
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function equal(a: Json | undefined, b: Json | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return a === b;
}

function leaves(set: FieldSet, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, sub] of Object.entries(set)) {
    const keys = [...prefix, k];
    if (Object.keys(sub).length === 0) out.push(keys);
    else out.push(...leaves(sub, keys));
  }
  return out;
}

function step(value: Json | undefined, key: string): Json | undefined {
  if (key.startsWith('f:')) return isObject(value) ? value[key.slice(2)] : undefined;
  if (key.startsWith('k:') && Array.isArray(value)) {
    const want = JSON.parse(key.slice(2)) as JsonObject;
    return value.find((item) => isObject(item) && Object.entries(want).every(([n, v]) => item[n] === v));
  }
  return undefined;
}

const valueAt = (o: Json, keys: string[]) => keys.reduce<Json | undefined>((v, k) => step(v, k), o);

function owns(set: FieldSet, keys: string[]): boolean {
  let cur: FieldSet | undefined = set;
  for (const k of keys) {
    cur = cur?.[k];
    if (!cur) return false;
  }
  return true;
}

/** A path as structured-merge-diff prints it: `.spec.replicas`, `.spec.containers[name="api"].image`. */
export function pathString(keys: string[]): string {
  return keys
    .map((k) => {
      if (k.startsWith('f:')) return `.${k.slice(2)}`;
      const key = JSON.parse(k.slice(2)) as JsonObject;
      return `[${Object.entries(key)
        .map(([n, v]) => `${n}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

/** How the API server names a manager in a conflict: `"kubectl-client-side-apply" using apps/v1`. */
export function printManager(e: ManagedFieldsEntry): string {
  const name = `"${e.manager}"${e.subresource ? ` with subresource "${e.subresource}"` : ''}`;
  return e.operation === 'Update' ? `${name} using ${e.apiVersion}` : name;
}

/** The fields `applied` would change that a manager other than `manager` (applying) owns. */
export function findConflicts(live: JsonObject, applied: JsonObject, manager: string): ApplyConflict[] {
  const entries = ((live.metadata as JsonObject | undefined)?.managedFields ?? []) as unknown as ManagedFieldsEntry[];
  const others = entries.filter((e) => !(e.manager === manager && e.operation === 'Apply'));
  const conflicts: ApplyConflict[] = [];
  for (const keys of leaves(fieldSetOf(stripMeta(applied)))) {
    const value = valueAt(applied, keys);
    // An empty map (like metadata once name and namespace are left out) sets no field of its own.
    if (isObject(value) || equal(valueAt(live, keys), value)) continue;
    for (const entry of others) if (owns(entry.fieldsV1, keys)) conflicts.push({ entry, keys });
  }
  return conflicts;
}

export function conflictError(conflicts: ApplyConflict[]): ApiError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.entry)}`,
    field: pathString(c.keys),
  }));
  let message: string;
  const [only] = conflicts;
  if (conflicts.length === 1 && only) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(only.entry)}: ${pathString(only.keys)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const m = printManager(c.entry);
      byManager.set(m, [...(byManager.get(m) ?? []), pathString(c.keys)]);
    }
    const lines = [...byManager.keys()]
      .sort()
      .flatMap((m) => [`conflicts with ${m}:`, ...(byManager.get(m) ?? []).map((p) => `- ${p}`)]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

/** A forced apply takes the conflicting fields: they leave the other managers' sets. */
export function dropOwnership(live: JsonObject, conflicts: ApplyConflict[]) {
  for (const { entry, keys } of conflicts) {
    let set: FieldSet | undefined = entry.fieldsV1;
    for (const k of keys.slice(0, -1)) set = set?.[k];
    if (set) delete set[keys[keys.length - 1] ?? ''];
  }
  const meta = live.metadata as JsonObject | undefined;
  if (meta && Array.isArray(meta.managedFields)) {
    meta.managedFields = (meta.managedFields as unknown as ManagedFieldsEntry[]).filter(
      (e) => Object.keys(e.fieldsV1).length > 0,
    ) as unknown as Json;
  }
}
