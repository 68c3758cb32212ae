/**
 * A user stack's revision keeps the version it was deployed with: a rollback on a swarm (which
 * renders the recorded values again) runs that version's images, not the newest version's. A
 * stand-in Docker engine keeps the Swarm objects in memory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerEndpoints } from '../docker/endpoints';
import { startFakeEngine, type FakeEngine } from '../docker/testing/fake-engine';
import { createSshTrust } from '../ssh/trust';
import { builtinStacks, createStackCatalog } from '../stacks/catalog';
import { createSwarmDeployer } from '../swarm/deployer';
import { createUserStacks } from './service';
import { createUserStackStore } from './store';
import { webInput } from './testing/compose-files';
import { composeLibrary } from './testing/compose-library';

let engine: FakeEngine;
let dir: string;

beforeAll(async () => {
  engine = await startFakeEngine({ apiVersion: '1.52', minApiVersion: '1.44' });
  dir = await mkdtemp(join(tmpdir(), 'homeport-user-rollback-'));
});
afterAll(async () => {
  await engine?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const images = () =>
  engine.requests
    .filter((r) => r.method === 'POST' && /^\/services\/(create|[^/]+\/update)$/.test(r.path))
    .map(
      (r) => (r.body as { TaskTemplate?: { ContainerSpec?: { Image?: string } } }).TaskTemplate?.ContainerSpec?.Image,
    );

describe('rolling back a user stack', () => {
  it('renders with the version the revision was deployed with', async () => {
    const dataDir = join(dir, 'data');
    const catalog = createStackCatalog(builtinStacks, { define: composeLibrary.userStackDefinition });
    const userStacks = createUserStacks({
      store: createUserStackStore({ dataDir, reserved: () => ['revenge'] }),
      catalog,
      compose: composeLibrary,
    });
    const endpoints = createDockerEndpoints({ dataDir, trust: createSshTrust({ dataDir }), env: { HOME: dir } });
    await endpoints.add({ name: 'engine', url: engine.host });
    const deployer = createSwarmDeployer({ openClient: (name) => endpoints.openClient(name), catalog });
    const values = {
      volumes: { media: { nas: { host: 'box', export: 'media' }, server: '10.0.0.2', path: '/srv/media' } },
    };
    const ref = { endpoint: 'engine', stack: 'photos' };

    await userStacks.save(webInput('busybox:1.36'));
    expect((await deployer.apply({ ...ref, values, prune: true })).revision).toBe(1);
    await userStacks.save(webInput('busybox:1.37'));
    engine.requests.length = 0;
    await deployer.apply({ ...ref, values, prune: true });
    expect(images()).toEqual(['busybox:1.37']);

    const revisions = await deployer.revisions(ref);
    expect(revisions.map((r) => [r.revision, (r.values as { stackVersion: number }).stackVersion])).toEqual([
      [2, 2],
      [1, 1],
    ]);
    engine.requests.length = 0;
    const back = await deployer.rollback({ ...ref, revision: 1 });
    expect(back.revision).toBe(3);
    expect(images()).toEqual(['busybox:1.36']);
    expect(((await deployer.revisions(ref))[0]?.values as { stackVersion: number }).stackVersion).toBe(1);
  });
});
