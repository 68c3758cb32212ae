// Configuration files, one-shot jobs, network separation, instance slots and platform volumes of
// the stack model, deployed by the Swarm deployer on the real test engine.
import { randomBytes } from 'node:crypto';
import type { RolloutStatus } from '@shared/deploy-schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDockerClient } from '../docker/client';
import { STANDIN_IMAGE } from '../docker/testing/dockerd';
import { testEngine } from '../docker/testing/engine';
import { createStackCatalog } from '../stacks/catalog';
import { defineStack, type Component, type StackDefinition } from '../stacks/model';
import { createSwarmDeployer } from './deployer';

const engine = testEngine();
const stack = `hp-feat-${randomBytes(3).toString('hex')}`;
const endpoint = 'test-engine';
const http = { type: 'http' as const, path: '/health/ready', port: 3000 };

const component = (name: string, extra: Partial<Component> = {}): Component => ({
  name,
  image: STANDIN_IMAGE,
  ports: [{ name: 'http', port: 3000 }],
  env: [],
  secretEnv: [],
  identityEnv: [],
  mounts: [],
  stateful: false,
  probes: { liveness: { check: http, periodSeconds: 1 }, readiness: { check: http, periodSeconds: 1 } },
  replicas: 1,
  resources: { requests: {}, limits: {} },
  stopGracePeriodSeconds: 1,
  ...extra,
});

/** `db` accepts only `api`; `api` may connect only to `db`; `other` has no rules. */
const features = defineStack({
  name: 'features',
  title: 'Features',
  description: 'Config files, a one-shot job and connection rules',
  schema: z.strictObject({ greeting: z.string().default('hello'), jobExit: z.number().int().default(0) }),
  contracts: [],
  signals: { primary: 'api', replicas: { kind: 'many' }, externalState: [], dashboard: [] },
  build: (v) => {
    const greeting = { config: 'app', key: 'greeting.txt', path: '/etc/app/greeting.txt' };
    return {
      configs: [{ name: 'app', files: [{ key: 'greeting.txt', content: v.greeting }] }],
      components: [
        component('db', {
          acceptsFrom: ['api'],
          identityEnv: [
            { name: 'SLOT', field: 'instanceSlot' },
            { name: 'POD_NAME', field: 'instanceName' },
          ],
          stateful: true,
          data: { mountPath: '/data', size: '1Gi' },
          replicas: 2,
        }),
        component('api', {
          connectsTo: [{ component: 'db', ports: [3000] }],
          configFiles: [greeting],
          mounts: [{ volume: 'scratch', mountPath: '/scratch', readOnly: false }],
        }),
        component('other'),
      ],
      tasks: [
        {
          name: 'migrate',
          image: STANDIN_IMAGE,
          command: ['/bin/sh', '-c', `cat /etc/app/greeting.txt; exit ${v.jobExit}`],
          env: [],
          secretEnv: [],
          configFiles: [greeting],
          mounts: [],
          resources: { requests: {}, limits: {} },
          retries: 1,
          description: 'prints the greeting',
        },
      ],
      volumes: [{ name: 'scratch', type: 'claim' as const, size: '1Gi', readOnly: false as const }],
      secrets: [],
    };
  },
});

const deployer = createSwarmDeployer({
  openClient: async () => createDockerClient({ kind: 'unix', socketPath: engine.socketPath }),
  catalog: createStackCatalog([features as StackDefinition]),
  updateMonitorMs: 1000,
});
const ref = { endpoint, stack, template: 'features' };

async function waitFor(pred: (s: RolloutStatus) => boolean, what: string, ms = 120_000): Promise<RolloutStatus> {
  const deadline = Date.now() + ms;
  let last: RolloutStatus | undefined;
  while (Date.now() < deadline) {
    last = await deployer.status(ref);
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last)}`);
}

const lines = (s: string) => s.split('\n').filter(Boolean).sort();
/** The stack's objects of a kind (not its revision records). */
const ls = async (kind: 'config' | 'network' | 'service' | 'volume') =>
  lines(
    await engine.docker([kind, 'ls', '--filter', `label=homeport.dev/stack=${stack}`, '--format', '{{.Name}}']),
  ).filter((n) => n.startsWith(`${stack}_`));
/** Running containers of a component's service. */
const containers = async (component: string) =>
  lines(
    await engine.docker([
      'ps',
      '-q',
      '--filter',
      `label=com.docker.swarm.service.name=${stack}_${component}`,
      '--filter',
      'status=running',
    ]),
  );
const exec = async (container: string, script: string) =>
  (await engine.docker(['exec', container, 'sh', '-c', script])).trim();
/**
 * The addresses `from` resolves `tasks.<to>` to. BusyBox's nslookup asks the engine's DNS server
 * itself (the static BusyBox's wget cannot resolve: glibc's resolver is not linked in).
 */
const resolve = async (from: string, to: string) => {
  const [c] = await containers(from);
  const out = await exec(c as string, `/bin/busybox nslookup tasks.${to} 127.0.0.11 2>&1 || true`);
  return [...out.matchAll(/^Address(?: \d+)?:\s+([0-9.]+)$/gm)]
    .map((m) => m[1] as string)
    .filter((ip) => ip !== '127.0.0.11');
};
/** What `from` gets asking `ip` over HTTP, or 'refused'. */
const reachIp = async (from: string, ip: string) => {
  const [c] = await containers(from);
  // BusyBox's wget applet by its own name with -T crashes on a remote address here; timeout does the same.
  const wget = `/bin/busybox timeout 3 /bin/busybox wget -q -O - http://${ip}:3000/health/ready`;
  return exec(c as string, `${wget} 2>/dev/null || echo refused`);
};
/**
 * What `from` gets asking each task of `to`: 'ok' per task, or 'unresolved'. The engine spreads
 * the names of tasks on a network shortly after they start: wait for `expected` addresses.
 */
const reach = async (from: string, to: string, expected = 0) => {
  let ips = await resolve(from, to);
  for (const deadline = Date.now() + 30_000; ips.length < expected && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 1000));
    ips = await resolve(from, to);
  }
  return ips.length === 0 ? ['unresolved'] : Promise.all(ips.map((ip) => reachIp(from, ip)));
};

afterAll(async () => {
  await deployer.remove({ ...ref, deleteVolumes: true }).catch(() => undefined);
}, 120_000);

describe('stack model features on a real Swarm engine', () => {
  it('mounts config files, runs the job to completion and separates networks', async () => {
    const plan = await deployer.plan({ ...ref, values: {} });
    expect(plan.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^External egress is not restricted/)]));
    await deployer.apply({ ...ref, values: {}, prune: true });
    const done = await waitFor((s) => s.state !== 'progressing', 'the stack and its job');
    expect(done.state).toBe('healthy');
    const job = done.workloads.find((w) => w.name.startsWith(`${stack}_migrate-`));
    expect(job).toMatchObject({ kind: 'Job', ready: 1, desired: 1, message: 'completed' });
    expect(await engine.docker(['service', 'logs', '--raw', job?.name as string])).toContain('hello');

    // The config file, at its path in a running task.
    const [api] = await containers('api');
    expect(await exec(api as string, 'cat /etc/app/greeting.txt')).toBe('hello');
    // The platform volume: a local named volume of the stack, writable.
    expect(await ls('volume')).toContain(`${stack}_scratch`);
    expect(await exec(api as string, 'echo x > /scratch/f && cat /scratch/f')).toBe('x');

    // Instance slots and names: each db task sees its own.
    const dbs = await containers('db');
    expect(dbs).toHaveLength(2);
    const seen = await Promise.all(
      dbs.map(async (c) => {
        const task = await engine.docker([
          'inspect',
          '--format',
          '{{index .Config.Labels "com.docker.swarm.task.name"}}',
          c,
        ]);
        const [slot, name] = (await exec(c, 'echo "$SLOT $POD_NAME"')).split(' ');
        expect(name).toBe(task.trim());
        expect(task.trim()).toMatch(new RegExp(`^${stack}_db\\.${slot}\\.`));
        return slot;
      }),
    );
    expect(seen.sort()).toEqual(['1', '2']);

    // api may reach db; other may not resolve it; api may not reach other.
    expect(await reach('api', 'db', 2)).toEqual(['ok', 'ok']);
    expect(await reach('other', 'db')).toEqual(['unresolved']);
    expect(await reach('api', 'other')).toEqual(['unresolved']);
    expect(await reach('db', 'other')).toEqual(['unresolved']);
    // Not only unnamed: other cannot reach db's addresses either.
    for (const ip of await resolve('api', 'db')) expect(await reachIp('other', ip)).toBe('refused');
    // Open components reach each other by name as before.
    expect(await reach('other', 'other', 1)).toEqual(['ok']);
    expect(await ls('network')).toEqual([`${stack}_api-to-db`, `${stack}_default`]);
  }, 240_000);

  it('switches to a new config and a new job run on a changed file, pruning the old ones', async () => {
    const [oldConfig] = await ls('config');
    const oldJob = (await ls('service')).find((s) => s.startsWith(`${stack}_migrate-`));
    const result = await deployer.apply({ ...ref, values: { greeting: 'bye' }, prune: true });
    const done = await waitFor((s) => s.state !== 'progressing', 'the new job run');
    expect(done.state).toBe('healthy');
    const configs = await ls('config');
    expect(configs).toHaveLength(1);
    expect(configs[0]).toMatch(new RegExp(`^${stack}_app_greeting\\.txt_[0-9a-f]{8}$`));
    expect(configs[0]).not.toBe(oldConfig);
    const jobs = (await ls('service')).filter((s) => s.startsWith(`${stack}_migrate-`));
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).not.toBe(oldJob);
    expect(result.pruned).toEqual(expect.arrayContaining([`Service/${oldJob}`, `Config/${oldConfig}`]));
    expect(await engine.docker(['service', 'logs', '--raw', jobs[0] as string])).toContain('bye');
    const [api] = await containers('api');
    expect(await exec(api as string, 'cat /etc/app/greeting.txt')).toBe('bye');
    // An unchanged spec does not run the job again.
    const again = await deployer.plan({ ...ref, values: { greeting: 'bye' } });
    expect(again.items.filter((i) => i.action !== 'unchanged')).toEqual([]);
  }, 240_000);

  it('fails the deploy when the job fails after its retries, and rolls back to a revision', async () => {
    await deployer.apply({ ...ref, values: { greeting: 'bye', jobExit: 3 }, prune: true });
    const failed = await waitFor((s) => s.state === 'failed', 'the job to fail', 120_000);
    expect(failed.failed?.component).toBe('migrate');
    expect(failed.failed?.reason).toMatch(/^job 'migrate' failed after 2 attempts: .*exit \(3\)/);
    await expect(deployer.rollbackService({ ...ref, service: 'migrate' })).rejects.toThrow(/one-shot job/);

    const revisions = await deployer.revisions(ref);
    await deployer.rollback({ ...ref, revision: (revisions[1]?.revision ?? 0) as number });
    const back = await waitFor((s) => s.state !== 'progressing', 'the earlier job spec to run again');
    expect(back.state).toBe('healthy');
  }, 240_000);

  it('removes the stack with the containers its completed job tasks left', async () => {
    await deployer.remove({ ...ref, deleteVolumes: true });
    const namespace = `label=com.docker.stack.namespace=${stack}`;
    expect(await engine.docker(['ps', '-a', '-q', '--filter', namespace])).toBe('');
    expect(await ls('config')).toEqual([]);
    expect(await ls('network')).toEqual([]);
  }, 120_000);
});
