import { describe, expect, it } from 'vitest';
import { createStackCatalog } from './catalog';
import type { StackModel } from './model';
import { revengeValuesSchema } from './revenge';
import { buildRevenge } from './revenge-stack';
import {
  parseCpu,
  parseMemory,
  renderSwarmStack,
  swarmName,
  SWARM_GENERATED_LABEL,
  SWARM_NAMESPACE_LABEL,
  SWARM_SECRET_LABEL,
  type SwarmServiceSpec,
} from './swarm';

const catalog = createStackCatalog();
const render = (values: unknown = {}, stack = 'media') => catalog.renderSwarm('revenge', values, { stack });
const service = (s: ReturnType<typeof render>, component: string) =>
  s.services.find((x) => x.Name === `media_${component}`) as SwarmServiceSpec;

describe('Swarm renderer', () => {
  it('is deterministic', () => {
    expect(JSON.stringify(render())).toBe(JSON.stringify(render()));
  });

  it('labels every object with the stack namespace, the stack and the manager', () => {
    const s = render();
    const all = [s.network, ...s.secrets, ...s.configs, ...s.volumes, ...s.services];
    for (const o of all) {
      expect(o.Labels).toMatchObject({
        [SWARM_NAMESPACE_LABEL]: 'media',
        'homeport.dev/stack': 'media',
        'homeport.dev/managed-by': 'homeport',
      });
    }
    for (const svc of s.services) {
      expect(svc.Labels['com.docker.stack.image']).toBe(svc.TaskTemplate.ContainerSpec.Image);
      expect(svc.TaskTemplate.ContainerSpec.Labels[SWARM_NAMESPACE_LABEL]).toBe('media');
    }
    expect(s.network).toMatchObject({ Name: 'media_default', Driver: 'overlay', Attachable: true });
    expect(s.services.map((x) => x.Name)).toEqual([
      'media_revenge',
      'media_frontend',
      'media_postgres',
      'media_dragonfly',
      'media_typesense',
      'media_objectstore',
    ]);
    // Postgres, Dragonfly and Typesense accept only Revenge: each shares a network with it alone.
    expect(service(s, 'postgres').TaskTemplate.Networks).toEqual([
      { Target: 'media_revenge-to-postgres', Aliases: ['postgres'] },
    ]);
    expect(service(s, 'revenge').TaskTemplate.Networks).toEqual([
      { Target: 'media_default', Aliases: ['revenge'] },
      { Target: 'media_revenge-to-postgres', Aliases: [] },
      { Target: 'media_revenge-to-dragonfly', Aliases: [] },
      { Target: 'media_revenge-to-typesense', Aliases: [] },
    ]);
    expect(service(s, 'frontend').TaskTemplate.Networks).toEqual([{ Target: 'media_default', Aliases: ['frontend'] }]);
    expect(s.networks?.map((n) => n.Name)).toEqual([
      'media_revenge-to-postgres',
      'media_revenge-to-dragonfly',
      'media_revenge-to-typesense',
    ]);
  });

  it('renders the media library as a read-only NFS volume of the local driver', () => {
    const s = render({ nfs: { server: '192.168.1.10', path: '/export/media' } });
    const media = s.volumes.find((v) => v.Name.startsWith('media_media_'));
    expect(media?.Name).toMatch(/^media_media_[0-9a-f]{8}$/);
    expect(media).toMatchObject({
      Driver: 'local',
      DriverOpts: { type: 'nfs', o: 'addr=192.168.1.10,nfsvers=4,ro', device: ':/export/media' },
    });
    const mounts = service(s, 'revenge').TaskTemplate.ContainerSpec.Mounts;
    const mount = mounts[0];
    expect(mount).toMatchObject({ Type: 'volume', Source: media?.Name, Target: '/media', ReadOnly: true });
    expect(mount?.Type === 'volume' ? mount.VolumeOptions.DriverConfig.Options : undefined).toEqual(media?.DriverOpts);
    // A read-only root: the directories Revenge writes are in memory.
    expect(mounts.filter((m) => m.Type === 'tmpfs').map((m) => m.Target)).toEqual(['/data', '/cache', '/tmp']);
    expect(service(s, 'revenge').TaskTemplate.ContainerSpec).toMatchObject({ ReadOnly: true });
    expect(s.volumes.map((v) => v.Name)).toEqual([
      media?.Name,
      'media_postgres-data',
      'media_typesense-data',
      'media_objectstore-data',
    ]);
  });

  it('runs without media when nfs is disabled', () => {
    const s = render({ nfs: { enabled: false } });
    expect(s.volumes.some((v) => v.Name.startsWith('media_media'))).toBe(false);
    expect(service(s, 'revenge').TaskTemplate.ContainerSpec.Mounts.filter((m) => m.Type === 'volume')).toEqual([]);
  });

  it('never carries a generated secret value; the config files are templates the engine fills in each task', () => {
    const s = render();
    const generated = s.secrets.filter((x) => x.Labels[SWARM_GENERATED_LABEL] === 'true');
    expect(generated.map((x) => x.Name)).toContain('media_revenge-secrets_jwt-secret');
    for (const secret of generated) expect(secret.Data).toBeUndefined();
    expect(
      generated.find((x) => x.Name === 'media_revenge-secrets_encryption-key')?.Labels['homeport.dev/format'],
    ).toBe('hex32');
    const config = s.secrets.find((x) => x.Labels[SWARM_SECRET_LABEL] === 'revenge-config/config.yaml');
    expect(config?.Name).toMatch(/^media_revenge-config_config\.yaml_[0-9a-f]{8}$/);
    expect(config?.Templating).toEqual({ Name: 'golang' });
    const text = Buffer.from(config?.Data ?? '', 'base64').toString();
    expect(text).toContain('jwt_secret: "{{ secret "revenge-secrets_jwt-secret" }}"');
    expect(text).toContain('url: "postgres://revenge:{{ secret "revenge-secrets_database-password" }}@postgres:5432/');
    const api = service(s, 'revenge').TaskTemplate.ContainerSpec;
    // The config file at its own path, and the secrets the template reads next to it; nothing in the environment.
    expect(api.Secrets.map((x) => x.File.Name).sort()).toEqual([
      '/app/config/config.yaml',
      'revenge-secrets_database-password',
      'revenge-secrets_encryption-key',
      'revenge-secrets_jwt-secret',
      'revenge-secrets_s3-access-key-id',
      'revenge-secrets_s3-secret-access-key',
      'revenge-secrets_search-api-key',
    ]);
    expect(api.Env.filter((e) => e.includes('_FILE='))).toEqual([]);
    expect(api.Env).toContain('REVENGE_CACHE_ENABLED=true');
    const pg = service(s, 'postgres').TaskTemplate.ContainerSpec;
    expect(pg.Env).toContain('POSTGRES_PASSWORD_FILE=/run/secrets/revenge-secrets_database-password');
    const ts = service(s, 'typesense').TaskTemplate.ContainerSpec;
    expect(ts.Args).toEqual(['--config=/etc/typesense/typesense-server.ini']);
    expect(ts.Env.filter((e) => e.startsWith('TYPESENSE_'))).toEqual([]);
    expect(ts.Secrets.map((x) => x.File.Name)).toContain('/etc/typesense/typesense-server.ini');
    // Two variables from the same key share one mounted file.
    const objectstore = service(s, 'objectstore').TaskTemplate.ContainerSpec;
    expect(objectstore.Secrets.map((x) => x.File.Name)).toEqual([
      'revenge-secrets_s3-access-key-id',
      'revenge-secrets_s3-secret-access-key',
    ]);
  });

  it('names secrets with a value by a hash of it, so a new value is a new secret', () => {
    const model = (value: string): StackModel => ({
      components: [],
      volumes: [],
      secrets: [{ name: 'app', keys: [{ key: 'token', generated: false, value }] }],
    });
    const a = renderSwarmStack(model('one'), { stack: 's' }).secrets[0];
    const b = renderSwarmStack(model('two'), { stack: 's' }).secrets[0];
    expect(a?.Name).toMatch(/^s_app_token_[0-9a-f]{8}$/);
    expect(a?.Name).not.toBe(b?.Name);
    expect(a?.Labels[SWARM_SECRET_LABEL]).toBe('app/token');
    expect(Buffer.from(a?.Data ?? '', 'base64').toString()).toBe('one');
  });

  it('refers to existing secrets the model does not define', () => {
    const s = render({ objectStore: { mode: 'external', credentialsSecret: 's3-creds' } });
    expect(s.externalSecrets).toEqual(['s3-creds_access-key-id', 's3-creds_secret-access-key']);
    // The config file template reads them as files of the API's tasks.
    const api = service(s, 'revenge').TaskTemplate.ContainerSpec;
    expect(api.Secrets.filter((x) => x.SecretName.startsWith('s3-creds_')).map((x) => x.File.Name)).toEqual([
      's3-creds_access-key-id',
      's3-creds_secret-access-key',
    ]);
    expect(s.services.some((x) => x.Name === 'media_objectstore')).toBe(false);
  });

  it('turns probes into health checks', () => {
    const s = render();
    for (const svc of s.services) expect(svc.TaskTemplate.ContainerSpec.Healthcheck.Test.length).toBeGreaterThan(1);
    // Each check runs a tool the image has: wget in Revenge's Alpine images, curl in Typesense's, redis-cli in Dragonfly's.
    expect(service(s, 'revenge').TaskTemplate.ContainerSpec.Healthcheck).toEqual({
      Test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8096/readyz'],
      Interval: 5e9,
      Timeout: 1e9,
      Retries: 3,
      StartPeriod: 300e9,
    });
    expect(service(s, 'typesense').TaskTemplate.ContainerSpec.Healthcheck.Test).toEqual([
      'CMD',
      'curl',
      '-fsS',
      '-o',
      '/dev/null',
      'http://127.0.0.1:8108/health',
    ]);
    expect(service(s, 'dragonfly').TaskTemplate.ContainerSpec.Healthcheck.Test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(service(s, 'postgres').TaskTemplate.ContainerSpec.Healthcheck.Test).toEqual([
      'CMD',
      'pg_isready',
      '-h',
      '127.0.0.1',
      '-U',
      'revenge',
      '-d',
      'revenge',
    ]);
  });

  it('sets resources, replicas, update policy and args', () => {
    const s = catalog.renderSwarm('revenge', {}, { stack: 'media', updateMonitorMs: 2000 });
    const api = service(s, 'revenge');
    expect(api.TaskTemplate.Resources).toEqual({
      Limits: { MemoryBytes: 2 ** 30 },
      Reservations: { NanoCPUs: 250_000_000, MemoryBytes: 256 * 2 ** 20 },
    });
    expect(api.Mode).toEqual({ Replicated: { Replicas: 1 } });
    expect(api.UpdateConfig).toEqual({
      Parallelism: 1,
      Delay: 0,
      FailureAction: 'rollback',
      Monitor: 2e9,
      MaxFailureRatio: 0,
      Order: 'start-first',
    });
    expect(service(s, 'postgres').UpdateConfig?.Order).toBe('stop-first');
    expect(api.TaskTemplate.ContainerSpec.StopGracePeriod).toBe(30e9);
    expect(service(s, 'dragonfly').TaskTemplate.ContainerSpec.Args).toEqual([
      '--cache_mode=true',
      '--cluster_mode=emulated',
      '--logtostderr',
      '--proactor_threads=2',
    ]);
    expect(service(s, 'dragonfly').TaskTemplate.ContainerSpec.Command).toBeUndefined();
    expect(service(render({ api: { replicas: 4 } }), 'revenge').Mode).toEqual({
      Replicated: { Replicas: 4 },
    });
  });

  it('publishes the frontend on 8080 by default and the API only when asked', () => {
    expect(service(render(), 'frontend').EndpointSpec).toEqual({
      Mode: 'vip',
      Ports: [{ Protocol: 'tcp', TargetPort: 3000, PublishedPort: 8080, PublishMode: 'ingress' }],
    });
    expect(service(render(), 'revenge').EndpointSpec).toEqual({ Mode: 'vip' });
    const s = render({ swarm: { publish: { frontend: null, api: 18096, objectStore: 19000 } } });
    expect(service(s, 'frontend').EndpointSpec).toEqual({ Mode: 'vip' });
    expect(service(s, 'revenge').EndpointSpec.Ports?.[0]).toMatchObject({ TargetPort: 8096, PublishedPort: 18096 });
    expect(service(s, 'objectstore').EndpointSpec.Ports?.[0]).toMatchObject({ TargetPort: 9000, PublishedPort: 19000 });
  });

  it('takes every image from the values', () => {
    const images = {
      api: { image: 'registry.lan/revenge:1' },
      frontend: { image: 'registry.lan/frontend:1' },
      postgres: { image: 'registry.lan/postgres:18' },
      dragonfly: { image: 'registry.lan/dragonfly:1' },
      typesense: { image: 'registry.lan/typesense:1' },
      objectStore: { mode: 'bundled', image: 'registry.lan/s3:1' },
    };
    const s = render(images);
    expect(s.services.map((x) => x.TaskTemplate.ContainerSpec.Image).every((i) => i.startsWith('registry.lan/'))).toBe(
      true,
    );
  });

  it('rejects bad stack names and parses quantities', () => {
    expect(() => render({}, 'Bad_Name')).toThrow(/invalid Swarm stack name/);
    expect(() => catalog.renderSwarm('revenge', { nfs: { server: 'a b' } }, { stack: 'x' })).toThrow(/nfs.server/);
    expect(parseCpu('250m')).toBe(250_000_000);
    expect(parseCpu('1.5')).toBe(1_500_000_000);
    expect(parseMemory('1Gi')).toBe(2 ** 30);
    expect(parseMemory('500M')).toBe(500e6);
    expect(() => parseMemory('lots')).toThrow();
    expect(swarmName('a'.repeat(80))).toHaveLength(63);
    expect(revengeValuesSchema.parse({}).nfs.enabled).toBe(true);
    expect(buildRevenge(revengeValuesSchema.parse({ nfs: { enabled: false } })).volumes).toEqual([]);
  });
});
