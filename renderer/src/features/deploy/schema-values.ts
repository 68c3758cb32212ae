/**
 * The small part of JSON Schema the values form understands (what zod's toJSONSchema produces
 * for a stack's values), and helpers to read and write values by dotted path.
 */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  pattern?: string;
  format?: string;
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
}

export type Values = Record<string, unknown>;

export const isRecord = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

export function getAt(values: unknown, path: string[]): unknown {
  let cur = values;
  for (const key of path) {
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** A copy of values with path set to value; objects on the way are created as needed. */
export function setAt(values: Values, path: string[], value: unknown): Values {
  const [head, ...rest] = path;
  if (head === undefined) return isRecord(value) ? value : values;
  const child = values[head];
  return { ...values, [head]: rest.length === 0 ? value : setAt(isRecord(child) ? child : {}, rest, value) };
}

/** The variants of a union, when they are objects told apart by one constant property. */
export function discriminated(schema: JsonSchema): { key: string; variants: JsonSchema[] } | undefined {
  const variants = schema.oneOf ?? schema.anyOf;
  if (!variants || variants.length < 2 || !variants.every((v) => v.properties)) return undefined;
  const first = variants[0]?.properties ?? {};
  const key = Object.keys(first).find((k) =>
    variants.every((v) => {
      const prop = v.properties?.[k];
      return prop !== undefined && (prop.const !== undefined || prop.enum?.length === 1);
    }),
  );
  return key ? { key, variants } : undefined;
}

export const constOf = (schema: JsonSchema | undefined): unknown => schema?.const ?? schema?.enum?.[0];

/** Default values a schema declares, for a union variant the user switched to. */
export function defaultsOf(schema: JsonSchema): unknown {
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.properties) {
    const out: Values = {};
    for (const [k, prop] of Object.entries(schema.properties)) {
      const d = defaultsOf(prop);
      if (d !== undefined) out[k] = d;
    }
    return out;
  }
  return undefined;
}

/** For `X | null` (a value that may be left empty): the schema of X. */
export function nonNull(schema: JsonSchema): JsonSchema | undefined {
  const variants = schema.anyOf ?? schema.oneOf;
  if (!variants || variants.length !== 2) return undefined;
  const rest = variants.filter((v) => v.type !== 'null');
  return rest.length === 1 ? rest[0] : undefined;
}

export const kindOf = (schema: JsonSchema): string | undefined => {
  const inner = nonNull(schema);
  if (inner) return kindOf(inner);
  return Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
};

/** The field may be left empty (null), or the type allows null. */
export const isNullable = (schema: JsonSchema): boolean =>
  nonNull(schema) !== undefined || (Array.isArray(schema.type) && schema.type.includes('null'));

/** An object the form shows as a group of fields (a map of free keys is one field instead). */
export const isGroup = (schema: JsonSchema): boolean =>
  (kindOf(schema) === 'object' && schema.properties !== undefined) || discriminated(schema) !== undefined;

/** A list of strings as text, one item per line, and back. */
export const listToText = (value: unknown): string => (Array.isArray(value) ? value.map(String).join('\n') : '');
export const textToList = (text: string): string[] => text.split('\n').filter((line) => line.trim() !== '');

/** A map of strings as KEY=value lines, and back; a line without '=' keeps an empty value. */
export const mapToText = (value: unknown): string =>
  isRecord(value)
    ? Object.entries(value)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join('\n')
    : '';
export function textToMap(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    if (at < 0) out[line.trim()] = '';
    else out[line.slice(0, at).trim()] = line.slice(at + 1);
  }
  return out;
}

/** 'nfs.server' -> 'Server'; camelCase keys read as words. */
export function labelFor(key: string, schema: JsonSchema): string {
  if (schema.title) return schema.title;
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Dotted paths of every input the form shows for these values (a union shows its chosen variant). */
export function formPaths(schema: JsonSchema, values: Values, path: string[] = []): string[] {
  const union = discriminated(schema);
  if (union) {
    const current = getAt(values, [...path, union.key]);
    const chosen = union.variants.find((v) => constOf(v.properties?.[union.key]) === current) ?? union.variants[0];
    const rest = Object.fromEntries(Object.entries(chosen?.properties ?? {}).filter(([k]) => k !== union.key));
    return [[...path, union.key].join('.'), ...formPaths({ properties: rest }, values, path)];
  }
  return Object.entries(schema.properties ?? {}).flatMap(([key, prop]) =>
    isGroup(prop) ? formPaths(prop, values, [...path, key]) : [[...path, key].join('.')],
  );
}
