/**
 * Revenge on the real engine with stand-ins that behave like its images: the same deploy with one
 * mistake of the earlier shape put back fails, naming the component and the reason.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../docker/client';
import { revengeStandinImages } from '../docker/testing/revenge-standins';
import { testEngine } from '../docker/testing/engine';
import { createStackCatalog } from '../stacks/catalog';
import type { StackDefinition } from '../stacks/model';
import { revengeWith } from '../stacks/testing/revenge-variants';
import { createSwarmDeployer } from './deployer';

const engine = testEngine();
const run = promisify(execFile);
const endpoint = 'test';
const openClient = async () => createDockerClient({ kind: 'unix', socketPath: engine.socketPath });
const stacks: string[] = [];

async function deploy(def: StackDefinition, stack: string) {
  stacks.push(stack);
  const d = createSwarmDeployer({ openClient, catalog: createStackCatalog([def]), updateMonitorMs: 2000 });
  const values = { ...revengeStandinImages(), nfs: { enabled: false }, swarm: { publish: { frontend: null } } };
  await d.apply({ endpoint, stack, template: 'revenge', values, prune: true });
  return d;
}

/** Polls what the engine shows until it matches, or says what it showed last. */
async function until(read: () => Promise<string>, ok: RegExp, timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await read();
    if (ok.test(last)) return last;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`never matched ${ok}; last: ${last}`);
}

const containers = (service: string) => () =>
  engine.docker(['ps', '-a', '--filter', `label=com.docker.swarm.service.name=${service}`, '--format', '{{.Status}}']);
/** The service's log, both streams: programs write their refusals to stderr. */
const logs = (service: string) => async () => {
  const { stdout, stderr } = await run('docker', ['--host', engine.host, 'service', 'logs', '--raw', service]).catch(
    () => ({ stdout: '', stderr: '' }),
  );
  return `${stdout}${stderr}`;
};

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
    const d = await deploy(wrong, 'rvprobe');
    // The program runs and serves /readyz; the check asks a path it answers 404 on.
    expect(await until(logs('rvprobe_revenge'), /listening on :8096/)).toContain('setting cache.enabled=true');
    await until(containers('rvprobe_revenge'), /unhealthy/);
    const api = (await d.status({ endpoint, stack: 'rvprobe' })).workloads.find((w) => w.name === 'rvprobe_revenge');
    expect(api?.ready).toBe(0);
  }, 150_000);

  it('the config file where Revenge does not read it stops the API at start, in its own words', async () => {
    const wrong = revengeWith((api) => {
      api.files = (api.files ?? []).map((f) => ({ ...f, path: '/tmp/config.yaml' }));
    });
    const d = await deploy(wrong, 'rvconfig');
    await until(logs('rvconfig_revenge'), /Error: database\.url must name postgres:5432, not localhost:5432/);
    expect(await engine.docker(['service', 'ps', '--no-trunc', 'rvconfig_revenge'])).toContain(
      'task: non-zero exit (1)',
    );
    const api = (await d.status({ endpoint, stack: 'rvconfig' })).workloads.find((w) => w.name === 'rvconfig_revenge');
    expect(api?.ready).toBe(0);
  }, 150_000);
});
