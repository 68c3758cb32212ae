import { describe, expect, it, vi } from 'vitest';
import { DockerRequestError, type DockerClient, type DockerRequestOptions } from '../docker/client';
import { createStackCatalog } from '../stacks/catalog';
import { createSwarmDeployer, MAX_UPDATE_ATTEMPTS } from './deployer';
import { engineApi } from './engine-api';
import { normalizeServiceSpec, serviceChanges } from './normalize';
import { readSwarmStatus } from './status';

/** A client that answers from a handler and records every request. */
function fakeClient(handler: (path: string, opts: DockerRequestOptions) => unknown) {
  const calls: { path: string; method: string; query?: DockerRequestOptions['query'] }[] = [];
  const client: DockerClient = {
    address: 'fake',
    async request<T>(path: string, opts: DockerRequestOptions = {}) {
      calls.push({ path, method: opts.method ?? 'GET', query: opts.query });
      return handler(path, opts) as T;
    },
    stream: async () => undefined,
    close: () => undefined,
  };
  return { client, calls };
}

const liveService = (index: number) => ({
  ID: 'svc1',
  Version: { Index: index },
  Spec: { Name: 'media_frontend', Labels: { 'homeport.dev/component': 'frontend' }, TaskTemplate: {} },
  PreviousSpec: { Name: 'media_frontend' },
});

describe('Swarm deployer (fake engine)', () => {
  it('rolls back one instance of a component run per instance by its name, and asks which when given the component', async () => {
    const instance = (i: number) => ({
      ID: `etcd${i}`,
      Version: { Index: 3 },
      Spec: {
        Name: `gv_etcd-${i}`,
        Labels: { 'homeport.dev/component': 'etcd', 'homeport.dev/instance': String(i) },
        TaskTemplate: {},
      },
      PreviousSpec: { Name: `gv_etcd-${i}` },
    });
    const { client, calls } = fakeClient((path) => {
      if (path === '/services') return [instance(0), instance(1), instance(2)];
      const m = /^\/services\/(etcd\d)(\/update)?$/.exec(path);
      if (m) return m[2] ? {} : instance(Number(m[1]?.slice(4)));
      throw new Error(`unexpected ${path}`);
    });
    const d = createSwarmDeployer({ openClient: async () => client, catalog: createStackCatalog() });
    await expect(d.rollbackService({ endpoint: 'x', stack: 'gv', service: 'etcd' })).rejects.toThrow(
      "'etcd' runs one service per instance (gv_etcd-0, gv_etcd-1, gv_etcd-2): roll back one of them by its name, or the stack to a revision",
    );
    expect(calls.some((c) => c.path.endsWith('/update'))).toBe(false);
    await d.rollbackService({ endpoint: 'x', stack: 'gv', service: 'etcd-1' });
    expect(calls.filter((c) => c.path.endsWith('/update')).map((c) => c.path)).toEqual(['/services/etcd1/update']);
  });

  it('re-reads and retries a service update refused as out of sequence', async () => {
    let version = 10;
    let refusals = 2;
    const { client, calls } = fakeClient((path, opts) => {
      if (path === '/services') return [liveService(version)];
      if (path === '/services/svc1') return liveService(version);
      if (path === '/services/svc1/update') {
        if (refusals-- > 0) {
          version++;
          throw new DockerRequestError('http', 'fake: rpc error: code = Unknown desc = update out of sequence', 500);
        }
        expect(opts.query).toMatchObject({ version, rollback: 'previous' });
        return {};
      }
      throw new Error(`unexpected ${path}`);
    });
    const d = createSwarmDeployer({ openClient: async () => client, catalog: createStackCatalog() });
    await d.rollbackService({ endpoint: 'x', stack: 'media', service: 'frontend' });
    const updates = calls.filter((c) => c.path === '/services/svc1/update');
    expect(updates.map((c) => c.query?.version)).toEqual([10, 11, 12]);
  });

  it(`gives up after ${MAX_UPDATE_ATTEMPTS} refusals and passes other errors on at once`, async () => {
    let attempts = 0;
    const { client } = fakeClient((path) => {
      if (path === '/services') return [liveService(1)];
      if (path === '/services/svc1') return liveService(1);
      attempts++;
      throw new DockerRequestError('http', 'fake: update out of sequence', 500);
    });
    const d = createSwarmDeployer({ openClient: async () => client, catalog: createStackCatalog() });
    await expect(d.rollbackService({ endpoint: 'x', stack: 'media', service: 'frontend' })).rejects.toThrow(
      /out of sequence/,
    );
    expect(attempts).toBe(MAX_UPDATE_ATTEMPTS);

    attempts = 0;
    const other = fakeClient((path) => {
      if (path === '/services') return [liveService(1)];
      if (path === '/services/svc1') return liveService(1);
      attempts++;
      throw new DockerRequestError('http', 'fake: no such image', 400);
    });
    const d2 = createSwarmDeployer({ openClient: async () => other.client, catalog: createStackCatalog() });
    await expect(d2.rollbackService({ endpoint: 'x', stack: 'media', service: 'frontend' })).rejects.toThrow(
      /no such image/,
    );
    expect(attempts).toBe(1);
  });

  it('sends nothing for invalid values', async () => {
    const openClient = vi.fn();
    const d = createSwarmDeployer({ openClient, catalog: createStackCatalog() });
    await expect(
      d.plan({ endpoint: 'x', stack: 'media', template: 'revenge', values: { api: { replicas: 0 } } }),
    ).rejects.toThrow(/api.replicas/);
    await expect(d.plan({ endpoint: 'x', stack: 'Bad Name', template: 'revenge', values: {} })).rejects.toThrow(
      /stack name/,
    );
    expect(openClient).not.toHaveBeenCalled();
  });
});

describe('Swarm rollout status', () => {
  it('is not converged while a task scaled away is still running', async () => {
    const spec = { Image: 'app:1' };
    const task = (id: string, state: string, desired: string) => ({
      ID: id,
      ServiceID: 'svc1',
      DesiredState: desired,
      Status: { State: state, Timestamp: `2030-01-01T00:00:0${id}Z` },
      Spec: { ContainerSpec: spec },
    });
    let tasks = [task('1', 'running', 'running'), task('2', 'running', 'shutdown')];
    const { client } = fakeClient((path) => {
      if (path === '/services')
        return [
          {
            ID: 'svc1',
            Version: { Index: 1 },
            Spec: {
              Name: 'media_frontend',
              Mode: { Replicated: { Replicas: 1 } },
              TaskTemplate: { ContainerSpec: spec },
            },
          },
        ];
      if (path === '/tasks') return tasks;
      throw new Error(`unexpected ${path}`);
    });
    const api = engineApi(client);
    expect(await readSwarmStatus(api, 'x')).toMatchObject({
      state: 'progressing',
      workloads: [{ name: 'media_frontend', ready: 1, desired: 1, message: 'Stopping 1 old task' }],
    });
    tasks = [task('1', 'running', 'running'), task('2', 'shutdown', 'shutdown')];
    expect(await readSwarmStatus(api, 'x')).toMatchObject({ state: 'healthy' });
  });
});

describe('service spec comparison', () => {
  it('ignores engine defaults, empty values and secret IDs', () => {
    const rendered = {
      Name: 'a',
      TaskTemplate: {
        ContainerSpec: { Image: 'x', Env: [], Secrets: [{ SecretName: 's', SecretID: 'new' }] },
        RestartPolicy: { Delay: 0 },
      },
      EndpointSpec: { Mode: 'vip' },
    };
    const live = {
      Name: 'a',
      TaskTemplate: {
        ContainerSpec: { Image: 'x', Isolation: 'default', Secrets: [{ SecretName: 's', SecretID: 'old' }] },
        Runtime: 'container',
        ForceUpdate: 0,
        Resources: { Limits: {}, Reservations: {} },
      },
    };
    expect(serviceChanges(live, rendered)).toEqual([]);
    expect(normalizeServiceSpec(live)).toEqual({
      Name: 'a',
      TaskTemplate: { ContainerSpec: { Image: 'x', Secrets: [{ SecretName: 's' }] } },
    });
    expect(serviceChanges(live, { ...rendered, Mode: { Replicated: { Replicas: 2 } } })).toEqual(['Mode']);
  });
});
