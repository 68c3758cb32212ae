import { describe, expect, it } from 'vitest';
import { cutManagedFields, cutManagedFieldsText } from './managed-fields';

/** Cuts a text as the gateway does: in a buffer larger than the text, as the pooled ones are. */
function cut(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  const buf = Buffer.alloc(bytes.length + 64, '"managedFields":[');
  bytes.copy(buf);
  return buf.toString('utf8', 0, cutManagedFields(buf, bytes.length));
}

/** The object with every metadata.managedFields deleted, as the cut should leave it. */
function without(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(without);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) => k !== 'managedFields' || !Array.isArray(v))
        .map(([k, v]) => [k, without(v)]),
    );
  }
  return value;
}

/** Strings that would confuse a scanner that did not know JSON's strings. */
const tricky = [
  'plain',
  ']}],{',
  '"quoted"',
  'back\\slash\\',
  'end\\"',
  '\\',
  'Zürich 東京 🚀',
  '"managedFields":[',
  '',
];

function managedEntry(i: number) {
  return {
    manager: tricky[i % tricky.length],
    operation: 'Update',
    apiVersion: 'v1',
    time: '2026-12-02T06:00:00Z',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:status': { 'f:conditions': { [`k:{"type":"${tricky[(i + 3) % tricky.length]}"}`]: {} } } },
  };
}

function pod(i: number) {
  const metadata: Record<string, unknown> = {
    name: `web-${i}`,
    namespace: 'media',
    labels: { app: tricky[i % tricky.length] },
    annotations: { note: tricky[(i + 1) % tricky.length] },
  };
  // managedFields last (where the API server writes it), first, in the middle, or absent.
  const where = i % 4;
  const fields = Array.from({ length: i % 3 }, (_, k) => managedEntry(i + k));
  const ordered: Record<string, unknown> =
    where === 0
      ? { ...metadata, managedFields: fields }
      : where === 1
        ? { managedFields: fields, ...metadata }
        : where === 2
          ? { name: metadata.name, managedFields: fields, namespace: metadata.namespace }
          : metadata;
  return { metadata: ordered, spec: { containers: [{ name: 'main', args: [tricky[i % tricky.length]] }] } };
}

describe('cutManagedFields', () => {
  it('removes every managedFields array and leaves the rest exactly as it was', () => {
    const list = {
      kind: 'PodList',
      metadata: { resourceVersion: '42' },
      items: Array.from({ length: 60 }, (_, i) => pod(i)),
    };
    for (const text of [JSON.stringify(list), JSON.stringify(list, null, 2)]) {
      const out = cut(text);
      expect(out).not.toContain('managedFields":[{');
      expect(JSON.parse(out)).toEqual(without(list));
    }
  });

  it('removes an only member, leaving an empty object', () => {
    expect(cut('{"metadata":{"managedFields":[{"manager":"kubelet"}]}}')).toBe('{"metadata":{}}');
    expect(cut('{ "metadata": { "managedFields": [ ] } }')).toBe('{ "metadata": {  } }');
  });

  it('keeps a managedFields member that is not an array, and the text after it', () => {
    const text = JSON.stringify({ data: { managedFields: 'a ConfigMap key' }, metadata: { managedFields: [{}] } });
    expect(JSON.parse(cut(text))).toEqual({ data: { managedFields: 'a ConfigMap key' }, metadata: {} });
  });

  it('keeps a text that ends inside the array as it came', () => {
    const text =
      '{"items":[{"metadata":{"name":"a","managedFields":[{"manager":"x"}]}},{"metadata":{"managedFields":[{"man';
    expect(cut(text)).toBe('{"items":[{"metadata":{"name":"a"}},{"metadata":{"managedFields":[{"man');
  });

  it('leaves a text without managedFields alone', () => {
    const text = JSON.stringify({ items: [{ metadata: { name: 'x', annotations: { a: 'managedFields' } } }] });
    expect(cut(text)).toBe(text);
    expect(cut('')).toBe('');
  });

  it('cuts a decoded text the same, and returns one without managedFields as it is', () => {
    const event = { type: 'MODIFIED', object: pod(4), also: pod(6) };
    const line = JSON.stringify(event);
    expect(JSON.parse(cutManagedFieldsText(line))).toEqual(without(event));
    const plain = JSON.stringify({ type: 'MODIFIED', object: pod(3) });
    expect(cutManagedFieldsText(plain)).toBe(plain);
  });
});
