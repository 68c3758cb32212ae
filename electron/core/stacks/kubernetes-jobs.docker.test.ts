/**
 * A rendered model with a configuration file, a one-shot job, egress rules, memory autoscaling with
 * behaviour and an instance slot, applied with real kubectl (server-side, as Homeport applies) to
 * the sandbox running its pods as containers on the test engine: the Job runs to completion
 * reading the file at its path, and the containers see the file and their slot.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDIN_IMAGE } from '../docker/testing/dockerd';
import { testEngine } from '../docker/testing/engine';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { eventually, kubectlHarness } from '../../sandbox/docker/kubectl-harness';
import { toYaml } from './catalog';
import { renderKubernetesObjects } from './kubernetes';
import type { Component, StackModel } from './model';
import { validateKubeObjects } from './testing/kube-schema';

const engine = testEngine();
const dir = mkdtempSync(join(tmpdir(), 'homeport-k8s-jobs-'));
const kubeconfig = join(dir, 'kubeconfig');
const { kubectl } = kubectlHarness(kubeconfig);
let sandbox: Sandbox;

const CONFIG = 'mode: test\nlevel: 3\n';
const http = { type: 'http' as const, path: '/health/ready', port: 8096 };
const component = (name: string): Component => ({
  name,
  image: STANDIN_IMAGE,
  ports: [{ name: 'http', port: 8096 }],
  env: [],
  secretEnv: [],
  identityEnv: [],
  mounts: [],
  stateful: false,
  probes: { liveness: { check: http, periodSeconds: 1 }, readiness: { check: http, periodSeconds: 1 } },
  replicas: 1,
  resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
  stopGracePeriodSeconds: 1,
});
const model: StackModel = {
  components: [
    {
      ...component('web'),
      configFiles: [{ config: 'app', key: 'app.yml', path: '/etc/app/app.yml' }],
      connectsTo: [
        { component: 'db', ports: [8096] },
        { external: true, ports: [443] },
      ],
      acceptsFrom: [],
      autoscale: {
        min: 1,
        max: 3,
        memoryPercent: 80,
        behavior: {
          scaleDown: { stabilizationWindowSeconds: 120, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
        },
      },
    },
    {
      ...component('db'),
      stateful: true,
      data: { mountPath: '/data', size: '1Gi' },
      identityEnv: [{ name: 'SLOT', field: 'instanceSlot' }],
    },
  ],
  tasks: [
    {
      name: 'migrate',
      image: STANDIN_IMAGE,
      command: ['sh', '-c', 'cat /etc/app/app.yml && test "$(cat /etc/app/app.yml)" = "$(printf "$EXPECTED")"'],
      env: [{ name: 'EXPECTED', value: 'mode: test\\nlevel: 3' }],
      secretEnv: [],
      configFiles: [{ config: 'app', key: 'app.yml', path: '/etc/app/app.yml' }],
      mounts: [],
      resources: { requests: {}, limits: {} },
      retries: 0,
      connectsTo: [{ component: 'db', ports: [8096] }],
      description: 'Checks the configuration file',
    },
  ],
  configs: [{ name: 'app', files: [{ key: 'app.yml', content: CONFIG }] }],
  volumes: [],
  secrets: [],
};
const objects = renderKubernetesObjects(model, { stack: 'kjobs', namespace: 'default' });
const jobName = objects.find((o) => o.kind === 'Job')?.metadata.name ?? '';

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.1, runtime: { kind: 'docker', dockerHost: engine.host } });
  await sandbox.writeKubeconfig(kubeconfig);
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
});

describe('a rendered model with a configuration file and a one-shot job, on the sandbox with Docker', () => {
  it('is valid, and accepted by server-side apply as rendered', async () => {
    validateKubeObjects(objects);
    const file = join(dir, 'stack.yaml');
    writeFileSync(file, toYaml(objects));
    const out = await kubectl('apply', '--server-side', '--field-manager=homeport', '-f', file);
    expect(out).toContain('configmap/app serverside-applied');
    expect(out).toContain(`job.batch/${jobName} serverside-applied`);
    expect(out).toContain('networkpolicy.networking.k8s.io/web serverside-applied');
    expect(out).toContain('networkpolicy.networking.k8s.io/migrate serverside-applied');
    expect(out).toContain('horizontalpodautoscaler.autoscaling/web serverside-applied');
  });

  it('runs the Job to completion in a container that reads the file at its path', async () => {
    const job = await eventually(
      async () =>
        JSON.parse(await kubectl('get', 'job', jobName, '-o', 'json')) as {
          status?: { succeeded?: number; conditions?: { type: string; status: string }[] };
        },
      (j) => (j.status?.conditions ?? []).some((c) => c.status === 'True'),
      60_000,
    );
    expect(job.status?.conditions?.map((c) => c.type)).toEqual(['Complete']);
    expect(job.status?.succeeded).toBe(1);
    expect(await kubectl('logs', `job/${jobName}`)).toBe(CONFIG);
  });

  it("mounts the file read-only into the component's container at its path", async () => {
    const pod = await eventually(
      async () =>
        JSON.parse(await kubectl('get', 'pods', '-l', 'app.kubernetes.io/name=web', '-o', 'json')) as {
          items: { metadata: { name: string }; status: { containerStatuses?: { ready: boolean }[] } }[];
        },
      (l) => l.items?.[0]?.status.containerStatuses?.[0]?.ready === true,
      60_000,
    );
    const name = pod.items[0]?.metadata.name ?? '';
    expect(await kubectl('exec', name, '--', 'cat', '/etc/app/app.yml')).toBe(CONFIG);
    await expect(kubectl('exec', name, '--', 'sh', '-c', 'echo x > /etc/app/app.yml')).rejects.toThrow();
  });

  it("gives the StatefulSet's pod its slot from the pod-index label", async () => {
    const pod = await eventually(
      async () =>
        JSON.parse(await kubectl('get', 'pod', 'db-0', '-o', 'json')) as {
          metadata: { labels: Record<string, string> };
          status: { containerStatuses?: { state: Record<string, unknown> }[] };
        },
      (p) => p.status?.containerStatuses?.[0]?.state.running !== undefined,
      60_000,
    );
    expect(pod.metadata.labels['apps.kubernetes.io/pod-index']).toBe('0');
    expect(await kubectl('exec', 'db-0', '--', 'sh', '-c', 'printf "$SLOT"')).toBe('0');
  });

  it('stores the egress rules and the memory target with its behaviour as applied', async () => {
    const policy = JSON.parse(await kubectl('get', 'networkpolicy', 'web', '-o', 'json')) as {
      spec: Record<string, unknown>;
    };
    expect(policy.spec).toEqual(objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'web')?.spec);
    const hpa = JSON.parse(await kubectl('get', 'hpa', 'web', '-o', 'json')) as { spec: Record<string, unknown> };
    expect(hpa.spec).toMatchObject({
      metrics: [
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
      ],
      behavior: {
        scaleDown: { stabilizationWindowSeconds: 120, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
      },
    });
  });
});
