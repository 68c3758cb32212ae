/**
 * Generated Secret keys: a rendered Secret lists them in its generated-keys annotation and leaves
 * them out of its data. The live Secret's values are kept; only missing keys get a fresh random
 * value. Values stay inside the objects sent to the API server: never logged, never returned.
 *
 * Provided Secret keys (homeport.dev/provided-keys): filled from the ProvidedSecrets the caller
 * resolved from Homeport's store (a saved S3 profile's keys), on every apply, so a rotated key is
 * an update of the Secret. Like generated keys, they are only ever sent to the API server.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ProvidedSecrets } from '../stacks/model';
import { HomeportError } from '../errors';
import { templateRefs, TEMPLATE_REF } from '../stacks/model';
import {
  GENERATED_HEX_KEYS_ANNOTATION,
  GENERATED_KEYS_ANNOTATION,
  PROVIDED_KEYS_ANNOTATION,
  TEMPLATES_ANNOTATION,
  type KubeObject,
} from '../stacks/types';

/** 32 random bytes, base64url: the value of a generated key. */
export const defaultRandomSecret = () => randomBytes(32).toString('base64url');
/** 32 random bytes as 64 hex digits: a generated key of format hex32 (an AES-256 key). */
export const randomHex32 = () => randomBytes(32).toString('hex');

const listAnnotation = (o: KubeObject, name: string): string[] =>
  o.kind !== 'Secret'
    ? []
    : (o.metadata.annotations?.[name] ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);

export const generatedKeys = (o: KubeObject) => listAnnotation(o, GENERATED_KEYS_ANNOTATION);

type SecretData = Record<string, string>;

/** The rendered Secret with its generated keys filled: from the live Secret, else freshly made. */
export function fillGenerated(
  o: KubeObject,
  live: KubeObject | undefined,
  randomSecret: () => string,
  randomHex: () => string = randomHex32,
): KubeObject {
  const keys = generatedKeys(o);
  if (keys.length === 0) return o;
  const hex = new Set(listAnnotation(o, GENERATED_HEX_KEYS_ANNOTATION));
  const data: SecretData = { ...(o.data as SecretData | undefined) };
  const stringData = o.stringData as SecretData | undefined;
  const liveData = (live?.data as SecretData | undefined) ?? {};
  for (const key of keys) {
    if (key in data || (stringData && key in stringData)) continue;
    data[key] = liveData[key] ?? Buffer.from(hex.has(key) ? randomHex() : randomSecret()).toString('base64');
  }
  return { ...o, data };
}

export const providedKeys = (o: KubeObject) => listAnnotation(o, PROVIDED_KEYS_ANNOTATION);

/** The templates of a rendered Secret's keys (key -> template), from its templates annotation. */
export function secretTemplates(o: KubeObject): Record<string, string> {
  const raw = o.kind === 'Secret' ? o.metadata.annotations?.[TEMPLATES_ANNOTATION] : undefined;
  return raw ? (JSON.parse(raw) as Record<string, string>) : {};
}

/** The secrets (other than the manifest's own) that the manifest's templates read: existing ones. */
export function templateSources(manifest: readonly KubeObject[]): string[] {
  const own = new Set(manifest.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name));
  const names = manifest.flatMap((o) =>
    Object.values(secretTemplates(o)).flatMap((t) => templateRefs(t).map((r) => r.secret)),
  );
  return [...new Set(names.filter((n) => !own.has(n)))].sort();
}

/**
 * The Secret with its template keys filled: each `{{secret/key}}` gets that key's value, looked up
 * in `values` (the manifest's Secrets once filled, and the existing Secrets they read). A missing
 * value is an error naming the reference, never a value.
 */
export function fillTemplates(o: KubeObject, values: (secret: string, key: string) => string | undefined): KubeObject {
  const templates = secretTemplates(o);
  const keys = Object.keys(templates);
  if (keys.length === 0) return o;
  const data: SecretData = { ...(o.data as SecretData | undefined) };
  for (const key of keys) {
    const text = (templates[key] ?? '').replace(TEMPLATE_REF, (_m, secret: string, k: string) => {
      const v = values(secret, k);
      if (v === undefined) {
        throw new HomeportError(
          'INVALID_INPUT',
          `Secret '${o.metadata.name}' key '${key}' reads ${secret}/${k}, which does not exist: create the Secret '${secret}' with the key '${k}' in the namespace`,
        );
      }
      return v;
    });
    data[key] = Buffer.from(text).toString('base64');
  }
  return { ...o, data };
}

/**
 * Provided keys of the manifest's Secrets that `provided` lacks, as `<secret>/<key>`. Checked
 * before anything reaches the cluster; only names come out, never values.
 */
export function missingProvided(manifest: readonly KubeObject[], provided: ProvidedSecrets | undefined): string[] {
  return manifest.flatMap((o) =>
    providedKeys(o)
      .filter((key) => provided?.[o.metadata.name]?.[key] === undefined)
      .map((key) => `${o.metadata.name}/${key}`),
  );
}

/** The rendered Secret with its provided keys filled from `provided` (checked with missingProvided before). */
export function fillProvided(o: KubeObject, provided: ProvidedSecrets | undefined): KubeObject {
  const keys = providedKeys(o);
  if (keys.length === 0) return o;
  const data: SecretData = { ...(o.data as SecretData | undefined) };
  const values = provided?.[o.metadata.name] ?? {};
  for (const key of keys) {
    const value = values[key];
    if (value === undefined) throw new Error(`Secret '${o.metadata.name}': the provided key '${key}' is missing`);
    data[key] = Buffer.from(value).toString('base64');
  }
  return { ...o, data };
}

/** On a pod template: a hash of the provided Secret values its containers read, so a rotated key rolls the pods. */
export const PROVIDED_HASH_ANNOTATION = 'homeport.dev/provided-hash';

interface PodTemplate {
  metadata?: { annotations?: Record<string, string>; [k: string]: unknown };
  spec?: {
    containers?: {
      env?: { valueFrom?: { secretKeyRef?: { name?: string; key?: string } } }[];
      envFrom?: { secretRef?: { name?: string } }[];
      volumeMounts?: { name?: string; subPath?: string }[];
    }[];
    volumes?: { name?: string; secret?: { secretName?: string; items?: { key?: string }[] } }[];
  };
}

/** The Secret keys a pod reads (`*` for a whole Secret), by Secret name. */
function secretKeysRead(spec: NonNullable<PodTemplate['spec']>): Map<string, Set<string>> {
  const read = new Map<string, Set<string>>();
  const add = (name: string | undefined, key: string) => {
    if (!name) return;
    if (!read.has(name)) read.set(name, new Set());
    read.get(name)?.add(key);
  };
  for (const c of spec.containers ?? []) {
    for (const e of c.env ?? []) add(e.valueFrom?.secretKeyRef?.name, e.valueFrom?.secretKeyRef?.key ?? '*');
    for (const e of c.envFrom ?? []) add(e.secretRef?.name, '*');
    for (const m of c.volumeMounts ?? []) {
      const v = spec.volumes?.find((x) => x.name === m.name)?.secret;
      if (!v?.secretName) continue;
      // A subPath mount reads one key; a whole volume reads its items, or every key.
      if (m.subPath) add(v.secretName, m.subPath);
      else if (v.items?.length) for (const i of v.items) add(v.secretName, i.key ?? '*');
      else add(v.secretName, '*');
    }
  }
  return read;
}

/**
 * The Secret values whose change must roll the pods reading them: the provided ones, and the
 * template keys filled from them (a config file holding a provided key).
 */
export function rollingSecretValues(
  objects: readonly KubeObject[],
  provided: ProvidedSecrets | undefined,
): ProvidedSecrets {
  const out: ProvidedSecrets = { ...provided };
  for (const o of objects) {
    const templates = secretTemplates(o);
    const keys = Object.keys(templates).filter((k) =>
      templateRefs(templates[k] ?? '').some((r) => provided?.[r.secret] !== undefined),
    );
    if (keys.length === 0) continue;
    const data = (o.data ?? {}) as SecretData;
    out[o.metadata.name] = Object.fromEntries(keys.map((k) => [k, Buffer.from(data[k] ?? '', 'base64').toString()]));
  }
  return out;
}

/**
 * The workload with PROVIDED_HASH_ANNOTATION on its pod template when its containers read a provided
 * Secret (or one filled from provided keys, see rollingSecretValues): pods take Secret values at
 * start, so a rotated key must roll them. The hash (sha256 over the values with their names, 16 hex
 * digits) cannot be turned back into a value.
 */
export function stampProvidedHash(o: KubeObject, provided: ProvidedSecrets | undefined): KubeObject {
  if (!provided || (o.kind !== 'Deployment' && o.kind !== 'StatefulSet')) return o;
  const spec = o.spec as { template?: PodTemplate } | undefined;
  const template = spec?.template;
  if (!template?.spec) return o;
  const read = secretKeysRead(template.spec);
  const h = createHash('sha256').update('homeport provided secrets\0');
  let any = false;
  for (const name of [...read.keys()].sort()) {
    const data = provided[name];
    if (!data) continue;
    const keys = read.get(name) ?? new Set<string>();
    for (const key of Object.keys(data).sort()) {
      if (!keys.has('*') && !keys.has(key)) continue;
      any = true;
      h.update(`${name}\0${key}\0${data[key] ?? ''}\0`);
    }
  }
  if (!any) return o;
  const annotations = { ...template.metadata?.annotations, [PROVIDED_HASH_ANNOTATION]: h.digest('hex').slice(0, 16) };
  return { ...o, spec: { ...spec, template: { ...template, metadata: { ...template.metadata, annotations } } } };
}
