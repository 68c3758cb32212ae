/**
 * The inverse of resolveStackReferences, for values a user edits again: a revision records values
 * with their references resolved (`nfs.nas` plus the export's `server` and `path`; a saved S3
 * profile as an `external` object store naming the profile). Given back to the form as they were
 * typed, the references stay the source of truth: a moved export or a changed profile is looked
 * up again on the next deploy instead of being frozen into the values.
 */
type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function nasAsReference(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(nasAsReference);
  if (!isObject(value)) return value;
  const out: Obj = {};
  for (const [key, child] of Object.entries(value)) out[key] = nasAsReference(child);
  const nas = value.nas;
  if (isObject(nas) && nonEmpty(nas.host) && nonEmpty(nas.export)) {
    delete out.server;
    delete out.path;
  }
  return out;
}

export function asReferences(values: Obj): Obj {
  const out = nasAsReference(values) as Obj;
  const store = out.objectStore;
  if (isObject(store) && store.mode === 'external' && nonEmpty(store.profile)) {
    out.objectStore = {
      mode: 'profile',
      profile: store.profile,
      ...(store.bucket !== undefined ? { bucket: store.bucket } : {}),
    };
  }
  return out;
}
