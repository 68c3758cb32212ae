/**
 * Revisions of a deployed stack, recorded like Helm's release Secrets: one Secret per apply
 * (`homeport-rev-<stack>-<N>`) holding the values and the rendered manifest, gzipped. The manifest
 * is recorded before generated Secret keys are filled, so it holds no generated secret values.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Revision } from '@shared/deploy-schemas';
import { MANAGED_BY, MANAGED_BY_LABEL, STACK_LABEL, type KubeObject } from '../stacks/types';
import type { DeployClient } from './client';
import { known } from './paths';

export const REVISION_LABEL = 'homeport.dev/revision';
export const REVISION_SECRET_TYPE = 'homeport.dev/stack-revision';
const APPLIED_AT_ANNOTATION = 'homeport.dev/applied-at';
const SECRETS = known('Secret');

export const revisionSecretName = (stack: string, revision: number) => `homeport-rev-${stack}-${revision}`;

export interface RecordedRevision {
  revision: number;
  appliedAt: string;
  values: unknown;
  manifest: KubeObject[];
}

const pack = (v: unknown) => gzipSync(Buffer.from(JSON.stringify(v))).toString('base64');
const unpack = (b64: string | undefined): unknown =>
  b64 ? JSON.parse(gunzipSync(Buffer.from(b64, 'base64')).toString('utf8')) : undefined;

export const isRevisionSecret = (o: KubeObject) =>
  o.kind === 'Secret' && (o.type === REVISION_SECRET_TYPE || REVISION_LABEL in (o.metadata.labels ?? {}));

export function revisionSecret(
  stack: string,
  namespace: string,
  r: { revision: number; appliedAt: string; values: unknown; manifest: KubeObject[] },
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: revisionSecretName(stack, r.revision),
      namespace,
      labels: { [STACK_LABEL]: stack, [REVISION_LABEL]: String(r.revision), [MANAGED_BY_LABEL]: MANAGED_BY },
      annotations: { [APPLIED_AT_ANNOTATION]: r.appliedAt },
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
  return {
    revision: Number(o.metadata.labels?.[REVISION_LABEL]),
    appliedAt: o.metadata.annotations?.[APPLIED_AT_ANNOTATION] ?? String(o.metadata.creationTimestamp ?? ''),
    values: unpack(data['values.json.gz']),
    manifest: (unpack(data['manifest.json.gz']) as KubeObject[] | undefined) ?? [],
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
  }));
}

export async function recordRevision(client: DeployClient, stack: string, namespace: string, r: RecordedRevision) {
  await client.create(SECRETS, revisionSecret(stack, namespace, r));
}
