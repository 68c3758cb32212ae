/**
 * A user stack from a compose file deployed to the real engine's swarm exactly like a catalog
 * stack: the catalog holds the built-in stacks and the user stack, the Swarm deployer plans,
 * applies, follows the rollout, redeploys unchanged, scales through the values, rolls back and
 * removes it. The database is the real PostgreSQL image reading its generated password from the
 * secret file Compose would mount; the wiki gets the same file.
 */
import { randomBytes } from 'node:crypto';
import type { RolloutStatus } from '@shared/deploy-schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../docker/client';
import { ensurePostgresImage } from '../docker/testing/postgres-image';
import { testEngine } from '../docker/testing/engine';
import { builtinStacks, createStackCatalog } from '../stacks/catalog';
import { createSwarmDeployer } from '../swarm/deployer';
import { analyzeCompose } from './analyze';
import { userStackDefinition } from './definition';
import { composeDocument, composeText } from './testing/fixtures';

const engine = testEngine();
const stack = `wiki-${randomBytes(3).toString('hex')}`;
const endpoint = 'test-engine';
// Deployed under its own name, as catalog stacks are (a roll-back renders the stack named so).
const doc = composeDocument('wiki-standin', { name: stack });
const catalog = createStackCatalog([...builtinStacks, userStackDefinition(doc)]);
const deployer = createSwarmDeployer({
  openClient: async () => createDockerClient({ kind: 'unix', socketPath: engine.socketPath }),
  catalog,
  updateMonitorMs: 2000,
});
const ref = { endpoint, stack };

async function waitFor(pred: (s: RolloutStatus) => boolean, what: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let last: RolloutStatus | undefined;
  while (Date.now() < deadline) {
    last = await deployer.status({ endpoint, stack });
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last)}`);
}

/** The file at `path` in a running task's container of a service. */
async function readInTask(service: string, path: string): Promise<string> {
  const ids = (await engine.docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${stack}_${service}`]))
    .split('\n')
    .filter(Boolean);
  if (!ids[0]) throw new Error(`no running container of ${stack}_${service}`);
  return engine.docker(['exec', ids[0], 'cat', path]);
}

beforeAll(async () => {
  await ensurePostgresImage(engine.docker);
}, 600_000);

afterAll(async () => {
  await deployer.remove({ endpoint, stack, deleteVolumes: true }).catch(() => undefined);
});

describe('a compose file as a user stack on Swarm', () => {
  it('is understood without unsupported keys', () => {
    const a = analyzeCompose(composeText('wiki-standin'));
    expect(a.ok).toBe(true);
    expect(a.unsupported).toEqual([]);
  });

  it('deploys, converges, keeps its generated secret, scales, rolls back and is removed', async () => {
    const plan = await deployer.plan({ ...ref, values: {} });
    expect(plan.items.map((i) => `${i.kind}/${i.name}`).sort()).toEqual(
      expect.arrayContaining([`Service/${stack}_proxy`, `Service/${stack}_wiki`, `Service/${stack}_db`]),
    );
    const first = await deployer.apply({ ...ref, values: {}, prune: true });
    expect(first.revision).toBe(1);
    const healthy = await waitFor((s) => s.state === 'healthy', 'the stack to converge');
    expect(healthy.workloads.map((w) => [w.name, w.ready, w.desired]).sort()).toEqual([
      [`${stack}_db`, 1, 1],
      [`${stack}_proxy`, 1, 1],
      [`${stack}_wiki`, 1, 1],
    ]);

    // The database initialised with the generated password the wiki reads from the same file.
    const password = await readInTask('db', '/run/secrets/wiki_db_password');
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await readInTask('wiki', '/run/secrets/wiki_db_password')).toBe(password);
    const proxy = JSON.parse(await engine.docker(['service', 'inspect', `${stack}_proxy`]))[0] as {
      Endpoint: { Ports?: { TargetPort: number; PublishedPort: number }[] };
    };
    expect(proxy.Endpoint.Ports).toEqual([expect.objectContaining({ TargetPort: 9000, PublishedPort: 18080 })]);

    const again = await deployer.plan({ ...ref, values: {} });
    expect(again.items.filter((i) => i.action !== 'unchanged')).toEqual([]);

    await deployer.apply({ ...ref, values: { services: { wiki: { replicas: 2 } } }, prune: true });
    await waitFor((s) => s.workloads.find((w) => w.name === `${stack}_wiki`)?.ready === 2, 'two wiki instances');
    expect(await readInTask('db', '/run/secrets/wiki_db_password')).toBe(password);

    const back = await deployer.rollback({ endpoint, stack, revision: 1 });
    expect(back.revision).toBe(3);
    await waitFor(
      (s) => s.state === 'healthy' && s.workloads.find((w) => w.name === `${stack}_wiki`)?.desired === 1,
      'one wiki instance after the roll-back',
    );

    await deployer.remove({ endpoint, stack, deleteVolumes: true });
    expect(await engine.docker(['service', 'ls', '--filter', `label=com.docker.stack.namespace=${stack}`, '-q'])).toBe(
      '',
    );
  }, 300_000);
});
