import { describe, expect, it, vi } from 'vitest';
import { createStackCatalog, toYaml } from '../stacks/catalog';
import { resolveStackReferences, StackReferenceError, type ReferenceLookups } from './resolve';

const ACCESS = 'AKIAFAKEACCESSKEY1';
const SECRET = 'fake-secret-key-5a3b9c2d7e1f';

function lookups(): ReferenceLookups & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    nasExport: vi.fn(async (host: string, exportName: string) => {
      calls.push(`nas ${host}/${exportName}`);
      if (host !== 'box') throw Object.assign(new Error(`no NAS host '${host}'`), { field: 'host' });
      if (exportName !== 'media') {
        throw Object.assign(new Error(`no export '${exportName}' on NAS host '${host}'`), { field: 'export' });
      }
      return { server: '192.168.1.20', path: '/srv/media' };
    }),
    s3Profile: vi.fn(async (profile: string) => {
      calls.push(`s3 ${profile}`);
      if (profile !== 'garage') throw new Error(`no S3 profile '${profile}'`);
      return {
        endpoint: 'https://s3.nas.lan:9000',
        region: 'garage',
        pathStyle: true,
        accessKeyId: ACCESS,
        secretAccessKey: SECRET,
      };
    }),
  };
}

const catalog = createStackCatalog();
const referenced = {
  api: { replicas: 1, autoscale: { enabled: false } },
  nfs: { nas: { host: 'box', export: 'media' } },
  objectStore: { mode: 'profile', profile: 'garage', bucket: 'avatars' },
};

describe('resolveStackReferences', () => {
  it('fills nfs server and path and turns a profile into an external store with provided keys', async () => {
    const { values, provided } = await resolveStackReferences('revenge', referenced, lookups());
    expect(values).toMatchObject({
      nfs: { nas: { host: 'box', export: 'media' }, server: '192.168.1.20', path: '/srv/media' },
      objectStore: {
        mode: 'external',
        endpoint: 'https://s3.nas.lan:9000',
        region: 'garage',
        bucket: 'avatars',
        usePathStyle: true,
        credentialsSecret: 'revenge-s3-credentials',
        profile: 'garage',
      },
    });
    expect(provided).toEqual({
      'revenge-s3-credentials': { 'access-key-id': ACCESS, 'secret-access-key': SECRET },
    });
    // The values hold no key, and they pass the stack's schema.
    expect(JSON.stringify(values)).not.toContain(ACCESS);
    expect(JSON.stringify(values)).not.toContain(SECRET);
    expect(catalog.validate('revenge', values).ok).toBe(true);
    // The input is left as it was.
    expect(referenced.objectStore.mode).toBe('profile');
  });

  it("resolves the in-cluster backup's NAS export when it is enabled, naming its field when it fails", async () => {
    const backup = (nas: { host: string; export: string }, enabled = true) => ({
      nfs: { enabled: false },
      backup: { inCluster: { enabled, nfs: { nas } } },
    });
    const l = lookups();
    const { values } = await resolveStackReferences('revenge', backup({ host: 'box', export: 'media' }), l);
    expect(values).toMatchObject({ backup: { inCluster: { nfs: { server: '192.168.1.20', path: '/srv/media' } } } });
    expect(catalog.renderKubernetes('revenge', values, { namespace: 'media' }).objects.map((o) => o.kind)).toContain(
      'CronJob',
    );
    await resolveStackReferences('revenge', backup({ host: 'box', export: 'media' }, false), l);
    expect(l.calls).toEqual(['nas box/media']);
    const err = await resolveStackReferences('revenge', backup({ host: 'box', export: 'dumps' }), l).catch((e) => e);
    expect(err).toBeInstanceOf(StackReferenceError);
    expect((err as StackReferenceError).issues).toEqual([
      { path: 'backup.inCluster.nfs.nas.export', message: "no export 'dumps' on NAS host 'box'" },
    ]);
  });

  it('renders resolved values without any key value: the API reads the provided Secret', async () => {
    const { values } = await resolveStackReferences('revenge', referenced, lookups());
    const rendered = catalog.renderKubernetes('revenge', values, { namespace: 'media' });
    const yaml = toYaml(rendered.objects);
    expect(yaml).not.toContain(ACCESS);
    expect(yaml).not.toContain(SECRET);
    const secret = rendered.objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'revenge-s3-credentials');
    expect(secret?.metadata.annotations).toEqual({
      'homeport.dev/provided-by': 'homeport',
      'homeport.dev/provided-keys': 'access-key-id,secret-access-key',
    });
    expect(secret).not.toHaveProperty('data');
    expect(secret).not.toHaveProperty('stringData');
    // The API reads the provided keys through its config file, whose template names them.
    const config = rendered.objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'revenge-config');
    const templates = JSON.parse(config?.metadata.annotations?.['homeport.dev/templates'] ?? '{}') as Record<
      string,
      string
    >;
    expect(templates['config.yaml']).toContain('access_key_id: "{{revenge-s3-credentials/access-key-id}}"');
    expect(templates['config.yaml']).toContain('secret_access_key: "{{revenge-s3-credentials/secret-access-key}}"');
    const pv = rendered.objects.find((o) => o.kind === 'PersistentVolume');
    expect((pv?.spec as { nfs: unknown }).nfs).toEqual({ server: '192.168.1.20', path: '/srv/media', readOnly: true });

    // Swarm: the keys are secret files; without provided values the spec is a preview without Data.
    const swarm = catalog.renderSwarm('revenge', values, { stack: 'media' });
    expect(JSON.stringify(swarm)).not.toContain(ACCESS);
    const apiSvc = swarm.services.find((s) => s.Name === 'media_revenge');
    expect(apiSvc?.TaskTemplate.ContainerSpec.Secrets.map((x) => x.File.Name)).toContain(
      'revenge-s3-credentials_secret-access-key',
    );
    expect(swarm.externalSecrets).toEqual([]);
  });

  it('renders values with unresolved references nowhere, naming the field', () => {
    expect(() => catalog.renderKubernetes('revenge', referenced, { namespace: 'media' })).toThrow(
      /objectStore\.profile: the S3 profile 'garage' is not resolved/,
    );
    expect(() =>
      catalog.renderSwarm('revenge', { ...referenced, objectStore: { mode: 'bundled' } }, { stack: 'media' }),
    ).toThrow(/nfs\.nas: the export 'media' on NAS host 'box' is not resolved/);
  });

  it('looks nothing up without references, or with the media library off', async () => {
    const l = lookups();
    const plain = { nfs: { server: 'nas.lan' }, objectStore: { mode: 'bundled' } };
    expect(await resolveStackReferences('revenge', plain, l)).toEqual({ values: plain, provided: {} });
    const off = { nfs: { enabled: false, nas: { host: 'gone', export: 'x' } } };
    expect((await resolveStackReferences('revenge', off, l)).values).toEqual(off);
    expect(await resolveStackReferences('revenge', undefined, l)).toEqual({ values: undefined, provided: {} });
    expect(l.calls).toEqual([]);
  });

  it('names the field of each reference that does not resolve', async () => {
    const err = await resolveStackReferences(
      'revenge',
      { nfs: { nas: { host: 'box', export: 'movies' } }, objectStore: { mode: 'profile', profile: 'aws' } },
      lookups(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StackReferenceError);
    expect((err as StackReferenceError).issues).toEqual([
      { path: 'nfs.nas.export', message: "no export 'movies' on NAS host 'box'" },
      { path: 'objectStore.profile', message: "no S3 profile 'aws'" },
    ]);
    expect((err as Error).message).toBe(
      "'nfs.nas.export': no export 'movies' on NAS host 'box'; 'objectStore.profile': no S3 profile 'aws'",
    );
    await expect(
      resolveStackReferences('revenge', { nfs: { nas: { host: 'nope', export: 'media' } } }, lookups()),
    ).rejects.toThrow("'nfs.nas.host': no NAS host 'nope'");
    const opaque: ReferenceLookups = {
      nasExport: () => Promise.reject(new Error('connection refused')),
      s3Profile: () => Promise.reject(new Error('x')),
    };
    await expect(
      resolveStackReferences('revenge', { nfs: { nas: { host: 'box', export: 'media' } } }, opaque),
    ).rejects.toThrow("'nfs.nas': connection refused");
  });

  it('validates references field by field', () => {
    const issues = (values: unknown) => {
      const r = catalog.validate('revenge', values);
      return r.ok ? [] : r.issues.map((i) => i.path);
    };
    expect(issues({ nfs: { nas: { host: 'box' } } })).toEqual(['nfs.nas.export']);
    expect(issues({ nfs: { nas: { host: 'bad host', export: 'media' } } })).toEqual(['nfs.nas.host']);
    expect(issues({ objectStore: { mode: 'profile' } })).toEqual(['objectStore.profile']);
    expect(issues({ objectStore: { mode: 'profile', profile: 'garage', bucket: 'X' } })).toEqual([
      'objectStore.bucket',
    ]);
    expect(issues({ objectStore: { mode: 'profile', profile: 'garage', endpoint: 'https://x' } })).toEqual([
      'objectStore.endpoint',
    ]);
  });
});
