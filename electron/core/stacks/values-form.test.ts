import { describe, expect, it } from 'vitest';
import { TARGET_ONLY_KEY } from '@shared/deploy-form-schemas';
import { createStackCatalog } from './catalog';

type Schema = { title?: string; properties?: Record<string, Schema>; [key: string]: unknown };

/** What the Deploy form reads from the catalog's values schemas: labels, target markers, messages. */
describe('values schemas for the form', () => {
  const catalog = createStackCatalog();
  const schemaOf = (stack: string) => catalog.list().find((s) => s.name === stack)?.valuesSchema as Schema;
  const at = (schema: Schema, path: string) =>
    path.split('.').reduce<Schema | undefined>((s, key) => s?.properties?.[key], schema);

  it('gives components and the fields keys would label badly a human title', () => {
    const revenge = schemaOf('revenge');
    expect(at(revenge, 'api')?.title).toBe('API server');
    expect(at(revenge, 'nfs')?.title).toBe('Media library (NFS)');
    expect(at(revenge, 'api.autoscale.cpuPercent')?.title).toBe('Target CPU use (%)');
    expect(at(revenge, 'logging.level')?.title).toBe('Log level');
    expect(at(revenge, 'postgres.storage.storageClass')?.title).toBe('Storage class');
    expect(at(schemaOf('radarr-mvp'), 'app.autoscale.memoryPercent')?.title).toBe('Target memory use (%)');
    expect(at(schemaOf('goverse'), 'node.replicas')?.title).toBe('Replicas');
  });

  it('marks the fields only one kind of target reads', () => {
    for (const stack of ['revenge', 'radarr-mvp']) {
      const schema = schemaOf(stack);
      expect(at(schema, 'swarm')?.[TARGET_ONLY_KEY]).toBe('swarm');
      expect(at(schema, 'ingress')?.[TARGET_ONLY_KEY]).toBe('kubernetes');
      expect(at(schema, 'postgres.storage.storageClass')?.[TARGET_ONLY_KEY]).toBe('kubernetes');
      // Both targets read the rest.
      expect(at(schema, 'postgres.image')?.[TARGET_ONLY_KEY]).toBeUndefined();
    }
    expect(at(schemaOf('revenge'), 'integrations.radarr.namespace')?.[TARGET_ONLY_KEY]).toBe('kubernetes');
  });

  it('says what a number or a choice must be, for every bad field at once', () => {
    const result = catalog.validate('revenge', {
      api: { replicas: 2.5, autoscale: { cpuPercent: 101 } },
      frontend: { replicas: 'three' },
      typesense: { storage: { size: '10Gi' } },
      logging: { level: 'loud' },
      swarm: { publish: { frontend: 70_000 } },
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toEqual(
      expect.arrayContaining([
        { path: 'api.replicas', message: 'must be a whole number' },
        { path: 'api.autoscale.cpuPercent', message: 'must be at most 100' },
        { path: 'frontend.replicas', message: 'must be a number' },
        { path: 'logging.level', message: 'must be one of debug, info, warn, error' },
        // A stack's own message stays.
        { path: 'swarm.publish.frontend', message: 'must be a port from 1 to 65535' },
      ]),
    );
    expect(!result.ok && result.issues).toHaveLength(5);
  });
});
