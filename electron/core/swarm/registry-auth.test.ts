/**
 * Private images on a swarm: the deployer sends each service's registry credential as
 * X-Registry-Auth, chosen by the registry host of the service's image. No registry image is
 * available to the test engine, so a stand-in Docker Engine 29 (Engine API 1.44 to 1.52) records
 * what Homeport sends; it also shows a whole deploy negotiating the engine's API version.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DOCKER_API_VERSION } from '../docker/api-version';
import { createDockerEndpoints } from '../docker/endpoints';
import { createRegistries } from '../docker/registries';
import { startFakeEngine, type FakeEngine } from '../docker/testing/fake-engine';
import { createSecretStore } from '../secrets/secret-store';
import { createSshTrust } from '../ssh/trust';
import { createStackCatalog } from '../stacks/catalog';
import { createSwarmDeployer } from './deployer';

let engine: FakeEngine;
let dir: string;
let deployer: ReturnType<typeof createSwarmDeployer>;

const values = (apiImage: string) => ({
  api: { image: apiImage, autoscale: { enabled: false }, replicas: 1 },
  frontend: { image: 'ghcr.io/acme/revenge-frontend:1', replicas: 1 },
  postgres: { image: 'postgres:18-alpine' },
  dragonfly: { image: 'docker.dragonflydb.io/dragonflydb/dragonfly:latest' },
  typesense: { image: 'typesense/typesense:0.25.2' },
  objectStore: { mode: 'bundled', image: 'rustfs/rustfs:latest' },
  nfs: { enabled: false },
  swarm: { publish: { frontend: null } },
});

const decode = (header: string | string[] | undefined) =>
  typeof header === 'string' ? (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as unknown) : undefined;

const ghcr = { username: 'acme-bot', password: 'ghp_saved_token', serveraddress: 'ghcr.io' };
const hub = { username: 'hub-user', password: 'hub-pass', serveraddress: 'https://index.docker.io/v1/' };

beforeAll(async () => {
  engine = await startFakeEngine({ apiVersion: '1.52', minApiVersion: '1.44' });
  dir = await mkdtemp(join(tmpdir(), 'homeport-registry-deploy-'));
  const home = join(dir, 'home');
  await mkdir(join(home, '.docker'), { recursive: true });
  // docker login to Docker Hub; ghcr.io is saved in Homeport.
  await writeFile(
    join(home, '.docker', 'config.json'),
    JSON.stringify({
      auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('hub-user:hub-pass').toString('base64') } },
    }),
  );
  const env = { HOME: home };
  const dataDir = join(dir, 'data');
  const secrets = createSecretStore({ dataDir });
  const registries = createRegistries({ dataDir, secrets, env });
  await registries.add({ host: 'ghcr.io', username: ghcr.username, secret: ghcr.password });
  const endpoints = createDockerEndpoints({ dataDir, trust: createSshTrust({ dataDir }), env });
  await endpoints.add({ name: 'engine29', url: engine.host });
  deployer = createSwarmDeployer({
    openClient: (name) => endpoints.openClient(name),
    catalog: createStackCatalog(),
    registryAuth: (image) => registries.authHeader(image),
  });
});

afterAll(async () => {
  await engine?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const serviceWrites = () =>
  engine.requests
    .filter((r) => r.method === 'POST' && /^\/services\/(create|[^/]+\/update)$/.test(r.path))
    .map((r) => ({
      path: r.path.replace(/^\/services\/[^/]+\/update$/, '/services/ID/update'),
      image: (r.body as { TaskTemplate?: { ContainerSpec?: { Image?: string } } } | undefined)?.TaskTemplate
        ?.ContainerSpec?.Image,
      rollback: r.query.get('rollback') ?? undefined,
      auth: decode(r.headers['x-registry-auth']),
    }));

describe('registry credentials on a Swarm deploy', () => {
  it('creates each service with the credential of its image registry, and none where none is known', async () => {
    const result = await deployer.apply({
      endpoint: 'engine29',
      stack: 'media',
      template: 'revenge',
      values: values('ghcr.io/acme/revenge:1'),
      prune: true,
    });
    expect(result.revision).toBe(1);
    const byImage = new Map(serviceWrites().map((w) => [w.image, w]));
    expect(byImage.get('ghcr.io/acme/revenge:1')?.auth).toEqual(ghcr);
    expect(byImage.get('ghcr.io/acme/revenge-frontend:1')?.auth).toEqual(ghcr);
    expect(byImage.get('postgres:18-alpine')?.auth).toEqual(hub);
    expect(byImage.get('typesense/typesense:0.25.2')?.auth).toEqual(hub);
    expect(byImage.get('docker.dragonflydb.io/dragonflydb/dragonfly:latest')).toMatchObject({ auth: undefined });
    // Only service writes carry a credential.
    expect(
      engine.requests.filter((r) => r.headers['x-registry-auth'] !== undefined && !r.path.startsWith('/services')),
    ).toEqual([]);
    // The whole deploy spoke the newest version both sides know; the engine refused nothing.
    expect(new Set(engine.requests.filter((r) => r.version).map((r) => r.version))).toEqual(
      new Set([MAX_DOCKER_API_VERSION]),
    );
  });

  it('updates and rolls back a service with the credential of the image it will run', async () => {
    engine.requests.length = 0;
    await deployer.apply({
      endpoint: 'engine29',
      stack: 'media',
      template: 'revenge',
      values: values('ghcr.io/acme/revenge:2'),
      prune: true,
    });
    expect(serviceWrites()).toEqual([
      { path: '/services/ID/update', image: 'ghcr.io/acme/revenge:2', rollback: undefined, auth: ghcr },
    ]);

    // Moved to a registry Homeport has no credential for: pulled anonymously.
    engine.requests.length = 0;
    const moved = 'registry.nas.lan/acme/revenge:3';
    await deployer.apply({
      endpoint: 'engine29',
      stack: 'media',
      template: 'revenge',
      values: values(moved),
      prune: true,
    });
    expect(serviceWrites()).toEqual([
      { path: '/services/ID/update', image: moved, rollback: undefined, auth: undefined },
    ]);

    // Rolling back runs ghcr.io/acme/revenge:2 again, so ghcr.io's credential goes with it.
    engine.requests.length = 0;
    await deployer.rollbackService({ endpoint: 'engine29', stack: 'media', service: 'revenge' });
    expect(serviceWrites()).toEqual([{ path: '/services/ID/update', image: moved, rollback: 'previous', auth: ghcr }]);
  });

  it('rolls a stack named unlike its catalog stack back to a revision, rendered from the catalog stack it recorded', async () => {
    engine.requests.length = 0;
    const result = await deployer.rollback({ endpoint: 'engine29', stack: 'media', revision: 1 });
    expect(result.revision).toBeGreaterThan(3);
    expect(serviceWrites()).toContainEqual({
      path: '/services/ID/update',
      image: 'ghcr.io/acme/revenge:1',
      rollback: undefined,
      auth: ghcr,
    });
  });
});
