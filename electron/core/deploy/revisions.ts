/**
 * Revisions of a deployed stack, recorded like Helm's release Secrets: one Secret per apply
 * (`homeport-rev-<stack>-<N>`) holding the values and the rendered manifest, gzipped. The manifest
 * is recorded before generated Secret keys are filled, so it holds no generated secret values.
 */
import { hostname, userInfo } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Revision } from '@shared/deploy-schemas';
import { secretValueTest, summarizeValueChanges, valuesDiff, type SecretValueTest } from '@shared/plan-diff';
import { MANAGED_BY, MANAGED_BY_LABEL, STACK_LABEL, type KubeObject } from '../stacks/types';
import { FIELD_MANAGER, type DeployClient } from './client';
import { secretDataValues } from './plan-yaml';
import { known } from './paths';

export const REVISION_LABEL = 'homeport.dev/revision';
export const REVISION_SECRET_TYPE = 'homeport.dev/stack-revision';
const APPLIED_AT_ANNOTATION = 'homeport.dev/applied-at';
const MANAGER_ANNOTATION = 'homeport.dev/field-manager';
const HOST_ANNOTATION = 'homeport.dev/applied-from-host';
const USER_ANNOTATION = 'homeport.dev/applied-by-user';
const ROLLBACK_OF_ANNOTATION = 'homeport.dev/rollback-of';
export const ROLLOUT_ANNOTATION = 'homeport.dev/rollout';
const SECRETS = known('Secret');

/** The field manager, and the host and OS user Homeport runs as. */
export function localAuthor(): RevisionAuthor {
  let user = '';
  try {
    user = userInfo().username;
  } catch {
    // A user without a passwd entry (some containers): the host still says where it came from.
  }
  return { manager: FIELD_MANAGER, host: hostname(), user };
}

export const revisionSecretName = (stack: string, revision: number) => `homeport-rev-${stack}-${revision}`;

export interface RecordedRevision {
  revision: number;
  appliedAt: string;
  values: unknown;
  manifest: KubeObject[];
  /** Who applied it (absent on revisions recorded by earlier versions). */
  by?: RevisionAuthor;
  /** The revision a rollback brought back. */
  rollbackOf?: number;
  /** How its rollout ended, once seen. */
  rollout?: 'healthy' | 'failed';
}

/** Who applied a revision: the field manager, and the host and user Homeport ran as. */
export interface RevisionAuthor {
  manager: string;
  host: string;
  user: string;
}

const pack = (v: unknown) => gzipSync(Buffer.from(JSON.stringify(v))).toString('base64');
const unpack = (b64: string | undefined): unknown =>
  b64 ? JSON.parse(gunzipSync(Buffer.from(b64, 'base64')).toString('utf8')) : undefined;

export const isRevisionSecret = (o: KubeObject) =>
  o.kind === 'Secret' && (o.type === REVISION_SECRET_TYPE || REVISION_LABEL in (o.metadata.labels ?? {}));

export function revisionSecret(stack: string, namespace: string, r: RecordedRevision): KubeObject {
  const annotations: Record<string, string> = { [APPLIED_AT_ANNOTATION]: r.appliedAt };
  if (r.by) {
    annotations[MANAGER_ANNOTATION] = r.by.manager;
    annotations[HOST_ANNOTATION] = r.by.host;
    annotations[USER_ANNOTATION] = r.by.user;
  }
  if (r.rollbackOf !== undefined) annotations[ROLLBACK_OF_ANNOTATION] = String(r.rollbackOf);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: revisionSecretName(stack, r.revision),
      namespace,
      labels: { [STACK_LABEL]: stack, [REVISION_LABEL]: String(r.revision), [MANAGED_BY_LABEL]: MANAGED_BY },
      annotations,
    },
    type: REVISION_SECRET_TYPE,
    data: { 'values.json.gz': pack(r.values), 'manifest.json.gz': pack(r.manifest) },
  };
}

/** The revision Secrets of a stack, raw. */
export function listRevisionSecrets(client: DeployClient, namespace: string, stack: string): Promise<KubeObject[]> {
  return client
    .list(SECRETS, namespace, { labelSelector: `${STACK_LABEL}=${stack},${REVISION_LABEL}` })
    .then((items) => items.filter(isRevisionSecret));
}

export function decodeRevision(o: KubeObject): RecordedRevision {
  const data = (o.data as Record<string, string> | undefined) ?? {};
  const a = o.metadata.annotations ?? {};
  const rollbackOf = Number(a[ROLLBACK_OF_ANNOTATION]);
  const rollout = a[ROLLOUT_ANNOTATION];
  return {
    revision: Number(o.metadata.labels?.[REVISION_LABEL]),
    appliedAt: a[APPLIED_AT_ANNOTATION] ?? String(o.metadata.creationTimestamp ?? ''),
    values: unpack(data['values.json.gz']),
    manifest: (unpack(data['manifest.json.gz']) as KubeObject[] | undefined) ?? [],
    ...(a[MANAGER_ANNOTATION]
      ? { by: { manager: a[MANAGER_ANNOTATION], host: a[HOST_ANNOTATION] ?? '', user: a[USER_ANNOTATION] ?? '' } }
      : {}),
    ...(Number.isInteger(rollbackOf) && rollbackOf > 0 ? { rollbackOf } : {}),
    ...(rollout === 'healthy' || rollout === 'failed' ? { rollout } : {}),
  };
}

/** Recorded revisions, newest first. */
export async function readRevisions(client: DeployClient, namespace: string, stack: string) {
  const secrets = await listRevisionSecrets(client, namespace, stack);
  return secrets
    .map(decodeRevision)
    .filter((r) => Number.isInteger(r.revision) && r.revision > 0)
    .sort((a, b) => b.revision - a.revision);
}

export function toRevisionList(recorded: RecordedRevision[]): Revision[] {
  return recorded.map((r, i) => ({
    revision: r.revision,
    appliedAt: r.appliedAt,
    values: r.values,
    objects: r.manifest.length,
    current: i === 0,
    ...revisionDetails(
      r,
      recorded[i + 1],
      secretValueTest(secretDataValues([...r.manifest, ...(recorded[i + 1]?.manifest ?? [])])),
    ),
  }));
}

/**
 * Who, what and how of a revision for the revision list, on any target: `previous` is the revision
 * recorded before it (newest-first lists: the next one), absent for the first.
 */
export function revisionDetails(
  r: { values: unknown; by?: RevisionAuthor; rollbackOf?: number; rollout?: 'healthy' | 'failed' },
  previous: { values: unknown } | undefined,
  inSecret?: SecretValueTest,
): Pick<Revision, 'manager' | 'host' | 'user' | 'summary' | 'rollout' | 'rollbackOf'> {
  const what = previous ? summarizeValueChanges(valuesDiff(previous.values, r.values, inSecret)) : 'first revision';
  return {
    ...(r.by ? { manager: r.by.manager, host: r.by.host, user: r.by.user } : {}),
    summary: r.rollbackOf !== undefined ? `rollback to ${r.rollbackOf}: ${what}` : what,
    ...(r.rollout ? { rollout: r.rollout } : {}),
    ...(r.rollbackOf !== undefined ? { rollbackOf: r.rollbackOf } : {}),
  };
}

/**
 * Records how the newest revision's rollout ended, once: a later change of state belongs to the
 * running workloads, not to how the revision rolled out. Returns whether it recorded.
 */
export async function recordRollout(
  client: DeployClient,
  namespace: string,
  stack: string,
  outcome: 'healthy' | 'failed',
): Promise<boolean> {
  const secrets = await listRevisionSecrets(client, namespace, stack);
  const newest = secrets
    .filter((s) => Number.isInteger(Number(s.metadata.labels?.[REVISION_LABEL])))
    .sort((a, b) => Number(b.metadata.labels?.[REVISION_LABEL]) - Number(a.metadata.labels?.[REVISION_LABEL]))[0];
  if (!newest || newest.metadata.annotations?.[ROLLOUT_ANNOTATION]) return false;
  await client.patch(SECRETS, newest.metadata.name, namespace, {
    metadata: { annotations: { [ROLLOUT_ANNOTATION]: outcome } },
  });
  return true;
}

export async function recordRevision(client: DeployClient, stack: string, namespace: string, r: RecordedRevision) {
  await client.create(SECRETS, revisionSecret(stack, namespace, r));
}
