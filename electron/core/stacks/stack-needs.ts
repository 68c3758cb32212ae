/**
 * What a stack needs before it deploys, for the stack picker: the definition's own `needs` when it
 * declares them, else derived from its values schema (a `nas` reference field: a NAS export is
 * optional; an object store with a `profile` mode: an S3 profile is optional) and from the images
 * its default values build.
 */
import type { StackNeeds } from '@shared/deploy-schemas';
import type { StackDefinition } from './model';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every property name of a JSON Schema, at any depth, with the subschemas under it. */
function* properties(schema: unknown): Generator<[string, unknown]> {
  if (Array.isArray(schema)) {
    for (const s of schema) yield* properties(s);
    return;
  }
  if (!isObject(schema)) return;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && isObject(value)) {
      for (const [name, sub] of Object.entries(value)) {
        yield [name, sub];
        yield* properties(sub);
      }
    } else if (typeof value === 'object') {
      yield* properties(value);
    }
  }
}

const mentions = (schema: unknown, text: string) => JSON.stringify(schema ?? null).includes(text);

export function deriveNeeds(def: StackDefinition, valuesSchema: Json): StackNeeds {
  if (def.needs) return def.needs;
  let nas = false;
  let s3 = false;
  for (const [name, sub] of properties(valuesSchema)) {
    if (name === 'nas') nas = true;
    if (name === 'objectStore' && mentions(sub, '"profile"')) s3 = true;
  }
  let images: StackNeeds['images'];
  try {
    const model = def.build(def.schema.parse({}));
    images = model.components.map((c) => ({ component: c.name, reference: c.image }));
  } catch {
    // Defaults that do not build (a reference left to resolve): the images the contracts name.
    images = def.contracts.map((c) => ({
      component: c.component,
      ...(c.images[0] !== undefined ? { reference: c.images[0] } : {}),
    }));
  }
  return { nasExport: nas ? 'optional' : 'no', s3Profile: s3 ? 'optional' : 'no', images };
}
