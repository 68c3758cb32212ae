// One-shot jobs and configuration files through the deploy engine, against the sandbox: a Job runs
// once per spec, counts in the rollout until it completes (or fails it), and an outdated one is
// pruned; ServiceMonitors are rendered only where discovery finds them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RolloutStatus } from '@shared/deploy-schemas';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../../sandbox/index';
import { loadKubeconfig } from '../clusters/kubeconfig';
import { resolveConnection, type KubeConnection } from '../kube/kube-connection';
import { createKubeGateway, KubeRequestError, type KubeGateway } from '../kube/kube-gateway';
import { createStackCatalog } from '../stacks/catalog';
import { defineStack, type StackDefinition } from '../stacks/model';
import type { RenderOptions } from '../stacks/types';
import { createDeployEngine, type DeployEngine } from './engine';
import { servesServiceMonitors } from './monitoring';

const tcp = { type: 'tcp' as const, port: 80 };
const tasks = defineStack({
  name: 'tasks',
  title: 'Tasks',
  description: 'A web server and its migration',
  schema: z.strictObject({
    args: z.string().default('up'),
    image: z.string().default('ghcr.io/example/migrate:1.0'),
  }),
  contracts: [],
  signals: { primary: 'web', replicas: { kind: 'many' }, externalState: [], dashboard: [] },
  build: (v) => ({
    components: [
      {
        name: 'web',
        image: 'nginx:1.27',
        ports: [{ name: 'http', port: 80 }],
        env: [],
        secretEnv: [],
        identityEnv: [],
        mounts: [],
        stateful: false,
        probes: { liveness: { check: tcp }, readiness: { check: tcp } },
        replicas: 1,
        resources: { requests: {}, limits: {} },
        stopGracePeriodSeconds: 1,
        metrics: { path: '/metrics', port: 80 },
      },
    ],
    tasks: [
      {
        name: 'migrate',
        image: v.image,
        args: [v.args],
        env: [],
        secretEnv: [],
        configFiles: [{ config: 'app', key: 'app.yml', path: '/etc/app/app.yml' }],
        mounts: [],
        resources: { requests: {}, limits: {} },
        retries: 1,
        description: 'Migrates',
      },
    ],
    configs: [{ name: 'app', files: [{ key: 'app.yml', content: 'mode: test\n' }] }],
    volumes: [],
    secrets: [],
  }),
});

let sandbox: Sandbox;
let conn: KubeConnection;
let gateway: KubeGateway;
let engine: DeployEngine;
const ns = 'jobs';
const ref = { context: SANDBOX_CONTEXT, namespace: ns, stack: 'tasks' };

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-jobs-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  conn = await resolveConnection(await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]), SANDBOX_CONTEXT);
  gateway = createKubeGateway(conn);
  engine = createDeployEngine({
    openGateway: async () => createKubeGateway(conn),
    catalog: createStackCatalog([tasks as StackDefinition]),
  });
});
afterAll(async () => {
  gateway?.close();
  await sandbox?.close();
});

async function rolloutUntil(done: (s: RolloutStatus) => boolean, timeoutMs = 15_000): Promise<RolloutStatus[]> {
  const seen: RolloutStatus[] = [];
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await engine.rolloutStatus(ref);
    seen.push(s);
    if (done(s)) return seen;
    if (Date.now() > end) throw new Error(`rollout not reached; last: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const jobNames = async () =>
  (await gateway.getJson<{ items: { metadata: { name: string } }[] }>(`/apis/batch/v1/namespaces/${ns}/jobs`)).items
    .map((j) => j.metadata.name)
    .sort();

describe('one-shot jobs through the deploy engine', () => {
  let first = '';

  it('applies the ConfigMap and the Job, and the rollout is healthy only once the Job completed', async () => {
    const result = await engine.apply({ ...ref, values: {}, prune: true });
    const job = result.plan.items.find((i) => i.kind === 'Job');
    first = job?.name ?? '';
    expect(first).toMatch(/^migrate-[0-9a-f]{8}$/);
    expect(job?.action).toBe('create');
    expect(result.plan.items.find((i) => i.kind === 'ConfigMap')).toMatchObject({ name: 'app', action: 'create' });
    const seen = await rolloutUntil((s) => s.state !== 'progressing');
    expect(seen.at(-1)?.state).toBe('healthy');
    expect(seen.at(-1)?.workloads).toContainEqual({ kind: 'Job', name: first, ready: 1, desired: 1 });
    // Before it completed, the Job kept the rollout progressing.
    expect(
      seen.some(
        (s) =>
          s.state === 'progressing' &&
          s.workloads.some((w) => w.kind === 'Job' && w.ready === 0 && w.message === 'Running to completion'),
      ),
    ).toBe(true);
    const job0 = await gateway.getJson<{ status: { conditions: { type: string }[] } }>(
      `/apis/batch/v1/namespaces/${ns}/jobs/${first}`,
    );
    expect(job0.status.conditions.map((c) => c.type)).toEqual(['Complete']);
  });

  it('leaves an unchanged Job alone (it does not run again), and Jobs a CronJob started out of pruning', async () => {
    await gateway.request(`/apis/batch/v1/namespaces/${ns}/jobs`, {
      method: 'POST',
      body: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: 'nightly-29000000',
          labels: { 'homeport.dev/stack': 'tasks', 'app.kubernetes.io/managed-by': 'homeport' },
          ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'u-1' }],
        },
        spec: {
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'n', image: 'busybox:1.36' }] } },
        },
      },
    });
    const plan = await engine.plan({ ...ref, values: {} });
    expect(plan.items.filter((i) => i.kind === 'Job')).toEqual([
      { apiVersion: 'batch/v1', kind: 'Job', name: first, namespace: ns, action: 'unchanged', changedFields: [] },
    ]);
    expect(plan.items.filter((i) => i.action === 'prune')).toEqual([]);
    const status = await engine.rolloutStatus(ref);
    expect(status.workloads.filter((w) => w.kind === 'Job').map((w) => w.name)).toEqual([first]);
  });

  it('runs a changed Job as a new one and prunes the old one', async () => {
    const result = await engine.apply({ ...ref, values: { args: 'down' }, prune: true });
    const created = result.plan.items.find((i) => i.kind === 'Job' && i.action === 'create')?.name ?? '';
    expect(created).toMatch(/^migrate-[0-9a-f]{8}$/);
    expect(created).not.toBe(first);
    expect(result.pruned).toEqual([`Job/${first}`]);
    expect(await jobNames()).toEqual([created, 'nightly-29000000'].sort());
    const seen = await rolloutUntil((s) => s.state !== 'progressing');
    expect(seen.at(-1)?.state).toBe('healthy');
  });

  it('fails the rollout when the Job fails past its retries, naming the job and why', async () => {
    await engine.apply({ ...ref, values: { image: 'ghcr.io/example/migrate:homeport-crash' }, prune: true });
    const seen = await rolloutUntil((s) => s.state !== 'progressing', 20_000);
    const last = seen.at(-1);
    expect(last?.state).toBe('failed');
    expect(last?.failed).toEqual({
      component: 'migrate',
      reason: 'BackoffLimitExceeded: Job has reached the specified backoff limit (exit code 1 (Error))',
    });
    // retries: 1 is two attempts, each its own pod.
    const pods = await gateway.getJson<{ items: { status: { phase: string } }[] }>(
      `/api/v1/namespaces/${ns}/pods?labelSelector=app.kubernetes.io/name%3Dmigrate`,
    );
    expect(pods.items.map((p) => p.status.phase)).toEqual(['Failed', 'Failed']);
  });
});

describe('ServiceMonitor discovery', () => {
  const fake = (answer: () => unknown): Pick<KubeGateway, 'getJson'> => ({
    getJson: <T>(path: string) => {
      expect(path).toBe('/apis/monitoring.coreos.com/v1');
      return Promise.resolve().then(answer) as Promise<T>;
    },
  });

  it('finds none on the sandbox (a bare k3s serves no monitoring.coreos.com), nor in the plan', async () => {
    expect(await servesServiceMonitors(gateway)).toBe(false);
    const plan = await engine.plan({ ...ref, values: {} });
    expect(plan.items.some((i) => i.kind === 'ServiceMonitor')).toBe(false);
  });

  it('finds them where the group version lists servicemonitors, and not on a 404', async () => {
    const list = { kind: 'APIResourceList', resources: [{ name: 'podmonitors' }, { name: 'servicemonitors' }] };
    expect(await servesServiceMonitors(fake(() => list))).toBe(true);
    expect(await servesServiceMonitors(fake(() => ({ resources: [{ name: 'podmonitors' }] })))).toBe(false);
    const notFound = () => {
      throw new KubeRequestError('http', 'the server could not find the requested resource', 404);
    };
    expect(await servesServiceMonitors(fake(notFound))).toBe(false);
    const forbidden = () => {
      throw new KubeRequestError('http', 'forbidden', 403);
    };
    await expect(servesServiceMonitors(fake(forbidden))).rejects.toThrow('forbidden');
  });

  it('renders with ServiceMonitors on a cluster that serves them, and plans them', async () => {
    const seen: RenderOptions[] = [];
    const catalog = createStackCatalog([tasks as StackDefinition]);
    const monitoring = createDeployEngine({
      // The sandbox with monitoring.coreos.com/v1 answered as prometheus-operator's CRDs serve it.
      openGateway: async () => {
        const g = createKubeGateway(conn);
        const monitors = { resources: [{ name: 'servicemonitors', kind: 'ServiceMonitor', namespaced: true }] };
        return {
          ...g,
          getJson: <T>(path: string, opts?: Parameters<KubeGateway['getJson']>[1]) =>
            path === '/apis/monitoring.coreos.com/v1' ? Promise.resolve(monitors as T) : g.getJson<T>(path, opts),
          listAll: <T>(path: string, opts?: Parameters<KubeGateway['listAll']>[1]) =>
            path.includes('/servicemonitors')
              ? Promise.resolve({ items: [] as T[], resourceVersion: '1' })
              : g.listAll<T>(path, opts),
          request: <T>(path: string, opts?: Parameters<KubeGateway['request']>[1]) =>
            path.includes('/servicemonitors/')
              ? Promise.reject(new KubeRequestError('http', 'not found', 404))
              : g.request<T>(path, opts),
        };
      },
      catalog: {
        ...catalog,
        renderKubernetes: (stack, values, opts) => {
          seen.push(opts);
          return catalog.renderKubernetes(stack, values, opts);
        },
      },
    });
    const plan = await monitoring.plan({ ...ref, namespace: 'monitored', values: {} });
    expect(seen.at(-1)).toEqual({ namespace: 'monitored', serviceMonitors: true });
    const monitor = plan.items.find((i) => i.kind === 'ServiceMonitor');
    expect(monitor).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      name: 'web',
      namespace: 'monitored',
      action: 'create',
      changedFields: [],
    });
    // The plan shows what it creates.
    expect(monitor?.desired).toContain('kind: ServiceMonitor');
    expect(monitor?.desired).toContain('path: /metrics');
  });
});
