/**
 * The Swarm scorecard on the real test engine: a stack deployed by Homeport's Swarm deployer,
 * scored from the engine's services and tasks and from the revision the deployer recorded (the
 * engine never gives a secret's data back, so a config file's template is read from there).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReadinessReport } from '@shared/readiness-schemas';
import { createDockerClient } from '../docker/client';
import { STANDIN_IMAGE } from '../docker/testing/dockerd';
import { testEngine } from '../docker/testing/engine';
import { builtinStacks, createStackCatalog } from '../stacks/catalog';
import { createSwarmDeployer } from '../swarm/deployer';
import { reportSwarm } from './swarm';
import { WEB_CONFIG, webStack } from './testing/web-stack';

const engine = testEngine();
const catalog = createStackCatalog([...builtinStacks, webStack]);
const stack = `hp-rd-${randomBytes(3).toString('hex')}`;
const openClient = async () => createDockerClient({ kind: 'unix', socketPath: engine.socketPath });
const deployer = createSwarmDeployer({ openClient, catalog, updateMonitorMs: 1000 });
const ref = { endpoint: 'test-engine', stack, template: webStack.name };
const values = { web: { image: STANDIN_IMAGE, replicas: 1 }, cache: { image: STANDIN_IMAGE } };

const check = (r: ReadinessReport, id: string) => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};

async function until(ok: (r: ReadinessReport) => boolean, what: string): Promise<ReadinessReport> {
  const deadline = Date.now() + 60_000;
  let last: ReadinessReport | undefined;
  while (Date.now() < deadline) {
    last = await reportSwarm(ref, { openClient, stacks: catalog });
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last?.checks, null, 1)}`);
}

describe('Swarm readiness on the real engine', () => {
  afterAll(async () => {
    await deployer.remove({ ...ref, deleteVolumes: true }).catch(() => undefined);
  });

  it('reads the config file from the recorded revision and follows a change made behind Homeport', async () => {
    await deployer.apply({ ...ref, values, prune: false });
    let r = await until((x) => check(x, 'distributed.probes-passing').verdict === 'pass', 'running tasks');

    // The engine keeps the secret's data to itself: only the recorded template says where the cache is.
    const secret = (await engine.docker(['secret', 'ls', '--format', '{{.Name}}']))
      .split('\n')
      .find((n) => n.startsWith(`${stack}_web-config_config.yaml_`));
    expect(secret).toBeDefined();
    expect(JSON.parse(await engine.docker(['secret', 'inspect', secret ?? '']))[0].Spec.Data).toBeUndefined();
    expect(check(r, 'state.sessions-cache')).toMatchObject({ verdict: 'pass' });
    expect(check(r, 'state.sessions-cache').evidence).toContainEqual({
      object: `Service ${stack}_web`,
      field: `setting cache.url (config file ${WEB_CONFIG} (secret ${secret} (template recorded in the current revision)))`,
      value: 'host cache',
    });
    expect(check(r, 'configuration.env').summary).toBe(
      `Service ${stack}_web is configured by 1 environment variables and the config file ${WEB_CONFIG}`,
    );
    for (const id of ['distributed.probes', 'distributed.graceful-shutdown', 'distributed.update-rollback'])
      expect(check(r, id).verdict, id).toBe('pass');
    // A stateless primary with one replica: the stack's values path gives the fix.
    expect(check(r, 'distributed.replicas')).toMatchObject({
      verdict: 'fail',
      fix: { label: 'Run 2 replicas of web', values: { web: { replicas: 2 } } },
    });
    // The generated password never reaches the report.
    expect(JSON.stringify(r)).not.toContain('redis://');

    await engine.docker(['service', 'update', '--detach', '--no-healthcheck', `${stack}_web`]);
    r = await until((x) => check(x, 'distributed.probes').verdict === 'fail', 'the removed health check');
    expect(check(r, 'distributed.probes')).toMatchObject({
      summary: `No working health check: Service ${stack}_web`,
      fix: { values: {} },
    });
  }, 150_000);
});
