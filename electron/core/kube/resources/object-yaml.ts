import { stringify } from 'yaml';
import type { ObjectYaml, RevealedSecret } from '@shared/resource-schemas';
import { HomeportError } from '../../errors';
import type { KubeGateway } from '../kube-gateway';
import { collectionPath } from './discovery';
import { rec } from './row-base';
import { secretKeyNames } from './cluster-rows';

/** What a Secret value shows as in YAML until the user reveals it. */
export const MASK = '••••••••';

/** kubectl's copy of the last applied object: for a Secret it holds every value in clear. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type Json = Record<string, unknown>;

/**
 * The object as the user should see it: no managedFields (noise), and for a Secret every value of
 * data and stringData masked and kubectl's last-applied copy (values in clear) left out.
 */
export function presentable(obj: Json): Json {
  const metadata = { ...rec(obj.metadata) };
  delete metadata.managedFields;
  const out: Json = { ...obj, metadata };
  if (obj.kind !== 'Secret') return out;
  const annotations = { ...rec(metadata.annotations) };
  if (LAST_APPLIED in annotations) {
    annotations[LAST_APPLIED] = MASK;
    metadata.annotations = annotations;
  }
  for (const field of ['data', 'stringData'] as const) {
    if (obj[field] !== undefined) out[field] = Object.fromEntries(Object.keys(rec(obj[field])).map((k) => [k, MASK]));
  }
  return out;
}

const objectPath = (r: { group: string; version: string; plural: string; namespace?: string; name: string }) =>
  `${collectionPath(r, r.namespace)}/${encodeURIComponent(r.name)}`;

export async function getObjectYaml(
  gateway: KubeGateway,
  ref: { group: string; version: string; plural: string; namespace?: string; name: string },
): Promise<ObjectYaml> {
  const obj = await gateway.getJson<Json>(objectPath(ref));
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const shown = presentable(obj);
  return {
    kind,
    yaml: stringify(shown, { lineWidth: 0 }),
    ...(kind === 'Secret' ? { secretKeys: secretKeyNames(obj) } : {}),
  };
}

/**
 * One value of a Secret, decoded, for the user who asked to see it now. The value is returned and
 * nothing else: it is never logged, and an error names the key, never a value.
 */
export async function revealSecretValue(
  gateway: KubeGateway,
  ref: { namespace: string; name: string; key: string },
): Promise<RevealedSecret> {
  const secret = await gateway.getJson<Json>(
    objectPath({ group: '', version: 'v1', plural: 'secrets', namespace: ref.namespace, name: ref.name }),
  );
  const data = rec(secret.data);
  const stringData = rec(secret.stringData);
  const encoded = data[ref.key];
  if (typeof encoded !== 'string') {
    const plain = stringData[ref.key];
    if (typeof plain === 'string') return { value: plain, encoding: 'utf8' };
    throw new HomeportError(
      'NOT_FOUND',
      `Secret ${ref.namespace}/${ref.name} has no key '${ref.key}'. Its keys are: ${secretKeyNames(secret).join(', ') || 'none'}.`,
    );
  }
  const bytes = Buffer.from(encoded, 'base64');
  try {
    return { value: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf8' };
  } catch {
    return { value: encoded, encoding: 'base64' };
  }
}
