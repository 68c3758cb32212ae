import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defaultsOf,
  discriminated,
  formPaths,
  getAt,
  isNullable,
  kindOf,
  labelFor,
  listToText,
  mapToText,
  setAt,
  textToList,
  textToMap,
  type JsonSchema,
} from './schema-values';

// The same shape of schema a stack declares: nested objects with defaults, a tagged union, an enum.
const values = z
  .object({
    api: z
      .object({ replicas: z.number().int().min(1).default(2) })
      .strict()
      .prefault({}),
    objectStore: z
      .discriminatedUnion('mode', [
        z.object({ mode: z.literal('bundled'), image: z.string().default('store:1') }).strict(),
        z.object({ mode: z.literal('external'), endpoint: z.string().default('https://s3.lan') }).strict(),
      ])
      .default({ mode: 'bundled', image: 'store:1' }),
    logLevel: z.enum(['debug', 'info']).default('info'),
    env: z.record(z.string(), z.string()).default({}),
    args: z.array(z.string()).default([]),
  })
  .strict();
const schema = z.toJSONSchema(values, { io: 'input' }) as JsonSchema;

describe('values form helpers', () => {
  it('lists an input for every leaf, and only the chosen variant of a union', () => {
    const defaults = values.parse({});
    expect(formPaths(schema, defaults)).toEqual([
      'api.replicas',
      'objectStore.mode',
      'objectStore.image',
      'logLevel',
      'env',
      'args',
    ]);
    const external = setAt(defaults, ['objectStore'], { mode: 'external', endpoint: '' });
    expect(formPaths(schema, external)).toEqual([
      'api.replicas',
      'objectStore.mode',
      'objectStore.endpoint',
      'logLevel',
      'env',
      'args',
    ]);
  });

  it('finds the tag of a union and the defaults of a variant the user switches to', () => {
    const union = discriminated(schema.properties?.objectStore ?? {});
    expect(union?.key).toBe('mode');
    expect(union?.variants.map((v) => defaultsOf(v))).toEqual([
      { mode: 'bundled', image: 'store:1' },
      { mode: 'external', endpoint: 'https://s3.lan' },
    ]);
    expect(discriminated(schema.properties?.api ?? {})).toBeUndefined();
  });

  it('sets a nested value without touching the rest', () => {
    const before = { api: { replicas: 2 }, logLevel: 'info' };
    const after = setAt(before, ['api', 'replicas'], 3);
    expect(after).toEqual({ api: { replicas: 3 }, logLevel: 'info' });
    expect(before.api.replicas).toBe(2);
    expect(getAt(setAt({}, ['nfs', 'server'], 'nas'), ['nfs', 'server'])).toBe('nas');
    expect(getAt(after, ['api', 'missing', 'deeper'])).toBeUndefined();
  });

  it('edits lists one item per line and maps as KEY=value lines', () => {
    expect(textToList('--a\n\n--b=1 2\n')).toEqual(['--a', '--b=1 2']);
    expect(listToText(['--a', '--b'])).toBe('--a\n--b');
    expect(textToMap('A=1\nB=x=y\n\nC')).toEqual({ A: '1', B: 'x=y', C: '' });
    expect(mapToText({ A: '1', B: 'x=y' })).toBe('A=1\nB=x=y');
    expect(values.safeParse({ env: textToMap('A=1'), args: textToList('--x') }).success).toBe(true);
  });

  it('reads a nullable number as a number field that may be left empty', () => {
    const nullable = z.toJSONSchema(z.object({ p: z.number().int().nullable().default(8080) }), {
      io: 'input',
    }) as JsonSchema;
    const p = nullable.properties?.p ?? {};
    expect(kindOf(p)).toBe('integer');
    expect(isNullable(p)).toBe(true);
    expect(isNullable({ type: 'integer' })).toBe(false);
  });

  it('labels fields from their keys', () => {
    expect(labelFor('cpuPercent', {})).toBe('Cpu Percent');
    expect(labelFor('server', { title: 'NFS server' })).toBe('NFS server');
  });
});
