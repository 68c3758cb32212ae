/**
 * Generated Secret keys: a rendered Secret lists them in its generated-keys annotation and leaves
 * them out of its data. The live Secret's values are kept; only missing keys get a fresh random
 * value. Values stay inside the objects sent to the API server: never logged, never returned.
 */
import { randomBytes } from 'node:crypto';
import { GENERATED_KEYS_ANNOTATION, type KubeObject } from '../stacks/types';

/** 32 random bytes, base64url: the value of a generated key. */
export const defaultRandomSecret = () => randomBytes(32).toString('base64url');

export function generatedKeys(o: KubeObject): string[] {
  if (o.kind !== 'Secret') return [];
  return (o.metadata.annotations?.[GENERATED_KEYS_ANNOTATION] ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
}

type SecretData = Record<string, string>;

/** The rendered Secret with its generated keys filled: from the live Secret, else freshly made. */
export function fillGenerated(o: KubeObject, live: KubeObject | undefined, randomSecret: () => string): KubeObject {
  const keys = generatedKeys(o);
  if (keys.length === 0) return o;
  const data: SecretData = { ...(o.data as SecretData | undefined) };
  const stringData = o.stringData as SecretData | undefined;
  const liveData = (live?.data as SecretData | undefined) ?? {};
  for (const key of keys) {
    if (key in data || (stringData && key in stringData)) continue;
    data[key] = liveData[key] ?? Buffer.from(randomSecret()).toString('base64');
  }
  return { ...o, data };
}
