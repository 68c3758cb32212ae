/**
 * The sandbox's namespace networks on a real engine: removing them when the sandbox closes leaves
 * none behind, even one still being made, and a network the engine refuses to remove is named.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { STANDIN_IMAGE } from '../../core/docker/testing/dockerd';
import { testEngine } from '../../core/docker/testing/engine';
import { runtimeEngine } from './engine';
import { createNetworks } from './networks';

const engine = testEngine();
const runtime = runtimeEngine(engine.host);
const made: string[] = [];

/** A sandbox id of its own per test, so each test sees only its networks. */
function sandbox() {
  const id = randomBytes(4).toString('hex');
  made.push(id);
  return { id, networks: createNetworks(runtime, id) };
}

const networksOf = async (id: string) =>
  (await engine.docker(['network', 'ls', '--format', '{{.Name}}', '--filter', `label=homeport.dev/sandbox=${id}`]))
    .split('\n')
    .filter(Boolean);

afterAll(async () => {
  // Only when a test failed: its containers and networks left behind.
  for (const id of made) {
    const containers = (await engine.docker(['ps', '-aq', '--filter', `label=homeport.dev/test=${id}`])).trim();
    if (containers) await engine.docker(['rm', '-f', ...containers.split('\n')]);
    for (const name of await networksOf(id)) await engine.docker(['network', 'rm', name]);
  }
  runtime.close();
});

describe('the sandbox namespace networks', () => {
  it('removes a network that is still being made when the sandbox closes', async () => {
    const { id, networks } = sandbox();
    const opening = networks.forNamespace('late');
    // Closing while the network is made (made, read back, made again with its subnet).
    await networks.removeAll();
    await expect(opening).resolves.toMatchObject({ name: `homeport-${id}-late` });
    expect(await networksOf(id)).toEqual([]);
  });

  it('waits for a container still leaving a network, and names a network it cannot remove', async () => {
    const { id, networks } = sandbox();
    const leaving = await networks.forNamespace('leaving');
    const staying = await networks.forNamespace('staying');
    const attach = async (network: string) =>
      (
        await engine.docker([
          'run',
          '-d',
          '--label',
          `homeport.dev/test=${id}`,
          '--network',
          network,
          STANDIN_IMAGE,
          'sleep',
          '300',
        ])
      ).trim();
    const goes = await attach(leaving.name);
    await attach(staying.name);
    // The container on `leaving` goes a moment after the sandbox starts removing its networks.
    const removed = new Promise((r) => setTimeout(r, 500)).then(() => engine.docker(['rm', '-f', goes]));
    const outcome = await networks.removeAll().then(
      () => 'removed',
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
    await removed;
    expect(outcome).toContain(`could not remove its Docker network ${staying.name}`);
    expect(outcome).toContain(`docker network rm ${staying.name}`);
    expect(outcome).toMatch(/active endpoints/);
    expect(await networksOf(id)).toEqual([staying.name]);
  }, 30_000);
});
