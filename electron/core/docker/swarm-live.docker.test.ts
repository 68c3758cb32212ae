import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { applyDeltas } from '@shared/deltas';
import type { WatchStatus } from '@shared/kube-schemas';
import {
  swarmNodeDeltaSchema,
  swarmServiceDeltaSchema,
  swarmTaskDeltaSchema,
  type SwarmNode,
  type SwarmService,
  type SwarmTask,
} from '@shared/swarm-schemas';
import { createDockerClient, DockerRequestError, type DockerClient } from './client';
import { DockerEndpointError } from './endpoints';
import { createSwarmLive, type SwarmLive } from './swarm-live';
import { STANDIN_IMAGE } from './testing/dockerd';
import { testEngine } from './testing/engine';

const engine = testEngine();
const api = createDockerClient({ kind: 'unix', socketPath: engine.socketPath });
const openClient = async () => createDockerClient({ kind: 'unix', socketPath: engine.socketPath });
const created = new Set<string>();
let live: SwarmLive | undefined;

afterEach(() => live?.close());
afterAll(async () => {
  for (const id of created) await api.request(`/services/${id}`, { method: 'DELETE' }).catch(() => undefined);
  api.close();
});

const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

async function createService(name: string, replicas: number, labels: Record<string, string> = {}): Promise<string> {
  const { ID } = await api.request<{ ID: string }>('/services/create', {
    method: 'POST',
    body: {
      Name: name,
      Labels: labels,
      TaskTemplate: { ContainerSpec: { Image: STANDIN_IMAGE } },
      Mode: { Replicated: { Replicas: replicas } },
      EndpointSpec: { Ports: [] },
    },
  });
  created.add(ID);
  return ID;
}

async function scale(id: string, replicas: number) {
  const svc = await api.request<{ Version: { Index: number }; Spec: { Mode: object } }>(`/services/${id}`);
  await api.request(`/services/${id}/update`, {
    method: 'POST',
    query: { version: svc.Version.Index },
    body: { ...svc.Spec, Mode: { Replicated: { Replicas: replicas } } },
  });
}

async function removeService(id: string) {
  await api.request(`/services/${id}`, { method: 'DELETE' });
  created.delete(id);
}

/** Keeps what a renderer would: the map the deltas build, every delta, and the last status. */
function view<T extends { id: string }>(parse: (d: unknown) => unknown) {
  const map = new Map<string, T>();
  const deltas: Array<{ type: string; items?: T[]; keys?: string[]; status?: WatchStatus }> = [];
  let status: WatchStatus | undefined;
  const statuses: WatchStatus[] = [];
  const emit = (delta: unknown) => {
    parse(delta);
    const d = delta as (typeof deltas)[number];
    deltas.push(d);
    if (d.type === 'status') {
      status = d.status;
      statuses.push(d.status!);
    }
    applyDeltas(map, [d as never], (i: T) => i.id);
  };
  return {
    map,
    deltas,
    statuses,
    emit,
    get status() {
      return status;
    },
  };
}

async function until(what: string, check: () => boolean, ms = 40_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('live Swarm state', () => {
  it('shows a service from creation through scaling to removal, with its tasks', async () => {
    live = createSwarmLive({ openClient });
    const services = view<SwarmService>((d) => swarmServiceDeltaSchema.parse(d));
    const tasks = view<SwarmTask>((d) => swarmTaskDeltaSchema.parse(d));
    live.subscribeServices('test', services.emit);
    await until('live', () => services.status?.state === 'live');

    const name = unique('live');
    const id = await createService(name, 1, { 'com.docker.stack.namespace': 'livestack' });
    live.subscribeTasks('test', tasks.emit, id);
    await until('service running', () => services.map.get(id)?.running === 1);
    expect(services.map.get(id)).toMatchObject({
      id,
      name,
      stack: 'livestack',
      mode: 'replicated',
      running: 1,
      desired: 1,
      image: STANDIN_IMAGE,
      ports: [],
    });
    expect(live.activeWatchers).toBe(1);

    const hostname = (await engine.docker(['info', '--format', '{{.Name}}'])).trim();
    await until('task running', () => [...tasks.map.values()].some((t) => t.state === 'running'));
    expect([...tasks.map.values()][0]).toMatchObject({
      serviceId: id,
      serviceName: name,
      slot: 1,
      node: hostname,
      state: 'running',
      desiredState: 'running',
      image: STANDIN_IMAGE,
    });

    await scale(id, 2);
    await until('scaled', () => services.map.get(id)?.desired === 2 && services.map.get(id)?.running === 2);
    expect(
      services.deltas.some((d) => d.type === 'upsert' && d.items!.some((s) => s.id === id && s.desired === 2)),
    ).toBe(true);
    await until('two running tasks', () => [...tasks.map.values()].filter((t) => t.state === 'running').length === 2);

    await removeService(id);
    await until('service deleted', () => !services.map.has(id));
    expect(services.deltas.some((d) => d.type === 'delete' && d.keys!.includes(id))).toBe(true);
    await until('tasks deleted', () => tasks.map.size === 0);
  });

  it('reports the leader node and shares one watcher among subscribers', async () => {
    live = createSwarmLive({ openClient });
    const a = view<SwarmNode>((d) => swarmNodeDeltaSchema.parse(d));
    const b = view<SwarmNode>((d) => swarmNodeDeltaSchema.parse(d));
    const leaveA = live.subscribeNodes('test', a.emit);
    const leaveB = live.subscribeNodes('test', b.emit);
    await until('nodes', () => a.map.size === 1 && b.map.size === 1);
    expect(live.activeWatchers).toBe(1);
    const node = [...a.map.values()][0]!;
    expect(node).toMatchObject({
      role: 'manager',
      leader: true,
      availability: 'active',
      state: 'ready',
      managerReachability: 'reachable',
      address: '127.0.0.1',
      hostname: (await engine.docker(['info', '--format', '{{.Name}}'])).trim(),
      engineVersion: (await engine.docker(['version', '--format', '{{.Server.Version}}'])).trim(),
    });
    expect(await live.swarmLeader('test')).toEqual(node);
    leaveA();
    expect(live.activeWatchers).toBe(1);
    leaveB();
    expect(live.activeWatchers).toBe(0);
  });

  it('emits nothing while nothing changes, though it lists again and again', async () => {
    let lists = 0;
    live = createSwarmLive({
      reconcileMs: 100,
      openClient: async () => {
        const c = await openClient();
        return {
          ...c,
          request: <T>(path: string, o?: Parameters<DockerClient['request']>[1]) => {
            if (path === '/services') lists += 1;
            return c.request<T>(path, o);
          },
        };
      },
    });
    const nodes = view<SwarmNode>((d) => swarmNodeDeltaSchema.parse(d));
    live.subscribeNodes('test', nodes.emit);
    await until('live', () => nodes.status?.state === 'live');
    const before = nodes.deltas.length;
    const listsBefore = lists;
    await new Promise((r) => setTimeout(r, 800));
    expect(lists - listsBefore).toBeGreaterThanOrEqual(4);
    expect(nodes.deltas.slice(before)).toEqual([]);
  });

  it('converges by reconciling when the event stream delivers nothing', async () => {
    live = createSwarmLive({
      reconcileMs: 300,
      openClient: async () => {
        const c = await openClient();
        // An event stream that stays open and silent: every change is missed.
        const silent: DockerClient['stream'] = (_path, _onData, o) =>
          new Promise<void>((resolve) => o?.signal?.addEventListener('abort', () => resolve(), { once: true }));
        return { ...c, stream: silent };
      },
    });
    const services = view<SwarmService>((d) => swarmServiceDeltaSchema.parse(d));
    live.subscribeServices('test', services.emit);
    await until('live', () => services.status?.state === 'live');
    const id = await createService(unique('silent'), 1);
    await until('service running without events', () => services.map.get(id)?.running === 1);
    await removeService(id);
    await until('service gone without events', () => !services.map.has(id));
  });

  it('says reconnecting when the event stream drops, then comes back live and catches up', async () => {
    let drops = 0;
    let dropNext: (() => void) | undefined;
    live = createSwarmLive({
      reconcileMs: 60_000,
      backoffMs: { initial: 200, max: 1000 },
      openClient: async () => {
        const c = await openClient();
        const stream: DockerClient['stream'] = (path, onData, o) =>
          drops === 0
            ? new Promise<void>((_, reject) => {
                dropNext = () => {
                  drops += 1;
                  reject(
                    new DockerRequestError(
                      'unreachable',
                      'The Docker engine at the test endpoint dropped the connection',
                    ),
                  );
                };
              })
            : c.stream(path, onData, o);
        return { ...c, stream };
      },
    });
    const services = view<SwarmService>((d) => swarmServiceDeltaSchema.parse(d));
    live.subscribeServices('test', services.emit);
    await until('live', () => services.status?.state === 'live');
    await until('stream open', () => dropNext !== undefined);
    dropNext!();
    await until('reconnecting', () => services.status?.state === 'reconnecting');
    expect(services.status?.message).toMatch(/dropped the connection/);
    const id = await createService(unique('reconnect'), 1);
    await until('live again', () => services.status?.state === 'live');
    await until('caught up through events', () => services.map.get(id)?.running === 1, 20_000);
    expect(services.statuses.map((s) => s.state)).toEqual(['syncing', 'live', 'reconnecting', 'live']);
    await removeService(id);
  });

  it('keeps trying, saying why, while the endpoint cannot be reached', async () => {
    live = createSwarmLive({
      openClient: async () => {
        throw new DockerRequestError('unreachable', "Cannot reach the Docker engine at endpoint 'gone'");
      },
      backoffMs: { initial: 50, max: 100 },
    });
    const nodes = view<SwarmNode>((d) => swarmNodeDeltaSchema.parse(d));
    live.subscribeNodes('gone', nodes.emit);
    await until('reconnecting', () => nodes.status?.state === 'reconnecting');
    expect(nodes.status?.message).toMatch(/Cannot reach the Docker engine at endpoint 'gone'/);
  });

  it('fails for an endpoint whose configuration is wrong', async () => {
    live = createSwarmLive({
      openClient: async () => {
        throw new DockerEndpointError('config', "Endpoint 'bad': 'tls.caFile' /nowhere/ca.pem does not exist");
      },
    });
    const nodes = view<SwarmNode>((d) => swarmNodeDeltaSchema.parse(d));
    live.subscribeNodes('bad', nodes.emit);
    await until('failed', () => nodes.status?.state === 'failed');
    expect(nodes.status?.message).toMatch(/'tls.caFile' \/nowhere\/ca.pem does not exist/);
  });
});
