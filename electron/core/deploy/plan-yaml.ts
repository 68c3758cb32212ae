/**
 * The YAML of an object as a plan shows it, live next to desired: without the server's bookkeeping
 * (managedFields, status, resourceVersion...) and with every credential replaced by "(secret)" (a
 * Secret's data, env values whose name is a credential's), or "(secret, changed)" where the
 * desired value differs from the live one. No secret value ever leaves this module.
 */
import { stringify } from 'yaml';
import { isSecretKey, SECRET_CHANGED_MASK, SECRET_MASK } from '@shared/plan-diff';
import { comparable } from './diff';

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

const NOISY_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision'];

function withoutNoise(o: Record<string, Json>): Record<string, Json> {
  const copy = comparable(o);
  if (isObject(copy.metadata)) {
    const meta = { ...copy.metadata };
    delete meta.selfLink;
    if (isObject(meta.annotations)) {
      const annotations = { ...meta.annotations };
      for (const a of NOISY_ANNOTATIONS) delete annotations[a];
      if (Object.keys(annotations).length) meta.annotations = annotations;
      else delete meta.annotations;
    }
    copy.metadata = meta;
  }
  return copy;
}

const mask = (value: Json, other: Json, hasOther: boolean) =>
  hasOther && other !== undefined && JSON.stringify(other) !== JSON.stringify(value)
    ? SECRET_CHANGED_MASK
    : SECRET_MASK;

/**
 * `v` with credentials masked; `other` is the same place on the other side (live for desired), so a
 * changed credential reads "(secret, changed)" and an unchanged one the same on both sides.
 */
function masked(v: Json, other: Json, hasOther: boolean, key = ''): Json {
  if (Array.isArray(v)) {
    const others = Array.isArray(other) ? other : [];
    return v.map((item, i) => {
      // Swarm's ContainerSpec.Env: 'NAME=value'.
      if (key === 'Env' && typeof item === 'string') {
        const at = item.indexOf('=');
        const name = at > 0 ? item.slice(0, at) : item;
        if (at > 0 && isSecretKey(name)) {
          const before = others.find((x) => typeof x === 'string' && x.startsWith(`${name}=`));
          return `${name}=${mask(item, before, hasOther)}`;
        }
        return item;
      }
      // Kubernetes env entries: { name, value }; matched by name on the other side.
      const match =
        isObject(item) && typeof item.name === 'string'
          ? others.find((x) => isObject(x) && x.name === item.name)
          : others[i];
      return masked(item, match, hasOther, key);
    });
  }
  if (!isObject(v)) return v;
  const o = isObject(other) ? other : {};
  const out: Record<string, Json> = {};
  for (const [k, value] of Object.entries(v)) {
    const envValue = k === 'value' && typeof v.name === 'string' && isSecretKey(v.name);
    if ((envValue || isSecretKey(k)) && (typeof value === 'string' || typeof value === 'number'))
      out[k] = mask(value, o[k], hasOther);
    else out[k] = masked(value, o[k], hasOther, k);
  }
  return out;
}

/** A Kubernetes Secret's data and stringData: every value masked, the keys kept. */
function maskSecretData(v: Record<string, Json>, other: Record<string, Json> | undefined, hasOther: boolean) {
  const out: Record<string, Json> = {};
  for (const field of ['data', 'stringData']) {
    const data = v[field];
    if (!isObject(data)) continue;
    const before = other && isObject(other[field]) ? other[field] : {};
    out[field] = Object.fromEntries(Object.entries(data).map(([k, x]) => [k, mask(x, before[k], hasOther)]));
  }
  return out;
}

function prepare(o: Record<string, Json>, other: Record<string, Json> | undefined, hasOther: boolean, kube: boolean) {
  const clean = kube ? withoutNoise(o) : o;
  const cleanOther = other && kube ? withoutNoise(other) : other;
  if (clean.kind !== 'Secret') return masked(clean, cleanOther, hasOther) as Record<string, Json>;
  const rest = { ...clean };
  delete rest.data;
  delete rest.stringData;
  return {
    ...(masked(rest, cleanOther, hasOther) as Record<string, Json>),
    ...maskSecretData(clean, cleanOther, hasOther),
  };
}

const toYaml = (o: Record<string, Json>) => stringify(o, { lineWidth: 0 });

/**
 * The live and desired YAML of one object (either may be absent: created or pruned), masked.
 * `kube`: the objects are Kubernetes objects (server bookkeeping is dropped).
 */
export function planYaml(
  live: Record<string, Json> | undefined,
  desired: Record<string, Json> | undefined,
  kube = true,
): { live?: string; desired?: string } {
  const out: { live?: string; desired?: string } = {};
  if (live) out.live = toYaml(prepare(live, undefined, false, kube));
  if (desired) out.desired = toYaml(prepare(desired, live, live !== undefined, kube));
  return out;
}

/** The values a manifest stores in its Secrets (data decoded, stringData as is). */
export function secretDataValues(manifest: { kind?: string; data?: unknown; stringData?: unknown }[]): string[] {
  const out: string[] = [];
  for (const o of manifest) {
    if (o.kind !== 'Secret') continue;
    if (isObject(o.data))
      for (const v of Object.values(o.data))
        if (typeof v === 'string') out.push(Buffer.from(v, 'base64').toString('utf8'));
    if (isObject(o.stringData)) for (const v of Object.values(o.stringData)) if (typeof v === 'string') out.push(v);
  }
  return out;
}
