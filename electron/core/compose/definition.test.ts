import { describe, expect, it } from 'vitest';
import { checkKubernetes, checkSwarm } from '../stacks/contract-check';
import { builtinStacks, createStackCatalog } from '../stacks/catalog';
import { validateKubeObjects } from '../stacks/testing/kube-schema';
import type { KubeObject } from '../stacks/types';
import { userStackDefinition, UserStackError } from './definition';
import { userStackNasPlaces, withNasTargets } from './references';
import { composeDocument } from './testing/fixtures';

const find = (objects: KubeObject[], kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} among ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o as KubeObject & { spec: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered objects are untyped JSON
};
const container = (o: { spec: Record<string, any> }) => o.spec.template.spec.containers[0]; // eslint-disable-line @typescript-eslint/no-explicit-any -- as above

describe('the wiki behind a proxy as a user stack', () => {
  const def = userStackDefinition(composeDocument('wiki-proxy'));
  const catalog = createStackCatalog([...builtinStacks, def]);

  it('builds the model: components, probes from healthchecks, secret and config files, who may connect', () => {
    const model = def.build(def.schema.parse({}));
    expect(model.components.map((c) => c.name)).toEqual(['proxy', 'wiki', 'db']);
    const [proxy, wiki, db] = model.components;
    expect(proxy).toMatchObject({
      image: 'caddy:2.8-alpine',
      ports: [{ name: 'port-80', port: 80 }],
      configFiles: [{ config: 'wiki-proxy-config', key: 'caddyfile', path: '/etc/caddy/Caddyfile' }],
      security: { readOnlyRoot: { writable: ['/data', '/config'] } },
      tools: ['wget'],
    });
    expect(proxy?.probes.readiness).toEqual({
      check: { type: 'exec', command: ['wget', '-q', '-O', '/dev/null', 'http://localhost:80/healthz'] },
      periodSeconds: 20,
      timeoutSeconds: 30,
      failureThreshold: 3,
    });
    expect(proxy?.acceptsFrom).toBeUndefined();
    // No health check: a TCP check of its port. Reached by the proxy (frontend) and the db (backend).
    expect(wiki?.probes.liveness).toEqual({ check: { type: 'tcp', port: 3000 }, periodSeconds: 30 });
    expect(wiki?.acceptsFrom).toBeUndefined();
    expect(wiki?.security).toEqual({ user: { uid: 1000, gid: 1000 } });
    expect(wiki?.files).toEqual([
      { secret: 'wiki-proxy-secrets', key: 'wiki_db_password', path: '/run/secrets/wiki_db_password' },
    ]);
    // On the backend network only: the wiki alone may connect, on the port its DB_PORT names.
    expect(db?.acceptsFrom).toEqual(['wiki']);
    expect(db?.ports).toEqual([{ name: 'port-5432', port: 5432 }]);
    expect(db?.probes.startup).toEqual({
      check: { type: 'exec', command: ['sh', '-c', 'pg_isready -U wiki -d wiki'] },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 7,
    });
    expect(model.volumes).toEqual([{ name: 'wiki-db', type: 'claim', size: '10Gi', readOnly: false }]);
    expect(model.secrets).toEqual([
      { name: 'wiki-proxy-secrets', keys: [{ key: 'wiki_db_password', generated: true }] },
    ]);
    expect(model.configs).toEqual([
      {
        name: 'wiki-proxy-config',
        files: [{ key: 'caddyfile', content: ':80 {\n  respond /healthz 200\n  reverse_proxy wiki:3000\n}\n' }],
      },
    ]);
    expect(model.published).toEqual([{ component: 'proxy', port: 80, publishedPort: 80 }]);
  });

  it('renders Kubernetes objects that validate, key by key', () => {
    const { objects } = catalog.renderKubernetes('wiki-proxy', {}, { namespace: 'wiki' });
    validateKubeObjects(objects);
    expect(find(objects, 'Secret', 'wiki-proxy-secrets').metadata.annotations).toEqual({
      'homeport.dev/generated-keys': 'wiki_db_password',
    });
    expect(find(objects, 'PersistentVolumeClaim', 'wiki-proxy-wiki-db').spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '10Gi' } },
    });
    expect(find(objects, 'Service', 'db').spec.ports).toEqual([
      { name: 'port-5432', port: 5432, targetPort: 'port-5432', protocol: 'TCP' },
    ]);
    const db = container(find(objects, 'Deployment', 'db'));
    expect(db.env).toEqual([
      { name: 'POSTGRES_USER', value: 'wiki' },
      { name: 'POSTGRES_DB', value: 'wiki' },
      { name: 'POSTGRES_PASSWORD_FILE', value: '/run/secrets/wiki_db_password' },
    ]);
    expect(db.volumeMounts).toContainEqual({
      name: 'file-wiki-proxy-secrets',
      mountPath: '/run/secrets/wiki_db_password',
      subPath: 'wiki_db_password',
      readOnly: true,
    });
    expect(db.readinessProbe).toEqual({
      exec: { command: ['sh', '-c', 'pg_isready -U wiki -d wiki'] },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 5,
    });
    const wiki = find(objects, 'Deployment', 'wiki');
    expect(wiki.spec.template.spec.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
    expect(container(wiki).livenessProbe).toEqual({ tcpSocket: { port: 'port-3000' }, periodSeconds: 30 });
    const proxy = container(find(objects, 'Deployment', 'proxy'));
    expect(proxy.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(find(objects, 'NetworkPolicy', 'db').spec.ingress).toEqual([
      {
        from: [
          {
            podSelector: {
              matchLabels: { 'homeport.dev/stack': 'wiki-proxy' },
              matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['wiki'] }],
            },
          },
        ],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
    ]);
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name)).toEqual(['db']);
    expect(checkKubernetes(objects, def.contracts)).toEqual([]);
  });

  it('renders a Swarm stack: published proxy, health checks, secret files', () => {
    const swarm = catalog.renderSwarm('wiki-proxy', {}, { stack: 'wiki' });
    const svc = (name: string) => {
      const s = swarm.services.find((x) => x.Name === `wiki_${name}`);
      if (!s) throw new Error(`no service wiki_${name}`);
      return s;
    };
    expect(svc('proxy').EndpointSpec?.Ports).toEqual([
      expect.objectContaining({ Protocol: 'tcp', TargetPort: 80, PublishedPort: 80 }),
    ]);
    expect(svc('proxy').TaskTemplate.ContainerSpec).toMatchObject({ ReadOnly: true });
    expect(svc('db').TaskTemplate.ContainerSpec.Healthcheck).toEqual({
      Test: ['CMD', 'sh', '-c', 'pg_isready -U wiki -d wiki'],
      Interval: 10e9,
      Timeout: 5e9,
      Retries: 5,
      StartPeriod: 70e9,
    });
    expect(svc('db').TaskTemplate.ContainerSpec.Secrets).toEqual([
      {
        SecretName: 'wiki_wiki-proxy-secrets_wiki_db_password',
        File: { Name: '/run/secrets/wiki_db_password', UID: '0', GID: '0', Mode: 0o444 },
      },
    ]);
    expect(svc('db').TaskTemplate.ContainerSpec.Mounts).toEqual([
      expect.objectContaining({ Type: 'volume', Source: 'wiki_wiki-db', Target: '/var/lib/postgresql/data' }),
    ]);
    expect(swarm.secrets.map((s) => s.Name)).toEqual(['wiki_wiki-proxy-secrets_wiki_db_password']);
    expect(checkSwarm(swarm, def.contracts)).toEqual([]);
  });

  it('values: images, replicas and host ports per service; unknown keys are errors', () => {
    const v = catalog.validate('wiki-proxy', {
      services: { wiki: { image: 'ghcr.io/example/wiki:2.6', replicas: 2 }, proxy: { ports: { '80': 8080 } } },
    });
    expect(v.ok).toBe(true);
    const model = def.build(def.schema.parse(v.ok ? v.values : {}));
    expect(model.components[1]).toMatchObject({ image: 'ghcr.io/example/wiki:2.6', replicas: 2 });
    expect(model.published).toEqual([{ component: 'proxy', port: 80, publishedPort: 8080 }]);
    expect(catalog.validate('wiki-proxy', { services: { nope: {} } })).toMatchObject({
      ok: false,
      issues: [{ path: 'services.nope' }],
    });
    expect(catalog.validate('wiki-proxy', { services: { wiki: { image: 'Not An Image' } } }).ok).toBe(false);
  });

  it('an ingress to the proxy on Kubernetes, where published ports are not rendered', () => {
    const { objects } = catalog.renderKubernetes(
      'wiki-proxy',
      { ingress: { enabled: true, host: 'wiki.home.lan' } },
      { namespace: 'wiki' },
    );
    validateKubeObjects(objects);
    expect(find(objects, 'Ingress', 'wiki-proxy').spec.rules).toEqual([
      {
        host: 'wiki.home.lan',
        http: {
          paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'proxy', port: { number: 80 } } } }],
        },
      },
    ]);
  });

  it('derives contracts and signals from the healthchecks and ports', () => {
    expect(def.contracts.find((c) => c.component === 'proxy')).toMatchObject({
      images: ['caddy'],
      ports: [{ port: 80, protocol: 'http', ref: 'wiki-proxy/docker-compose.yml:3' }],
      http: [{ port: 80, path: '/healthz', roles: ['health', 'liveness', 'readiness'] }],
      expects: [{ host: 'wiki', port: 3000, why: 'proxy depends on wiki' }],
      tools: ['wget'],
    });
    // The programs its health check runs, inside `sh -c` too; without one, what the Swarm TCP check runs.
    expect(def.contracts.find((c) => c.component === 'db')?.tools).toEqual(['sh', 'pg_isready']);
    expect(def.contracts.find((c) => c.component === 'wiki')?.tools).toEqual(['sh', 'nc']);
    expect(def.contracts.find((c) => c.component === 'wiki')?.expects).toEqual([
      { host: 'db', port: 5432, why: 'wiki depends on db', ref: 'wiki-proxy/docker-compose.yml:20' },
    ]);
    expect(def.signals).toEqual({
      primary: 'proxy',
      replicas: { kind: 'many', scale: { replicas: 'services.proxy.replicas' } },
      externalState: [],
      database: { component: 'db' },
      dashboard: [],
    });
    expect(def.backup.databases).toEqual([
      expect.objectContaining({ kind: 'postgres', component: 'db', database: 'wiki', user: 'wiki' }),
    ]);
    expect(def.backup.scratchValues).toEqual({ services: { proxy: { ports: { '80': 10080 } } } });
    expect(def.needs).toEqual({
      nasExport: 'no',
      s3Profile: 'no',
      images: [
        { component: 'proxy', reference: 'caddy:2.8-alpine' },
        { component: 'wiki', reference: 'ghcr.io/example/wiki:2.5' },
        { component: 'db', reference: 'postgres:17-alpine' },
      ],
    });
  });
});

describe('the media server as a user stack', () => {
  it('maps the NFS volume to a saved NAS export, resolved at deploy time', () => {
    const def = userStackDefinition(
      composeDocument('media-server', {
        mapping: { volumes: { media: { kind: 'nas', host: 'box', export: 'media', readOnly: true } } },
      }),
    );
    expect(def.needs?.nasExport).toBe('required');
    const values = def.schema.parse({});
    expect(values.volumes.media).toEqual({ nas: { host: 'box', export: 'media' }, readOnly: true });
    expect(() => def.build(values)).toThrow(
      /volumes\.media\.nas: the export 'media' on NAS host 'box' is not resolved/,
    );
    const resolved = def.schema.parse({ volumes: { media: { server: '192.168.1.20', path: '/srv/media' } } });
    const model = def.build(resolved);
    expect(model.volumes).toContainEqual({
      name: 'media',
      type: 'nfs',
      server: '192.168.1.20',
      path: '/srv/media',
      readOnly: true,
      size: '1Ti',
    });
    const catalog = createStackCatalog([def]);
    const { objects } = catalog.renderKubernetes(
      'media-server',
      { volumes: { media: { server: '192.168.1.20', path: '/srv/media' }, config: { storageClass: 'fast' } } },
      { namespace: 'media' },
    );
    validateKubeObjects(objects);
    const server = container(find(objects, 'Deployment', 'server'));
    expect(server.volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/media', readOnly: true }));
    expect(server.resources).toEqual({
      requests: { cpu: '500m', memory: '512Mi' },
      limits: { cpu: '2', memory: '2Gi' },
    });
    expect(server.startupProbe).toEqual({
      exec: { command: ['curl', '-fsS', 'http://localhost:8096/health'] },
      periodSeconds: 30,
      timeoutSeconds: 5,
      failureThreshold: 5,
    });
    expect(server.env).toContainEqual({
      name: 'DATABASE_URL',
      value: 'postgres://media@db:5432/media?sslmode=disable',
    });
    expect(find(objects, 'PersistentVolumeClaim', 'media-server-config').spec.storageClassName).toBe('fast');
    expect(checkKubernetes(objects, def.contracts)).toEqual([]);
  });

  it('a secret mapped to an existing one is a template copying its key', () => {
    const def = userStackDefinition(
      composeDocument('media-server', {
        mapping: { secrets: { db_password: { kind: 'existing', secret: 'media-db', key: 'password' } } },
      }),
    );
    const model = def.build(def.schema.parse({ volumes: { media: {} } }));
    expect(model.secrets).toEqual([
      {
        name: 'media-server-secrets',
        keys: [{ key: 'db_password', generated: false, template: '{{media-db/password}}' }],
      },
    ]);
  });
});

describe('the photo library as a user stack', () => {
  const def = userStackDefinition(composeDocument('photo-library'));

  it('carries env_file and environment, command as arguments, replicas and memory limits', () => {
    const model = def.build(def.schema.parse({}));
    const [server, worker, redis] = model.components;
    expect(server).toMatchObject({
      image: 'ghcr.io/example/photos-server:v1.132.3',
      args: ['start.sh', 'server'],
      replicas: 2,
    });
    expect(worker?.args).toEqual(['start.sh', 'microservices']);
    expect(worker?.resources).toEqual({ requests: {}, limits: { memory: '4Gi' } });
    // The env file first, then environment; the .env value's quotes and comment are gone.
    expect(worker?.env).toEqual(
      expect.arrayContaining([
        { name: 'TZ', value: 'Europe/Berlin' },
        { name: 'DB_HOSTNAME', value: 'database' },
        { name: 'WORKER_CONCURRENCY', value: '4' },
      ]),
    );
    // No health check and no port: the main process must be alive.
    expect(worker?.probes.readiness.check).toEqual({ type: 'exec', command: ['sh', '-c', 'kill -0 1'] });
    expect(redis?.ports).toEqual([{ name: 'port-6379', port: 6379 }]);
    expect(model.volumes).toEqual([
      { name: 'uploads', type: 'nfs', server: '192.168.1.20', path: '/volume1/photos', readOnly: false, size: '1Ti' },
      { name: 'pgdata', type: 'claim', size: '10Gi', readOnly: false },
    ]);
    const swarm = createStackCatalog([def]).renderSwarm('photo-library', {}, { stack: 'photos' });
    expect(swarm.services.find((s) => s.Name === 'photos_server')?.Mode).toEqual({ Replicated: { Replicas: 2 } });
    expect(checkSwarm(swarm, def.contracts)).toEqual([]);
  });

  it('a stack whose file is broken cannot be defined', () => {
    expect(() =>
      userStackDefinition(composeDocument('photo-library', { files: { '.env': '' }, compose: 'services: [' })),
    ).toThrow(UserStackError);
  });
});

describe('NAS exports named by a user stack’s values', () => {
  it('are listed by volume and resolved into server and path the build accepts', () => {
    const def = userStackDefinition(
      composeDocument('media-server', {
        mapping: { volumes: { media: { kind: 'nas', host: 'box', export: 'media', readOnly: true } } },
      }),
    );
    const values = def.schema.parse({});
    expect(userStackNasPlaces(values)).toEqual([
      { path: 'volumes.media', volume: 'media', host: 'box', export: 'media' },
    ]);
    const resolved = def.schema.parse(withNasTargets(values, { media: { server: 'nas.lan', path: '/volume1/media' } }));
    expect(def.build(resolved).volumes).toContainEqual(
      expect.objectContaining({
        name: 'media',
        type: 'nfs',
        server: 'nas.lan',
        path: '/volume1/media',
        readOnly: true,
      }),
    );
  });
});

describe('dollar signs in a compose file reach the program as written', () => {
  // After interpolation `$$` is one `$`: APP_GREETING is "costs $5", CMD_DATE "$(date)" and
  // LINK "$(APP_GREETING)" as text, which Compose never expands.
  const compose = [
    'services:',
    '  app:',
    '    image: example/app:1',
    '    environment:',
    '      APP_GREETING: costs $$5',
    '      LINK: $$(APP_GREETING)',
    '    command: ["sh", "-c", "echo $$(date) $$APP_GREETING"]',
    '',
  ].join('\n');
  const def = userStackDefinition(composeDocument('dollars', { compose }));
  const catalog = createStackCatalog([def]);

  it('escapes them for the kubelet, which would otherwise expand $(APP_GREETING)', () => {
    const { objects } = catalog.renderKubernetes('dollars', {}, { namespace: 'dollars' });
    const app = container(find(objects, 'Deployment', 'app'));
    expect(app.env).toEqual(
      expect.arrayContaining([
        { name: 'APP_GREETING', value: 'costs $$5' },
        { name: 'LINK', value: '$$(APP_GREETING)' },
      ]),
    );
    expect(app.args).toEqual(['sh', '-c', 'echo $$(date) $$APP_GREETING']);
  });

  it('gives Swarm, which expands nothing, the text itself', () => {
    const swarm = catalog.renderSwarm('dollars', {}, { stack: 'dollars' });
    const spec = swarm.services.find((s) => s.Name === 'dollars_app')?.TaskTemplate.ContainerSpec;
    expect(spec?.Env).toEqual(expect.arrayContaining(['APP_GREETING=costs $5', 'LINK=$(APP_GREETING)']));
    expect(spec?.Args).toEqual(['sh', '-c', 'echo $(date) $APP_GREETING']);
  });
});
