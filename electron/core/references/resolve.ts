/**
 * Stack values may name things Homeport saves instead of spelling them out: a NAS host's export
 * (`nfs.nas: { host, export }`) and an S3 profile (`objectStore: { mode: 'profile', profile, bucket }`).
 * resolveStackReferences turns them into what the renderers need, at deploy time:
 *
 * - Any object with `nas: { host, export }` gets `server` and `path` from the export (`nas` stays,
 *   for the record): `nfs.nas`, `backup.inCluster.nfs.nas`, a user stack's `volumes.<name>.nas`.
 *   An object with `enabled: false`, or under one, is not looked up (`nfs.enabled: false`, the
 *   in-cluster backup switched off).
 * - A profile object store becomes an external one (endpoint, region, bucket, path style) whose
 *   credentials Secret is `<stack>-s3-credentials`, with `profile` kept for the record. The keys go
 *   into `provided` (secret name -> key -> value) and from there straight into a Kubernetes Secret
 *   or Swarm secrets: never into the values, and so never into revisions, plans or rendered output.
 *
 * The lookups come from the NAS and S3 services; they throw for unknown names. Their errors come back
 * as a StackReferenceError naming the field ('volumes.media.nas.export': ...). A lookup error with
 * `field: 'host' | 'export'` (nasExport) points at that field; otherwise the error names the
 * `nas` object ('nfs.nas') or `objectStore.profile`. Values that are malformed are passed on unchanged: the stack's schema
 * reports them when the deployer validates.
 */
import type { FieldIssue } from '@shared/deploy-schemas';
import { ValuesError } from '../stacks/values-error';
import { errorMessage } from '../errors';
import type { ProvidedSecrets } from '../stacks/model';

export type { ProvidedSecrets } from '../stacks/model';

export interface NasExportTarget {
  server: string;
  path: string;
}

export interface S3ProfileCredentials {
  endpoint: string;
  region: string;
  pathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ReferenceLookups {
  /** The NFS server and exported path of a Homeport-managed export on a saved NAS host. */
  nasExport(host: string, exportName: string): Promise<NasExportTarget>;
  /** A saved S3 profile with its keys (from Homeport's encrypted store). */
  s3Profile(profile: string): Promise<S3ProfileCredentials>;
}

export interface ResolvedReferences {
  values: unknown;
  provided: ProvidedSecrets;
  /** Buckets of saved S3 profiles the values use: Homeport makes sure they exist before applying. */
  buckets?: { profile: string; bucket: string }[];
}

/** Keys of the provided S3 credentials Secret, as the renderers read them. */
export const S3_ACCESS_KEY_ID = 'access-key-id';
export const S3_SECRET_ACCESS_KEY = 'secret-access-key';

/** The Secret a stack's S3 profile keys are provided in. */
export const s3CredentialsSecretName = (stack: string) => `${stack}-s3-credentials`;

/** A reference that could not be resolved; `issues` name the fields like ValuesError's. */
export class StackReferenceError extends ValuesError {
  constructor(issues: FieldIssue[]) {
    super(issues);
    this.name = 'StackReferenceError';
    this.message = issues.map((i) => `'${i.path}': ${i.message}`).join('; ');
  }
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** The field a NAS lookup error is about: the lookup may say so with `field: 'host' | 'export'`. */
function nasField(err: unknown, at: string): string {
  const field = isObject(err) ? err.field : undefined;
  return field === 'host' || field === 'export' ? `${at}.nas.${field}` : `${at}.nas`;
}

/**
 * Every object of the values that names a NAS export (`nas: { host, export }`) gets `server` and
 * `path` from it, at any depth (`nfs`, `backup.inCluster.nfs`, a user stack's `volumes.media`).
 * An object switched off (`enabled: false`, on it or on an object above it) is left alone.
 */
async function resolveNasExports(
  value: unknown,
  path: string[],
  lookups: ReferenceLookups,
  issues: FieldIssue[],
): Promise<unknown> {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const [i, item] of value.entries())
      out.push(await resolveNasExports(item, [...path, String(i)], lookups, issues));
    return out;
  }
  if (!isObject(value) || value.enabled === false) return value;
  const out: Obj = { ...value };
  for (const [key, child] of Object.entries(value)) {
    if (key !== 'nas') out[key] = await resolveNasExports(child, [...path, key], lookups, issues);
  }
  const nas = value.nas;
  if (isObject(nas) && nonEmpty(nas.host) && nonEmpty(nas.export)) {
    try {
      const target = await lookups.nasExport(nas.host, nas.export);
      out.server = target.server;
      out.path = target.path;
    } catch (err) {
      issues.push({ path: nasField(err, path.join('.')), message: errorMessage(err) });
    }
  }
  return out;
}

export async function resolveStackReferences(
  stack: string,
  values: unknown,
  lookups: ReferenceLookups,
): Promise<ResolvedReferences> {
  const provided: ProvidedSecrets = {};
  const buckets: { profile: string; bucket: string }[] = [];
  if (!isObject(values)) return { values, provided };
  const issues: FieldIssue[] = [];
  const out: Obj = {};
  // The object store's profile is resolved below; everything else is searched for NAS exports.
  for (const [key, child] of Object.entries(values)) {
    out[key] = key === 'objectStore' ? child : await resolveNasExports(child, [key], lookups, issues);
  }

  const store = out.objectStore;
  // 'external' with a profile is what a recorded revision holds once resolved: its keys are provided again.
  const profileRef = isObject(store) && (store.mode === 'profile' || store.mode === 'external');
  if (isObject(store) && profileRef && nonEmpty(store.profile)) {
    try {
      const p = await lookups.s3Profile(store.profile);
      const secret = s3CredentialsSecretName(stack);
      const { profile, bucket } = store;
      out.objectStore = {
        mode: 'external',
        endpoint: p.endpoint,
        region: p.region,
        ...(bucket !== undefined ? { bucket } : {}),
        usePathStyle: p.pathStyle,
        credentialsSecret: secret,
        profile,
      };
      provided[secret] = { [S3_ACCESS_KEY_ID]: p.accessKeyId, [S3_SECRET_ACCESS_KEY]: p.secretAccessKey };
      if (nonEmpty(bucket)) buckets.push({ profile, bucket });
    } catch (err) {
      issues.push({ path: 'objectStore.profile', message: errorMessage(err) });
    }
  }

  if (issues.length > 0) throw new StackReferenceError(issues);
  return { values: out, provided, ...(buckets.length > 0 ? { buckets } : {}) };
}
