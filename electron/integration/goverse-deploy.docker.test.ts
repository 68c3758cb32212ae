/**
 * Goverse deploys healthy with its stand-ins (node, gate, inspector, pgadmin), the real etcd and
 * the real PostgreSQL: to the sandbox API server with its Docker runtime (real containers), and to
 * the test engine's real swarm. Each stand-in refuses to start where the real program would
 * (standin-goverse.ts): a node whose --node-id the config file does not list, a missing config
 * file, flags next to --config; pgadmin exits 0 only once it reached PostgreSQL.
 *
 * On Swarm Goverse is refused with its reason before anything reaches the engine: Swarm gives a
 * task its DNS names only once its health check passes (moby daemon/cluster/executor/container/
 * controller.go:247-290) and etcd answers no check but a TCP connect before its quorum forms, which
 * the etcd image (no shell, no nc) cannot run as a Swarm check; Swarm also has no `$(VAR)`
 * expansion in arguments (--node-id, --advertise). See goverse-stack.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubernetesTarget, SwarmTarget, Target } from '@shared/target-schemas';
import { testEngine } from '../core/docker/testing/engine';
import { ensureEtcdImage } from '../core/docker/testing/etcd-image';
import { goverseStandinValues } from '../core/docker/testing/goverse-standins';
import { ensurePostgresImage } from '../core/docker/testing/postgres-image';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../sandbox';
import { createServices } from '../services';

const engine = testEngine();
const stack = 'goverse';
let dir: string;
let services: ReturnType<typeof createServices>;
let sandbox: Sandbox;

function waitHealthy(target: Target, timeoutMs = 300_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let last: string[] = [];
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${stack} did not become healthy: ${JSON.stringify(last)}`));
    }, timeoutMs);
    const stop = services.deployments.watchRollout({ target, stack }, (status) => {
      last = status.workloads.map((w) => `${w.name} ${w.ready}/${w.desired} ${w.message ?? ''}`);
      if (status.state !== 'healthy') return;
      clearTimeout(timer);
      stop();
      resolve(last);
    });
  });
}

beforeAll(async () => {
  await ensurePostgresImage(engine.docker);
  await ensureEtcdImage(engine.docker);
  dir = await mkdtemp(join(tmpdir(), 'homeport-goverse-'));
  sandbox = await startSandbox({ speed: 0.1, runtime: { kind: 'docker', dockerHost: engine.host } });
  const kubeconfig = join(dir, 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  services = createServices({
    dataDir: join(dir, 'data'),
    mode: 'web',
    env: { HOME: dir, KUBECONFIG: kubeconfig },
    home: dir,
  });
  await services.dockerEndpoints.add({ name: 'test', url: engine.host });
}, 300_000);

afterAll(async () => {
  services?.close();
  await sandbox?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 180_000);

describe('Goverse with stand-ins, the real etcd and the real PostgreSQL', () => {
  it('deploys healthy to the sandbox (real containers)', async () => {
    const target: KubernetesTarget = { kind: 'kubernetes', context: SANDBOX_CONTEXT, namespace: 'game' };
    try {
      await services.deployments.apply({ target, stack, values: goverseStandinValues(), prune: true });
      const workloads = await waitHealthy(target);
      for (const w of ['etcd 3/3', 'postgres 1/1', 'node 2/2', 'gate 1/1', 'inspector 1/1']) {
        expect(workloads.some((l) => l.startsWith(w))).toBe(true);
      }
    } finally {
      await services.deployments.uninstall({ target, stack, deleteData: true }).catch(() => undefined);
    }
  }, 600_000);

  it('is refused for the real swarm before anything reaches the engine, saying why', async () => {
    const target: SwarmTarget = { kind: 'swarm', endpoint: 'test' };
    const before = await engine.docker(['service', 'ls', '--format', '{{.Name}}']);
    await expect(services.deployments.plan({ target, stack, values: goverseStandinValues() })).rejects.toThrow(
      /Goverse cannot run on Docker Swarm yet: etcd's members reach each other by per-instance names/,
    );
    await expect(
      services.deployments.apply({ target, stack, values: goverseStandinValues(), prune: true }),
    ).rejects.toThrow(/cannot run on Docker Swarm yet/);
    expect(await engine.docker(['service', 'ls', '--format', '{{.Name}}'])).toEqual(before);
  }, 120_000);
});
