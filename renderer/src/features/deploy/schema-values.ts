import { TARGET_ONLY_KEY } from '@shared/deploy-form-schemas';
import type { TargetKind } from '@shared/target-schemas';

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

/** Words a key spells in lower case that a label writes otherwise. */
const SPELLED: Record<string, string> = {
  api: 'API',
  cpu: 'CPU',
  dns: 'DNS',
  http: 'HTTP',
  https: 'HTTPS',
  id: 'ID',
  ip: 'IP',
  nfs: 'NFS',
  s3: 'S3',
  tls: 'TLS',
  tmdb: 'TMDB',
  ui: 'UI',
  url: 'URL',
};

/**
 * The label of a field: the schema's `title`, else its key read as words in sentence case, with
 * acronyms spelled as such ('cpuPercent' -> 'CPU percent', 'nfs' -> 'NFS').
 */
export function labelFor(key: string, schema: JsonSchema): string {
  if (schema.title) return schema.title;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_.]/g, ' ')
    .split(' ')
    .filter((w) => w !== '')
    .map((w) => SPELLED[w.toLowerCase()] ?? w.toLowerCase());
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Dotted paths of every input the form shows for these values (a union shows its chosen variant). */
export function formPaths(schema: JsonSchema, values: Values, target?: TargetKind, path: string[] = []): string[] {
  const union = discriminated(schema);
  if (union) {
    const current = getAt(values, [...path, union.key]);
    const chosen = union.variants.find((v) => constOf(v.properties?.[union.key]) === current) ?? union.variants[0];
    const rest = Object.fromEntries(Object.entries(chosen?.properties ?? {}).filter(([k]) => k !== union.key));
    return [[...path, union.key].join('.'), ...formPaths({ properties: rest }, values, target, path)];
  }
  return shownProperties(schema, target).flatMap(([key, prop]) =>
    isGroup(prop) ? formPaths(prop, values, target, [...path, key]) : [[...path, key].join('.')],
  );
}

/** The kind of target a field is read by, when only one reads it (the values schema says so). */
export function targetOnly(schema: JsonSchema): TargetKind | undefined {
  const marker = (schema as Record<string, unknown>)[TARGET_ONLY_KEY];
  return marker === 'kubernetes' || marker === 'swarm' ? marker : undefined;
}

/** The properties the form shows for a target: those the other kind of target alone reads are left out. */
export function shownProperties(schema: JsonSchema, target: TargetKind | undefined): [string, JsonSchema][] {
  return Object.entries(schema.properties ?? {}).filter(([, prop]) => {
    const only = targetOnly(prop);
    return target === undefined || only === undefined || only === target;
  });
}

/** Deep equality of JSON values; a missing key equals undefined. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameValue(a[k], b[k]));
  }
  return false;
}

export interface FieldMarks {
  /** The value differs from the live revision's (only when the stack is deployed there). */
  changedFromLive: boolean;
  /** The value differs from the stack's default. */
  differsFromDefault: boolean;
}

/** How a field's value stands against what is deployed and against the stack's defaults. */
export function fieldMarks(path: string[], values: Values, live: Values | undefined, defaults: unknown): FieldMarks {
  const value = getAt(values, path);
  return {
    changedFromLive: live !== undefined && !sameValue(value, getAt(live, path)),
    differsFromDefault: !sameValue(value, getAt(defaults, path)),
  };
}

/** Dotted paths of the fields shown whose value differs from the live revision's. */
export const changedFromLive = (schema: JsonSchema, values: Values, live: Values, target?: TargetKind): string[] =>
  formPaths(schema, values, target).filter((p) => fieldMarks(p.split('.'), values, live, undefined).changedFromLive);

/** A value as a mark shows it ('was 2', 'default info'). */
export function shortValue(value: unknown): string {
  if (value === undefined || value === null) return 'empty';
  if (typeof value === 'string') return value === '' ? 'empty' : value.length > 40 ? `${value.slice(0, 39)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `${value.length} ${value.length === 1 ? 'item' : 'items'}`;
  return `${Object.keys(value).length} entries`;
}

/** JSON Schema's bounds of a safe integer: not a range the user chose. */
const SAFE = Number.MAX_SAFE_INTEGER;
const bound = (n: number | undefined) => (n === undefined || Math.abs(n) >= SAFE ? undefined : n);

/**
 * The message under a number field: a generic type or range message ('must be a whole number',
 * 'must be at most 100') becomes the field's whole rule ('must be a whole number from 1 to 100').
 * A stack's own message stays as it is.
 */
export function fieldMessage(message: string, schema: JsonSchema): string {
  const kind = kindOf(schema);
  if (kind !== 'integer' && kind !== 'number') return message;
  const generic = /^must be (a whole number|a number|at least -?[\d.]+|at most -?[\d.]+)$/.test(message);
  if (!generic) return message;
  const inner = nonNull(schema) ?? schema;
  const min = bound(inner.minimum);
  const max = bound(inner.maximum);
  const what = kind === 'integer' ? 'a whole number' : 'a number';
  if (min !== undefined && max !== undefined) return `must be ${what} from ${min} to ${max}`;
  if (min !== undefined) return `must be ${what} of at least ${min}`;
  if (max !== undefined) return `must be ${what} of at most ${max}`;
  return `must be ${what}`;
}
