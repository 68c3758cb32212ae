import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { kubernetesOnly, swarmOnly } from '@shared/deploy-form-schemas';
import {
  changedFromLive,
  defaultsOf,
  discriminated,
  fieldMarks,
  fieldMessage,
  formPaths,
  getAt,
  isNullable,
  kindOf,
  labelFor,
  listToText,
  mapToText,
  setAt,
  shortValue,
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

  it('labels fields from their title, else their key in words with acronyms spelled', () => {
    expect(labelFor('cpuPercent', {})).toBe('CPU percent');
    expect(labelFor('nfs', {})).toBe('NFS');
    expect(labelFor('usePathStyle', {})).toBe('Use path style');
    expect(labelFor('baseUrl', {})).toBe('Base URL');
    expect(labelFor('api_key', {})).toBe('API key');
    expect(labelFor('server', { title: 'NFS server' })).toBe('NFS server');
  });
});

// A values schema whose groups say which kind of target alone reads them.
const targeted = z.toJSONSchema(
  z
    .object({
      app: z.object({ replicas: z.number().int().min(1).max(100).default(2) }).prefault({}),
      ingress: z
        .object({ host: z.string().default('app.lan') })
        .prefault({})
        .meta(kubernetesOnly),
      swarm: z
        .object({ port: z.number().int().nullable().default(8080) })
        .prefault({})
        .meta(swarmOnly),
      storageClass: z.string().optional().meta(kubernetesOnly),
    })
    .strict(),
  { io: 'input' },
) as JsonSchema;

describe('fields of one kind of target', () => {
  it('hides what only Docker Swarm reads on Kubernetes, and the other way round', () => {
    expect(formPaths(targeted, {}, 'kubernetes')).toEqual(['app.replicas', 'ingress.host', 'storageClass']);
    expect(formPaths(targeted, {}, 'swarm')).toEqual(['app.replicas', 'swarm.port']);
    // Without a target, nothing is hidden.
    expect(formPaths(targeted, {})).toEqual(['app.replicas', 'ingress.host', 'swarm.port', 'storageClass']);
  });
});

describe('values against the deployed revision and the defaults', () => {
  const defaults = { api: { replicas: 2 }, logLevel: 'info', env: {}, args: [] };
  const live = { api: { replicas: 3 }, logLevel: 'debug', env: { A: '1' }, args: [] };

  it('marks a field changed from deployed only when it differs from the live value', () => {
    expect(fieldMarks(['api', 'replicas'], live, live, defaults)).toEqual({
      changedFromLive: false,
      differsFromDefault: true,
    });
    const edited = setAt(live, ['api', 'replicas'], 2);
    expect(fieldMarks(['api', 'replicas'], edited, live, defaults)).toEqual({
      changedFromLive: true,
      differsFromDefault: false,
    });
    // Not deployed: nothing is "changed from deployed".
    expect(fieldMarks(['logLevel'], live, undefined, defaults).changedFromLive).toBe(false);
    // Maps and lists compare by content, not identity; a missing key equals an absent one.
    expect(fieldMarks(['env'], { ...live, env: { A: '1' } }, live, defaults).changedFromLive).toBe(false);
    expect(fieldMarks(['args'], { api: {} }, { api: {}, args: undefined }, defaults).changedFromLive).toBe(false);
  });

  it('lists the shown fields that differ from the live revision', () => {
    const edited = setAt(setAt(live, ['api', 'replicas'], 2), ['logLevel'], 'info');
    expect(changedFromLive(schema, edited, live)).toEqual(['api.replicas', 'logLevel']);
    expect(changedFromLive(schema, live, live)).toEqual([]);
  });

  it('shows a value short in a mark', () => {
    expect(shortValue(3)).toBe('3');
    expect(shortValue('')).toBe('empty');
    expect(shortValue(null)).toBe('empty');
    expect(shortValue(['a', 'b'])).toBe('2 items');
    expect(shortValue('x'.repeat(60))).toHaveLength(40);
  });
});

describe('messages under a number field', () => {
  const replicas = targeted.properties?.app?.properties?.replicas ?? {};
  const port = targeted.properties?.swarm?.properties?.port ?? {};

  it("says a number field's whole rule instead of the generic type or range message", () => {
    expect(fieldMessage('must be a whole number', replicas)).toBe('must be a whole number from 1 to 100');
    expect(fieldMessage('must be a number', replicas)).toBe('must be a whole number from 1 to 100');
    expect(fieldMessage('must be at most 100', replicas)).toBe('must be a whole number from 1 to 100');
    // No bounds but the safe-integer ones JSON Schema adds: just the type.
    expect(fieldMessage('must be a whole number', port)).toBe('must be a whole number');
  });

  it("keeps a stack's own message and the messages of other fields", () => {
    expect(fieldMessage('must be a port from 1 to 65535', replicas)).toBe('must be a port from 1 to 65535');
    expect(fieldMessage('must be a whole number', { type: 'string' })).toBe('must be a whole number');
  });
});
