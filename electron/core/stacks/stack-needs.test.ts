import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createStackCatalog } from './catalog';
import { defineStack, type StackNeeds } from './model';

const signals = { primary: 'app', replicas: { kind: 'many' as const }, externalState: [], dashboard: [] };

describe('what a stack needs, for the picker', () => {
  it("derives Revenge's needs from its values: a NAS export and an S3 profile, both optional, and its images", () => {
    const info = createStackCatalog()
      .list()
      .find((s) => s.name === 'revenge');
    expect(info?.origin).toBe('catalog');
    expect(info?.needs?.nasExport).toBe('optional');
    expect(info?.needs?.s3Profile).toBe('optional');
    expect(info?.needs?.images.map((i) => i.component)).toContain('postgres');
    expect(info?.needs?.images.every((i) => typeof i.reference === 'string' && i.reference.length > 0)).toBe(true);
  });

  it('takes the needs a definition declares, and derives none where the values name nothing', () => {
    const declared: StackNeeds = {
      nasExport: 'required',
      s3Profile: 'no',
      images: [{ component: 'app' }],
    };
    const base = {
      title: 'T',
      description: 'D',
      schema: z.strictObject({ replicas: z.number().default(1) }),
      build: () => ({ components: [], volumes: [], secrets: [] }),
      contracts: [],
      signals,
    };
    const catalog = createStackCatalog([
      defineStack({ ...base, name: 'declared', needs: declared }),
      defineStack({ ...base, name: 'plain' }),
    ]);
    expect(catalog.list().map((s) => s.needs)).toEqual([declared, { nasExport: 'no', s3Profile: 'no', images: [] }]);
  });
});
