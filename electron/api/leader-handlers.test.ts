import { describe, expect, it, vi } from 'vitest';
import { channels, type Handlers } from '@shared/contract';
import type { StackTableLeader } from '@shared/leader-schemas';
import { DockerRequestError } from '../core/docker/client';
import { createDispatch } from './dispatch';
import { createLeaderHandlers } from './leader-handlers';

const unused = async (): Promise<never> => {
  throw new Error('not called in these tests');
};
const others = Object.fromEntries(Object.keys(channels).map((c) => [c, unused])) as unknown as Handlers;

const held: StackTableLeader = {
  stack: 'media',
  title: 'Media',
  target: { kind: 'swarm', endpoint: 'nas' },
  workload: 'task media_db.1 (abc) of service media_db',
  table: 'public.jobs_leader in the database app',
  ref: 'example/app@1:jobs.go:10',
  reading: {
    state: 'held',
    holder: 'app-1',
    since: '2026-11-30T16:00:00+00:00',
    expires: '2026-11-30T16:00:15+00:00',
    now: '2026-11-30T16:00:05+00:00',
  },
};

describe('leaders:tables', () => {
  it('checks the place before anything runs, and answers what the contract names', async () => {
    const list = vi.fn(async () => [held]);
    const dispatch = createDispatch({ ...others, ...createLeaderHandlers({ stackLeaders: { list } }) });
    const bad = await dispatch('leaders:tables', { kind: 'swarm', endpoint: 'Not A Name', extra: 1 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(list).not.toHaveBeenCalled();
    expect(await dispatch('leaders:tables', { kind: 'swarm', endpoint: 'nas' })).toEqual({
      ok: true,
      value: { leaders: [held] },
    });
    expect(list).toHaveBeenCalledWith({ kind: 'swarm', endpoint: 'nas' });
  });

  it('an engine that cannot be reached is named with the endpoint', async () => {
    const list = async () => {
      throw new DockerRequestError('unreachable', 'connect ECONNREFUSED /var/run/docker.sock');
    };
    const dispatch = createDispatch({ ...others, ...createLeaderHandlers({ stackLeaders: { list } }) });
    const r = await dispatch('leaders:tables', { kind: 'swarm', endpoint: 'nas' });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error.message).toBe(
        "Cannot reach the leaders of deployed stacks on endpoint 'nas': connect ECONNREFUSED /var/run/docker.sock",
      );
  });
});
