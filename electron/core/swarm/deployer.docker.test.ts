import { randomBytes } from 'node:crypto';
import type { RolloutStatus } from '@shared/deploy-schemas';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ValuesError } from '../stacks/values-error';
import { createDockerClient } from '../docker/client';
import { BROKEN_IMAGE, STANDIN_IMAGE } from '../docker/testing/dockerd';
import { revengeStandinImages } from '../docker/testing/revenge-standins';
import { testEngine } from '../docker/testing/engine';
import { z } from 'zod';
import { builtinStacks, createStackCatalog } from '../stacks/catalog';
import { defineStack, type StackDefinition } from '../stacks/model';
import { createSwarmDeployer, type SwarmDeployerDeps } from './deployer';
import { engineApi } from './engine-api';

const engine = testEngine();
const catalog = createStackCatalog();
const stack = `hp-${randomBytes(3).toString('hex')}`;
const endpoint = 'test-engine';
const openClient = vi.fn(async () => createDockerClient({ kind: 'unix', socketPath: engine.socketPath }));

const deployer = (extra: Partial<SwarmDeployerDeps> = {}) =>
  createSwarmDeployer({ openClient, catalog, updateMonitorMs: 2000, ...extra });

/** Revenge with every image its contract-following stand-in, no NFS media and nothing published. */
function values(over: { frontendReplicas?: number; dragonflyImage?: string } = {}) {
  const images = revengeStandinImages();
  return {
    ...images,
    api: { ...images.api, replicas: 1 },
    frontend: { ...images.frontend, replicas: over.frontendReplicas ?? 1 },
    dragonfly: { image: over.dragonflyImage ?? images.dragonfly.image },
    nfs: { enabled: false },
    swarm: { publish: { frontend: null } },
  };
}

async function waitFor(pred: (s: RolloutStatus) => boolean, what: string, timeoutMs = 90_000): Promise<RolloutStatus> {
  const d = deployer();
  const deadline = Date.now() + timeoutMs;
  let last: RolloutStatus | undefined;
  while (Date.now() < deadline) {
    last = await d.status({ endpoint, stack });
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last)}`);
}

const workload = (s: RolloutStatus, component: string) => s.workloads.find((w) => w.name === `${stack}_${component}`);
const inspect = async (name: string) =>
  JSON.parse(await engine.docker(['service', 'inspect', name]))[0] as {
    ID: string;
    Spec: { TaskTemplate: { ContainerSpec: { Image: string } }; Mode: { Replicated: { Replicas: number } } };
    UpdateStatus?: { State: string };
  };
const secretIds = async () =>
  (await engine.docker(['secret', 'ls', '--filter', `label=homeport.dev/stack=${stack}`, '--format', '{{.ID}}']))
    .split('\n')
    .filter(Boolean)
    .sort();

afterAll(async () => {
  await deployer()
    .remove({ endpoint, stack, deleteVolumes: true })
    .catch(() => undefined);
});

describe('Swarm deployer against a real engine', () => {
  it('rejects invalid values before any request', async () => {
    openClient.mockClear();
    const d = deployer();
    await expect(
      d.plan({ endpoint, stack, template: 'revenge', values: { frontend: { replicas: 0 } } }),
    ).rejects.toBeInstanceOf(ValuesError);
    await expect(
      d.apply({ endpoint, stack, template: 'revenge', values: { nfs: { server: 'not a host' } }, prune: true }),
    ).rejects.toMatchObject({ issues: [{ path: 'nfs.server' }] });
    expect(openClient).not.toHaveBeenCalled();
  });

  it('deploys, converges, lists in docker stack, and redeploys unchanged with the same secrets', async () => {
    const d = deployer();
    const plan = await d.plan({ endpoint, stack, template: 'revenge', values: values() });
    expect(plan).toMatchObject({ target: { kind: 'swarm', endpoint }, stack, revision: 1 });
    expect(plan.items.every((i) => i.action === 'create' && i.apiVersion === 'swarm/v1')).toBe(true);
    expect(plan.items.map((i) => `${i.kind}/${i.name}`)).toContain(`Service/${stack}_revenge`);

    const result = await d.apply({ endpoint, stack, template: 'revenge', values: values(), prune: true });
    expect(result.revision).toBe(1);
    const healthy = await waitFor((s) => s.state === 'healthy', 'the stack to converge');
    expect(healthy.workloads).toHaveLength(6);
    for (const w of healthy.workloads) expect(w.ready).toBe(w.desired);

    expect(await engine.docker(['stack', 'ls', '--format', '{{.Name}} {{.Services}}'])).toContain(`${stack} 6`);
    const services = await engine.docker(['stack', 'services', stack, '--format', '{{.Name}} {{.Replicas}}']);
    for (const c of ['revenge', 'frontend', 'postgres', 'dragonfly', 'typesense', 'objectstore'])
      expect(services).toContain(`${stack}_${c} 1/1`);

    // Revenge read its settings as its loader does: cache and search are on (the stand-in says what it read).
    const log = await engine.docker(['service', 'logs', '--raw', `${stack}_revenge`]);
    expect(log).toContain('setting cache.enabled=true');
    expect(log).toContain('setting search.enabled=true');
    // Credentials it read are named, never shown.
    expect(log).toContain('setting auth.jwt_secret=(secret)');
    expect(log).toMatch(/setting auth\.encryption_key=\(secret\)\n/);

    // Six generated keys and the two config files (templates the engine fills in each task).
    const before = await secretIds();
    expect(before).toHaveLength(8);
    const again = await d.plan({ endpoint, stack, template: 'revenge', values: values() });
    expect(again.items.filter((i) => i.action !== 'unchanged')).toEqual([]);
    const second = await d.apply({ endpoint, stack, template: 'revenge', values: values(), prune: true });
    expect(second.revision).toBe(2);
    expect(await secretIds()).toEqual(before);
    const revisions = await d.revisions({ endpoint, stack });
    expect(revisions.map((r) => [r.revision, r.current])).toEqual([
      [2, true],
      [1, false],
    ]);
    // The default network and one per database, cache and search (they accept only Revenge).
    expect(revisions[0]?.objects).toBe(1 + 3 + 8 + 3 + 6);
    // The revision holds no secret values.
    const revConfig = await engine.docker(['config', 'inspect', `homeport-rev-${stack}-1`]);
    expect(revConfig).toContain('homeport.dev/revision');
  }, 180_000);

  it('updates only the changed service and rolls it', async () => {
    const d = deployer();
    const plan = await d.plan({ endpoint, stack, template: 'revenge', values: values({ frontendReplicas: 2 }) });
    const changed = plan.items.filter((i) => i.action !== 'unchanged');
    expect(changed.map(({ live: _live, desired: _desired, ...item }) => item)).toEqual([
      {
        apiVersion: 'swarm/v1',
        kind: 'Service',
        name: `${stack}_frontend`,
        action: 'update',
        changedFields: ['Mode.Replicated.Replicas'],
      },
    ]);
    // The plan shows the service before and after: the replicas it changes.
    expect(changed[0]?.live).toMatch(/Replicas: 1\b/);
    expect(changed[0]?.desired).toMatch(/Replicas: 2\b/);
    expect(plan.values?.changes).toContainEqual(expect.objectContaining({ path: 'frontend.replicas', after: '2' }));
    await d.apply({ endpoint, stack, template: 'revenge', values: values({ frontendReplicas: 2 }), prune: true });
    const s = await waitFor((x) => x.state === 'healthy' && workload(x, 'frontend')?.ready === 2, 'two frontends');
    expect(workload(s, 'frontend')?.desired).toBe(2);
  }, 120_000);

  it('rolls a failing update back by itself and reports the component', async () => {
    const d = deployer();
    const before = await inspect(`${stack}_dragonfly`);
    await d.apply({
      endpoint,
      stack,
      template: 'revenge',
      values: values({ frontendReplicas: 2, dragonflyImage: BROKEN_IMAGE }),
      prune: true,
    });
    const s = await waitFor((x) => x.state === 'failed', 'the broken update to fail', 120_000);
    expect(s.failed?.component).toBe('dragonfly');
    const after = await (async () => {
      for (let i = 0; i < 120; i++) {
        const svc = await inspect(`${stack}_dragonfly`);
        if (svc.UpdateStatus?.State === 'rollback_completed') return svc;
        await new Promise((r) => setTimeout(r, 500));
      }
      return inspect(`${stack}_dragonfly`);
    })();
    expect(after.UpdateStatus?.State).toBe('rollback_completed');
    expect(after.Spec.TaskTemplate.ContainerSpec.Image).toBe(before.Spec.TaskTemplate.ContainerSpec.Image);
    const failed = await d.status({ endpoint, stack });
    expect(failed.state).toBe('failed');
    expect(failed.failed?.component).toBe('dragonfly');
  }, 180_000);

  it('rolls a service back on request', async () => {
    const d = deployer();
    await d.rollbackService({ endpoint, stack, service: 'frontend' });
    const svc = await inspect(`${stack}_frontend`);
    expect(svc.Spec.Mode.Replicated.Replicas).toBe(1);
    await waitFor((x) => workload(x, 'frontend')?.ready === 1, 'one frontend after the rollback');
  }, 120_000);

  it('retries an update the engine refuses as out of sequence', async () => {
    let bumps = 0;
    const d = deployer({
      beforeServiceUpdate: async (svc) => {
        if (bumps > 0) return;
        bumps++;
        // Someone else updates the service between our read and our update.
        await engine.docker(['service', 'update', '--detach', '--label-add', 'bumped=1', svc.Spec.Name]);
      },
    });
    const result = await d.apply({
      endpoint,
      stack,
      template: 'revenge',
      values: values({ frontendReplicas: 2 }),
      prune: true,
    });
    expect(result.plan.items.find((i) => i.action === 'update')?.name).toBe(`${stack}_frontend`);
    expect(bumps).toBe(1);
    const svc = await inspect(`${stack}_frontend`);
    expect(svc.Spec.Mode.Replicated.Replicas).toBe(2);
  }, 120_000);

  it('removes the stack, keeping volumes unless asked', async () => {
    const d = deployer();
    const first = await d.remove({ endpoint, stack, deleteVolumes: false });
    expect(first.deleted).toContain(`Service/${stack}_revenge`);
    expect(first.kept.sort()).toEqual(
      [`Volume/${stack}_objectstore-data`, `Volume/${stack}_postgres-data`, `Volume/${stack}_typesense-data`].sort(),
    );
    const label = `label=homeport.dev/stack=${stack}`;
    expect(await engine.docker(['service', 'ls', '-q', '--filter', label])).toBe('');
    expect(await engine.docker(['secret', 'ls', '-q', '--filter', label])).toBe('');
    expect(await engine.docker(['config', 'ls', '-q', '--filter', label])).toBe('');
    expect(await engine.docker(['network', 'ls', '-q', '--filter', label])).toBe('');
    expect(await engine.docker(['volume', 'ls', '-q', '--filter', label])).not.toBe('');
    const second = await d.remove({ endpoint, stack, deleteVolumes: true });
    expect(second.kept).toEqual([]);
    expect(await engine.docker(['volume', 'ls', '-q', '--filter', label])).toBe('');
  }, 120_000);

  it('creates the NFS media volume with its options (without mounting it)', async () => {
    const spec = catalog.renderSwarm(
      'revenge',
      { nfs: { server: '192.168.1.10', path: '/export/media' } },
      { stack: `${stack}-nfs` },
    );
    const media = spec.volumes.find((v) => v.DriverOpts.type === 'nfs');
    expect(media).toBeDefined();
    const api = engineApi(await openClient());
    try {
      await api.createVolume(media);
      const inspected = JSON.parse(await engine.docker(['volume', 'inspect', media?.Name ?? '']))[0] as {
        Options: Record<string, string>;
        Labels: Record<string, string>;
      };
      expect(inspected.Options).toEqual({ type: 'nfs', o: 'addr=192.168.1.10,nfsvers=4,ro', device: ':/export/media' });
      expect(inspected.Labels['com.docker.stack.namespace']).toBe(`${stack}-nfs`);
    } finally {
      await api.removeVolume(media?.Name ?? '');
      api.client.close();
    }
  });
});

/** A one-service stack whose secret value comes from the values: to see a rotation. */
const tokened = defineStack({
  name: 'tokened',
  title: 'Tokened',
  description: 'One web service reading a token secret',
  schema: z.strictObject({ token: z.string().default('one') }),
  contracts: [],
  signals: { primary: 'web', replicas: { kind: 'many' }, externalState: [], dashboard: [] },
  build: (v) => {
    const http = { type: 'http' as const, path: '/health/ready', port: 3000 };
    return {
      components: [
        {
          name: 'web',
          image: STANDIN_IMAGE,
          ports: [{ name: 'http', port: 3000 }],
          env: [],
          secretEnv: [{ name: 'TOKEN', secret: 'app', key: 'token' }],
          identityEnv: [],
          mounts: [],
          stateful: false,
          probes: { liveness: { check: http, periodSeconds: 1 }, readiness: { check: http, periodSeconds: 1 } },
          replicas: 1,
          resources: { requests: {}, limits: {} },
          stopGracePeriodSeconds: 2,
        },
      ],
      volumes: [],
      secrets: [
        {
          name: 'app',
          keys: [
            { key: 'token', generated: false, value: v.token },
            { key: 'salt', generated: true },
          ],
        },
      ],
    };
  },
});

describe('Swarm deployer: secret rotation', () => {
  const rotating = `hp-rot-${randomBytes(3).toString('hex')}`;
  const d = createSwarmDeployer({
    openClient,
    catalog: createStackCatalog([...builtinStacks, tokened as StackDefinition]),
    updateMonitorMs: 1000,
  });
  const ref = { endpoint, stack: rotating, template: 'tokened' };
  const secrets = async () =>
    (await engine.docker(['secret', 'ls', '--filter', `label=homeport.dev/stack=${rotating}`, '--format', '{{.Name}}']))
      .split('\n')
      .filter(Boolean)
      .sort();

  afterAll(async () => {
    await d.remove({ ...ref, deleteVolumes: true }).catch(() => undefined);
  });

  it('switches the service to a new secret on a new value and removes the old one after', async () => {
    await d.apply({ ...ref, values: { token: 'one' }, prune: false });
    const first = await secrets();
    expect(first).toHaveLength(2);
    const old = first.find((n) => n.includes('_app_token_')) as string;
    const salt = first.find((n) => n.endsWith('_app_salt')) as string;

    const plan = await d.plan({ ...ref, values: { token: 'two' } });
    const changed = plan.items.filter((i) => i.action !== 'unchanged').map((i) => `${i.action} ${i.kind}/${i.name}`);
    expect(changed).toHaveLength(3);
    expect(changed).toContain(`update Service/${rotating}_web`);
    expect(changed).toContain(`prune Secret/${old}`);
    expect(changed.some((c) => /^create Secret\/.*_app_token_[0-9a-f]{8}$/.test(c))).toBe(true);

    // Rotated secrets go even without prune: they are replaced, not abandoned.
    const result = await d.apply({ ...ref, values: { token: 'two' }, prune: false });
    expect(result.pruned).toEqual([`Secret/${old}`]);
    const after = await secrets();
    expect(after).toHaveLength(2);
    expect(after).toContain(salt);
    expect(after).not.toContain(old);
    const svc = JSON.parse(await engine.docker(['service', 'inspect', `${rotating}_web`]))[0] as {
      Spec: { TaskTemplate: { ContainerSpec: { Secrets: { SecretName: string }[]; Env: string[] } } };
    };
    const names = svc.Spec.TaskTemplate.ContainerSpec.Secrets.map((x) => x.SecretName);
    expect(names.filter((n) => n.includes('_app_token_'))).toEqual(after.filter((n) => n.includes('_app_token_')));
    expect(svc.Spec.TaskTemplate.ContainerSpec.Env).toContain('TOKEN_FILE=/run/secrets/app_token');
  }, 120_000);
});
