/**
 * Goverse deploys healthy with its stand-ins (node, gate, inspector, pgadmin), the real etcd and
 * the real PostgreSQL: to the sandbox API server with its Docker runtime (real containers), and to
 * the test engine's real swarm. Each stand-in refuses to start where the real program would
 * (standin-goverse.ts): a node whose --node-id the config file does not list, a missing config
 * file, flags next to --config; pgadmin exits 0 only once it reached PostgreSQL.
 *
 * On the swarm, etcd, the nodes and the gates run one service per instance (stacks/swarm-instances.ts):
 * the members must find each other by name before their quorum forms, and Swarm gives a task its
 * names only once its health check passes, so etcd's services have none there.
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
      if (status.state === 'failed') {
        clearTimeout(timer);
        stop();
        reject(new Error(`${stack} failed: ${JSON.stringify(last)}`));
        return;
      }
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

  it('deploys healthy to the real swarm, one service per etcd member, node and gate', async () => {
    const target: SwarmTarget = { kind: 'swarm', endpoint: 'test' };
    try {
      await services.deployments.apply({ target, stack, values: goverseStandinValues(), prune: true });
      // This machine's kernel has no IPVS, so Swarm's virtual IPs route nowhere: PostgreSQL answers
      // the migration at its name once the name resolves to its task (DNS round robin). etcd, the
      // nodes and the gate need no such help: one service per instance resolves to its task already.
      await engine.docker(['service', 'update', '--detach', '--endpoint-mode', 'dnsrr', `${stack}_postgres`]);
      const workloads = await waitHealthy(target);
      for (const w of [
        'goverse_etcd-0 1/1',
        'goverse_etcd-1 1/1',
        'goverse_etcd-2 1/1',
        'goverse_postgres 1/1',
        'goverse_node-0 1/1',
        'goverse_node-1 1/1',
        'goverse_gate-0 1/1',
        'goverse_inspector 1/1',
      ]) {
        expect(workloads.some((l) => l.startsWith(w))).toBe(true);
      }
      // The members found each other by their per-instance names and formed one cluster: etcd
      // answers a linearizable request only with a quorum.
      const container = (
        await engine.docker(['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=goverse_etcd-2'])
      ).trim();
      const members = await engine.docker([
        'exec',
        container,
        'etcdctl',
        '--endpoints=http://etcd-0.etcd-headless:2379',
        'member',
        'list',
      ]);
      expect(
        members
          .trim()
          .split('\n')
          .map((l) => l.split(', ')[2])
          .sort(),
      ).toEqual(['etcd-0', 'etcd-1', 'etcd-2']);
      const health = await engine.docker([
        'exec',
        container,
        'etcdctl',
        '--endpoints=http://etcd-0.etcd-headless:2379,http://etcd-1.etcd-headless:2379,http://etcd-2.etcd-headless:2379',
        'endpoint',
        'health',
        '--write-out=json',
      ]);
      expect(
        (JSON.parse(health) as { endpoint: string; health: boolean }[]).map((e) => [e.endpoint, e.health]).sort(),
      ).toEqual([
        ['http://etcd-0.etcd-headless:2379', true],
        ['http://etcd-1.etcd-headless:2379', true],
        ['http://etcd-2.etcd-headless:2379', true],
      ]);
      // Each node started with its own instance name as node id.
      const spec = await engine.docker([
        'service',
        'inspect',
        '--format',
        '{{json .Spec.TaskTemplate.ContainerSpec.Args}}',
        'goverse_node-1',
      ]);
      expect(JSON.parse(spec)).toEqual(['--config=/etc/goverse/config.yaml', '--node-id=node-1']);
    } finally {
      await services.deployments.uninstall({ target, stack, deleteData: true }).catch(() => undefined);
    }
  }, 600_000);
});
