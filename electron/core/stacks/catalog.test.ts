import { describe, expect, it } from 'vitest';
import { createStackCatalog } from './catalog';
import { revenge } from './revenge-stack';
import type { ValidationResult } from './types';

const catalog = createStackCatalog();
const issues = (values: unknown) => {
  const result: ValidationResult = catalog.validate('revenge', values);
  return result.ok ? [] : result.issues;
};
const pathsOf = (values: unknown) => issues(values).map((i) => i.path);

describe('stack catalog', () => {
  it('lists the Revenge stack with a JSON Schema that carries the defaults', () => {
    const [info] = catalog.list();
    expect(info?.name).toBe('revenge');
    expect(info?.title).toBe('Revenge');
    const schema = info?.valuesSchema as {
      type: string;
      additionalProperties: boolean;
      properties: Record<string, { properties: Record<string, { default?: unknown }> }>;
    };
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.nfs?.properties.size?.default).toBe('1Ti');
    expect(schema.properties.api?.properties.image?.default).toBe('ghcr.io/lusoris/revenge:latest');
    expect(info?.defaults).toMatchObject({
      api: { replicas: 1, autoscale: { enabled: false, min: 2, max: 10, cpuPercent: 70 } },
      postgres: { image: 'postgres:18-alpine' },
      objectStore: { mode: 'bundled' },
      ingress: { enabled: false, className: 'traefik' },
    });
  });

  it('knows which stacks it has', () => {
    expect(catalog.has('revenge')).toBe(true);
    expect(catalog.has('nope')).toBe(false);
    expect(() => catalog.validate('nope', {})).toThrow(/unknown stack 'nope'/);
    expect(() => catalog.renderKubernetes('nope', {}, { namespace: 'x' })).toThrow(/unknown stack/);
  });

  it('accepts empty and partial values, filling in defaults', () => {
    expect(catalog.validate('revenge', {}).ok).toBe(true);
    expect(catalog.validate('revenge', undefined).ok).toBe(true);
    const result = catalog.validate('revenge', { api: { replicas: 4 }, nfs: { server: 'nas.lan' } });
    expect(result).toMatchObject({
      ok: true,
      values: { api: { replicas: 4, autoscale: { min: 2 } }, nfs: { server: 'nas.lan', path: '/export/media' } },
    });
  });

  it.each([
    [{ nfs: { server: 'bad host!' } }, 'nfs.server', /hostname/],
    [{ api: { replicas: -1 } }, 'api.replicas', /at least 1/],
    [{ api: { replicas: 1.5 } }, 'api.replicas', /.+/],
    [{ api: { replicaz: 2 } }, 'api.replicaz', /^unknown field; remove it$/],
    [{ bogus: true }, 'bogus', /^unknown field; remove it$/],
    [{ nfs: { path: '/media;rm -rf /' } }, 'nfs.path', /absolute path/],
    [{ nfs: { path: '/my media' } }, 'nfs.path', /absolute path/],
    [{ nfs: { path: 'relative/media' } }, 'nfs.path', /absolute path/],
    [{ postgres: { storage: { size: 'lots' } } }, 'postgres.storage.size', /size/],
    [{ logging: { level: 'loud' } }, 'logging.level', /.+/],
    [{ api: { autoscale: { min: 5, max: 3 } } }, 'api.autoscale.min', /max/],
    [{ objectStore: { mode: 'cloud' } }, 'objectStore.mode', /.+/],
    [{ objectStore: { mode: 'external', endpoint: 'not a url' } }, 'objectStore.endpoint', /URL/],
    [
      { objectStore: { mode: 'external', credentialsSecret: 'Bad_Name' } },
      'objectStore.credentialsSecret',
      /Kubernetes name/,
    ],
    // Saved names follow the rule of the Storage screen: a reference it could not have saved is refused.
    [{ objectStore: { mode: 'profile', profile: '-garage-' } }, 'objectStore.profile', /starts or ends with '-'/],
    [{ nfs: { nas: { host: 'nas_1', export: 'media' } } }, 'nfs.nas.host', /contains "_"/],
    [{ nfs: { nas: { host: 'nas', export: 'Media' } } }, 'nfs.nas.export', /upper-case/],
    [{ objectStore: { mode: 'bundled', bucket: 'xn--avatars' } }, 'objectStore.bucket', /reserved/],
    [{ objectStore: { mode: 'bundled', bucket: '192.168.1.10' } }, 'objectStore.bucket', /IP address/],
    [{ ingress: { host: 'Revenge.Home.Lan' } }, 'ingress.host', /upper-case/],
    [{ api: { image: 'ghcr.io/Team/App:1' } }, 'api.image', /repositories are lowercase/],
    [{ objectStore: { mode: 'bundled', env: { '1BAD': 'x' } } }, 'objectStore.env.1BAD', /environment variable/],
    [{ objectStore: { mode: 'external', image: 'x' } }, 'objectStore.image', /^unknown field; remove it$/],
    [{ api: { image: 'Not An Image' } }, 'api.image', /image reference/],
  ])('reports %j at %s', (values, path, message) => {
    const found = issues(values);
    const issue = found.find((i) => i.path === path);
    expect(issue, JSON.stringify(found)).toBeDefined();
    expect(issue?.message).toMatch(message);
  });

  it('accepts the references, images and buckets the shared rules accept', () => {
    const values = {
      api: { image: 'registry.lan:5000/team/revenge-api:v1.2.3' },
      frontend: { image: `ghcr.io/lusoris/revenge-frontend@sha256:${'a'.repeat(64)}` },
      objectStore: { mode: 'profile', profile: 'garage', bucket: 'media.backups-2' },
      nfs: { nas: { host: 'nas-1', export: 'media' } },
      ingress: { host: 'revenge.home.lan', className: 'traefik' },
    };
    expect(catalog.validate('revenge', values)).toMatchObject({ ok: true });
  });

  it('accepts IPv4 NFS servers and reports several issues at once', () => {
    expect(catalog.validate('revenge', { nfs: { server: '10.0.0.5' } }).ok).toBe(true);
    expect(pathsOf({ nfs: { server: '300.1.1.1x!' }, api: { replicas: 0, replicaz: 1 } }).sort()).toEqual([
      'api.replicas',
      'api.replicaz',
      'nfs.server',
    ]);
  });

  it('refuses to render invalid values or namespaces with a clear error', () => {
    expect(() => catalog.renderKubernetes('revenge', { nfs: { server: 'bad host!' } }, { namespace: 'media' })).toThrow(
      /invalid values for stack 'revenge': nfs\.server: must be a hostname/,
    );
    expect(() => catalog.renderKubernetes('revenge', {}, { namespace: 'Bad NS' })).toThrow(/invalid namespace/);
  });

  it('renders validated values with the namespace', () => {
    const rendered = catalog.renderKubernetes('revenge', {}, { namespace: 'media' });
    expect(rendered.stack).toBe('revenge');
    expect(rendered.namespace).toBe('media');
    expect(rendered.objects.length).toBeGreaterThan(10);
  });

  it('rejects duplicate stack names', () => {
    expect(() => createStackCatalog([revenge, revenge])).toThrow(/duplicate stack 'revenge'/);
  });
});
