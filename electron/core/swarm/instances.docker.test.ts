// A component whose instances are addressed by name, deployed by the Swarm deployer on the real test
// engine: one service per instance (stacks/swarm-instances.ts), each resolving the others by their
// per-instance names, and updated one instance at a time.
import { randomBytes } from 'node:crypto';
import type { RolloutStatus } from '@shared/deploy-schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDockerClient } from '../docker/client';
import { STANDIN_IMAGE } from '../docker/testing/dockerd';
import { testEngine } from '../docker/testing/engine';
import { createStackCatalog } from '../stacks/catalog';
import { defineStack, type StackDefinition } from '../stacks/model';
import { createSwarmDeployer } from './deployer';
import { engineApi, type LiveService } from './engine-api';
import { runningTaskIds } from './status';

const engine = testEngine();
const stack = `hp-inst-${randomBytes(3).toString('hex')}`;
const endpoint = 'test-engine';
const http = { type: 'http' as const, path: '/health/ready', port: 3000 };
const openClient = async () => createDockerClient({ kind: 'unix', socketPath: engine.socketPath });

const members = defineStack({
  name: 'members',
  title: 'Members',
  description: 'Three members that find each other by name',
  schema: z.strictObject({ version: z.string().default('1'), cpu: z.string().default('1') }),
  contracts: [],
  signals: { primary: 'member', replicas: { kind: 'many' }, externalState: [], dashboard: [] },
  build: (v) => ({
    components: [
      {
        name: 'member',
        image: STANDIN_IMAGE,
        ports: [{ name: 'http', port: 3000 }],
        env: [
          { name: 'VERSION', value: v.version },
          { name: 'PEERS', value: 'member-0.member-headless,member-1.member-headless,member-2.member-headless' },
        ],
        secretEnv: [],
        identityEnv: [{ name: 'POD_NAME', field: 'instanceName' as const }],
        mounts: [],
        stateful: true,
        namedInstances: true,
        data: { mountPath: '/data', size: '1Gi' },
        acceptsFrom: ['member'],
        probes: { liveness: { check: http, periodSeconds: 1 }, readiness: { check: http, periodSeconds: 1 } },
        replicas: 3,
        resources: { requests: {}, limits: { cpu: v.cpu } },
        stopGracePeriodSeconds: 1,
      },
    ],
    volumes: [],
    secrets: [],
  }),
});

/** For each instance update sent: whether the instance before it already ran new tasks, and only those. */
const ordered: { service: string; previousSettled: boolean }[] = [];
/** The tasks that ran before the apply being recorded; undefined when not recording. */
let tasksBefore: Set<string> | undefined;
const deployer = createSwarmDeployer({
  openClient,
  catalog: createStackCatalog([members as StackDefinition]),
  updateMonitorMs: 1000,
  beforeServiceUpdate: async (live: LiveService) => {
    const i = Number(live.Spec.Labels?.['homeport.dev/instance']);
    if (!tasksBefore || !(i > 0)) return;
    const client = await openClient();
    try {
      const api = engineApi(client);
      const running = [...(await runningTaskIds(api, await api.service(`${stack}_member-${i - 1}`)))];
      const previousSettled = running.length === 1 && running.every((t) => !tasksBefore?.has(t));
      ordered.push({ service: live.Spec.Name, previousSettled });
    } finally {
      client.close();
    }
  },
});
const ref = { endpoint, stack, template: 'members' };

async function healthy(ms = 120_000): Promise<RolloutStatus> {
  const deadline = Date.now() + ms;
  let last: RolloutStatus | undefined;
  while (Date.now() < deadline) {
    last = await deployer.status(ref);
    if (last.state === 'healthy') return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`not healthy; last status: ${JSON.stringify(last)}`);
}

const running = async (service: string) =>
  (
    await engine.docker([
      'ps',
      '-q',
      '--filter',
      `label=com.docker.swarm.service.name=${service}`,
      '--filter',
      'status=running',
    ])
  ).trim();
const sh = async (container: string, script: string) =>
  (await engine.docker(['exec', container, 'sh', '-c', script])).trim();
/** The addresses a name resolves to, asked of the engine's DNS server by BusyBox's nslookup. */
const lookup = async (container: string, name: string) =>
  [
    ...(await sh(container, `/bin/busybox nslookup ${name} 127.0.0.11 2>&1 || true`)).matchAll(
      /^Address(?: \d+)?:\s+([0-9.]+)$/gm,
    ),
  ]
    .map((m) => m[1] as string)
    .filter((ip) => ip !== '127.0.0.11');

afterAll(async () => {
  await deployer.remove({ ...ref, deleteVolumes: true }).catch(() => undefined);
}, 120_000);

describe('a component addressed by instance name on the real swarm', () => {
  it('runs one service per instance, each with its name, and each name resolves to that instance', async () => {
    await deployer.apply({ ...ref, values: {}, prune: true });
    const status = await healthy();
    expect(status.workloads.map((w) => `${w.name} ${w.ready}/${w.desired}`)).toEqual([
      `${stack}_member-0 1/1`,
      `${stack}_member-1 1/1`,
      `${stack}_member-2 1/1`,
    ]);
    const c0 = await running(`${stack}_member-0`);
    const c2 = await running(`${stack}_member-2`);
    expect(await sh(c2, 'echo $POD_NAME')).toBe('member-2');
    // member-0 finds member-2 at member-2's own address (dnsrr), by both names, and all members by the shared one.
    const own = await lookup(c2, `tasks.${stack}_member-2`);
    expect(own).toHaveLength(1);
    expect(await lookup(c0, 'member-2.member-headless')).toEqual(own);
    expect(await lookup(c0, 'member-2')).toEqual(own);
    expect(await lookup(c0, 'member')).toHaveLength(3);
    // Each has its own data volume.
    expect(
      (await engine.docker(['volume', 'ls', '--filter', `label=homeport.dev/stack=${stack}`, '--format', '{{.Name}}']))
        .split('\n')
        .filter(Boolean)
        .sort(),
    ).toEqual([`${stack}_member-0-data`, `${stack}_member-1-data`, `${stack}_member-2-data`]);
  }, 240_000);

  /** Applies values, recording the order of the instance updates against the tasks that ran before. */
  async function applyRecorded(values: Record<string, string>) {
    ordered.length = 0;
    const client = await openClient();
    try {
      const api = engineApi(client);
      tasksBefore = new Set();
      for (const i of [0, 1, 2]) {
        for (const t of await runningTaskIds(api, await api.service(`${stack}_member-${i}`))) tasksBefore.add(t);
      }
    } finally {
      client.close();
    }
    await deployer.apply({ ...ref, values, prune: true });
    tasksBefore = undefined;
    await healthy();
    return [...ordered];
  }
  const inOrder = [
    { service: `${stack}_member-1`, previousSettled: true },
    { service: `${stack}_member-2`, previousSettled: true },
  ];

  it('updates one instance at a time: the next waits until the one before runs new tasks', async () => {
    expect(await applyRecorded({ version: '2' })).toEqual(inOrder);
    for (const i of [0, 1, 2]) expect(await sh(await running(`${stack}_member-${i}`), 'echo $VERSION')).toBe('2');
    // A change outside the container (its CPU limit) replaces the tasks too, and is waited for the same way.
    expect(await applyRecorded({ version: '2', cpu: '0.5' })).toEqual(inOrder);
  }, 300_000);
});
