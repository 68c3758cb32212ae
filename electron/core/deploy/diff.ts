/**
 * Which fields an apply would change: the server's dry-run answer against the live object, minus
 * what the server keeps for itself (status, bookkeeping metadata). Only paths come out, never
 * values, so a Secret's data shows as 'data.password' and nothing more.
 */
type Json = unknown;

const IGNORED_METADATA = ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp'];

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object without server bookkeeping and status, for comparison. */
export function comparable(o: Record<string, Json>): Record<string, Json> {
  const copy: Record<string, Json> = { ...o };
  delete copy.status;
  if (isObject(copy.metadata)) {
    const meta = { ...copy.metadata };
    for (const k of IGNORED_METADATA) delete meta[k];
    copy.metadata = meta;
  }
  return copy;
}

const segment = (key: string) => (/^[A-Za-z0-9_-]+$/.test(key) ? key : `[${JSON.stringify(key)}]`);
const join = (base: string, key: string) => {
  const seg = segment(key);
  if (!base || seg.startsWith('[')) return `${base}${seg}`;
  return `${base}.${seg}`;
};

function walk(a: Json, b: Json, path: string, out: string[]) {
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
      walk(a[key], b[key], join(path, key), out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, i) => walk(item, b[i], `${path}[${i}]`, out));
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path);
}

/** Dotted paths ('spec.replicas', 'spec.template.spec.containers[0].image') that differ. */
export function changedFields(live: Record<string, Json>, next: Record<string, Json>): string[] {
  const out: string[] = [];
  walk(comparable(live), comparable(next), '', out);
  return out;
}
