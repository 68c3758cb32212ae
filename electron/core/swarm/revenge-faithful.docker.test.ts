/**
 * Revenge on the real engine with stand-ins that behave like its images: the same deploy with one
 * mistake of the earlier shape put back fails, naming the component and the reason.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RolloutStatus } from '@shared/deploy-schemas';
import { createDockerClient } from '../docker/client';
import { revengeStandinImages } from '../docker/testing/revenge-standins';
import { testEngine } from '../docker/testing/engine';
import { createStackCatalog } from '../stacks/catalog';
import type { Component, StackDefinition, StackModel } from '../stacks/model';
import { revenge } from '../stacks/revenge-stack';
import { createSwarmDeployer } from './deployer';

const engine = testEngine();
const endpoint = 'test';
const openClient = async () => createDockerClient({ kind: 'unix', socketPath: engine.socketPath });
const stacks: string[] = [];

function revengeWith(change: (api: Component) => void): StackDefinition {
  const def = revenge as StackDefinition;
  return {
    ...def,
    build: (values: unknown): StackModel => {
      const model = def.build(values);
      const api = model.components.find((c) => c.name === 'revenge');
      if (api) change(api);
      return model;
    },
  };
}

async function deploy(def: StackDefinition, stack: string, until: (s: RolloutStatus) => boolean) {
  stacks.push(stack);
  const d = createSwarmDeployer({ openClient, catalog: createStackCatalog([def]), updateMonitorMs: 2000 });
  const values = { ...revengeStandinImages(), nfs: { enabled: false }, swarm: { publish: { frontend: null } } };
  await d.apply({ endpoint, stack, template: 'revenge', values, prune: true });
  const deadline = Date.now() + 90_000;
  let last = await d.status({ endpoint, stack });
  while (!until(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    last = await d.status({ endpoint, stack });
  }
  return last;
}

afterAll(async () => {
  const d = createSwarmDeployer({ openClient, catalog: createStackCatalog() });
  for (const stack of stacks) await d.remove({ endpoint, stack, deleteVolumes: true }).catch(() => undefined);
});

describe('Revenge on the real engine, with stand-ins that behave like its images', () => {
  it('a health check on /health/ready of port 8096 (the earlier shape) keeps the API unhealthy', async () => {
    const wrong = revengeWith((api) => {
      api.probes.readiness = { check: { type: 'http', path: '/health/ready', port: 8096 }, periodSeconds: 1 };
      api.probes.startup = undefined;
    });
    const s = await deploy(
      wrong,
      'rvprobe',
      (x) => (x.workloads.find((w) => w.name === 'rvprobe_revenge')?.message ?? '') !== '',
    );
    const api = s.workloads.find((w) => w.name === 'rvprobe_revenge');
    expect(api?.ready, JSON.stringify(s)).toBe(0);
    const inspect = await engine.docker([
      'ps',
      '-a',
      '--filter',
      'label=com.docker.swarm.service.name=rvprobe_revenge',
      '--format',
      '{{.Status}}',
    ]);
    expect(inspect).toMatch(/unhealthy|health: starting|Exited/);
  }, 150_000);

  it('the config file where Revenge does not read it stops the API at start, in its own words', async () => {
    const wrong = revengeWith((api) => {
      api.files = (api.files ?? []).map((f) => ({ ...f, path: '/config/config.yaml' }));
    });
    const s = await deploy(
      wrong,
      'rvconfig',
      (x) =>
        x.state === 'failed' || /failed/.test(x.workloads.find((w) => w.name === 'rvconfig_revenge')?.message ?? ''),
    );
    const api = s.workloads.find((w) => w.name === 'rvconfig_revenge');
    expect(api?.ready, JSON.stringify(s)).toBe(0);
    expect(api?.message).toMatch(/failed|exit/);
    const log = await engine.docker(['service', 'logs', '--raw', 'rvconfig_revenge']);
    expect(log).toMatch(/Error: database\.url must name postgres:5432, not localhost:5432/);
  }, 150_000);
});
