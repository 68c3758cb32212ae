import { describe, expect, it } from 'vitest';
import type { RolloutStatus } from '@shared/deploy-schemas';
import type { DockerClient, DockerRequestOptions } from '../docker/client';
import { probeEndpoint, type ProbeSources } from './probes';

function engine(answers: Record<string, unknown>) {
  const asked: { path: string; opts?: DockerRequestOptions }[] = [];
  let closed = false;
  const client: DockerClient = {
    address: 'unix:///var/run/docker.sock',
    request: async <T>(path: string, opts?: DockerRequestOptions) => {
      asked.push({ path, ...(opts ? { opts } : {}) });
      if (!(path in answers)) throw new Error(`unexpected ${path}`);
      return answers[path] as T;
    },
    stream: async () => {},
    close: () => {
      closed = true;
    },
  };
  return { client, asked, closed: () => closed };
}

const failed: RolloutStatus = {
  state: 'failed',
  workloads: [
    { kind: 'Service', name: 'media_api', ready: 0, desired: 1, message: 'task: non-zero exit (1)' },
    { kind: 'Service', name: 'media_db', ready: 1, desired: 1 },
  ],
  failed: { component: 'api', reason: 'task: non-zero exit (1)' },
};

function sources(client: DockerClient, over: Partial<ProbeSources> = {}): ProbeSources {
  return {
    openGateway: () => Promise.reject(new Error('not used')),
    openClient: async () => client,
    kubeStacks: () => Promise.reject(new Error('not used')),
    swarmStacks: async () => [{ stack: 'media' }],
    rollout: async () => failed,
    ...over,
  };
}

const opts = { timeoutMs: 1000, signal: new AbortController().signal };

describe('probeEndpoint', () => {
  it('a swarm manager: version, nodes ready, running tasks, leader, and each stack with its rollout', async () => {
    const e = engine({
      '/version': { Version: '27.3.1' },
      '/info': { Swarm: { LocalNodeState: 'active', ControlAvailable: true } },
      '/nodes': [{ Status: { State: 'ready' }, ManagerStatus: { Leader: true } }, { Status: { State: 'down' } }],
      '/tasks': [{ Status: { State: 'running' } }, { Status: { State: 'starting' } }],
    });
    expect(await probeEndpoint('nas', sources(e.client), opts)).toEqual({
      version: '27.3.1',
      swarm: 'manager',
      nodes: { ready: 1, total: 2 },
      tasks: { ready: 1, total: 2 },
      hasLeader: true,
      stacks: [
        {
          stack: 'media',
          state: 'failed',
          readyWorkloads: 1,
          workloads: 2,
          message: 'task: non-zero exit (1)',
        },
      ],
    });
    // Only tasks meant to run are counted, and every request carries the time limit.
    const tasks = e.asked.find((a) => a.path === '/tasks');
    expect(tasks?.opts?.query).toEqual({ filters: JSON.stringify({ 'desired-state': ['running'] }) });
    expect(e.asked.every((a) => a.opts?.timeoutMs === 1000)).toBe(true);
    expect(e.closed()).toBe(true);
  });

  it('an engine outside a swarm gives its version only; nothing swarm-wide is asked', async () => {
    const e = engine({ '/version': { Version: '27.3.1' }, '/info': { Swarm: { LocalNodeState: 'inactive' } } });
    expect(await probeEndpoint('laptop', sources(e.client), opts)).toEqual({
      version: '27.3.1',
      swarm: 'inactive',
      stacks: [],
    });
    expect(e.asked.map((a) => a.path)).toEqual(['/version', '/info']);
  });

  it('stacks that cannot be listed, or one whose rollout cannot be read, do not hide the other figures', async () => {
    const e = engine({
      '/version': { Version: '27.3.1' },
      '/info': { Swarm: { LocalNodeState: 'active', ControlAvailable: true } },
      '/nodes': [{ Status: { State: 'ready' }, ManagerStatus: { Leader: true } }],
      '/tasks': [],
    });
    const noList = await probeEndpoint(
      'nas',
      sources(e.client, { swarmStacks: () => Promise.reject(new Error('permission denied on /configs')) }),
      opts,
    );
    expect(noList).toMatchObject({
      nodes: { ready: 1, total: 1 },
      stacks: [],
      stacksError: 'permission denied on /configs',
    });
    const noRollout = await probeEndpoint(
      'nas',
      sources(e.client, { rollout: () => Promise.reject(new Error('service media_api: no such service')) }),
      opts,
    );
    expect(noRollout.stacks).toEqual([
      {
        stack: 'media',
        state: 'unknown',
        readyWorkloads: 0,
        workloads: 0,
        message: 'service media_api: no such service',
      },
    ]);
  });
});
