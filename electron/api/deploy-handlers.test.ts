import { describe, expect, it } from 'vitest';
import type { RolloutStatus } from '@shared/deploy-schemas';
import { createDeployEngine } from '../core/deploy/engine';
import { createFixtureCatalog } from '../core/deploy/testing/fixture-stack';
import { KubeRequestError, type KubeGateway } from '../core/kube/kube-gateway';
import { createReadiness } from '../core/readiness/readiness';
import { createStackCatalog } from '../core/stacks/catalog';
import { kubernetesTarget } from '../core/targets/kubernetes';
import { createStackDeployments } from '../core/targets/stack-deployments';
import { createTargets } from '../core/targets/target';
import { channels } from '@shared/contract';
import { createDeployHandlers, createDeploySubscriptions } from './deploy-handlers';

/** A gateway whose every request answers from `answer`, which a test can make fail. */
function scriptedGateway(answer: () => unknown): KubeGateway {
  const reply = async <T>() => {
    const value = answer();
    if (value instanceof Error) throw value;
    return value as T;
  };
  return {
    request: reply,
    getJson: reply,
    listAll: async <T>() => ({ items: ((await reply<{ items: T[] }>()).items ?? []) as T[], resourceVersion: '1' }),
    stream: async () => {},
    watch: async () => {},
    websocket: () => Promise.reject(new Error('no WebSocket in this test')),
    server: 'https://cluster.test',
    close: () => {},
  };
}

describe('deploy:rollout subscription', () => {
  it('reports a failed poll with the last known status, and clears it when polls work again', async () => {
    let failing = false;
    const gateway = scriptedGateway(() =>
      failing ? new KubeRequestError('unreachable', 'Cannot reach https://cluster.test (ECONNREFUSED)') : { items: [] },
    );
    const catalog = createFixtureCatalog();
    const engine = createDeployEngine({ openGateway: async () => gateway, catalog });
    const readiness = createReadiness({
      openGateway: async () => gateway,
      stacks: createStackCatalog(),
      revisions: async () => [],
    });
    const deployments = createStackDeployments({
      catalog,
      targets: createTargets({
        kubernetes: (t) => kubernetesTarget(t, { engine, readiness }),
        swarm: () => {
          throw new Error('no swarm in this test');
        },
      }),
      resolveReferences: async (_stack, values) => ({ values, provided: {} }),
      rolloutPollMs: 20,
    });
    const subs = createDeploySubscriptions({ deployments });
    const seen: RolloutStatus[] = [];
    const target = { kind: 'kubernetes', context: 'home', namespace: 'media' } as const;
    const stop = subs['deploy:rollout']({ target, stack: 'demo' }, (s) => seen.push(s));
    const waitFor = async (ok: () => boolean) => {
      for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(ok()).toBe(true);
    };
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toEqual({ state: 'healthy', workloads: [] });
    failing = true;
    await waitFor(() => seen.some((s) => s.error));
    expect(seen.find((s) => s.error)).toMatchObject({
      state: 'healthy',
      error: expect.stringContaining('ECONNREFUSED') as unknown,
    });
    failing = false;
    await waitFor(() => seen.at(-1)?.error === undefined);
    stop();
  });

  it('reports an unknown stack through the subscription instead of throwing', () => {
    const deployments = createStackDeployments({
      catalog: createFixtureCatalog(),
      targets: createTargets({
        kubernetes: () => {
          throw new Error('not opened for an unknown stack');
        },
        swarm: () => {
          throw new Error('not opened for an unknown stack');
        },
      }),
      resolveReferences: async (_stack, values) => ({ values, provided: {} }),
    });
    const seen: RolloutStatus[] = [];
    const stop = createDeploySubscriptions({ deployments })['deploy:rollout'](
      { target: { kind: 'swarm', endpoint: 'nas' }, stack: 'wordpress' },
      (s) => seen.push(s),
    );
    stop();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.error).toContain("Unknown stack 'wordpress'");
  });

  it('lists each stack with where its leader lives, from the stack itself', async () => {
    const catalog = createStackCatalog();
    const deployments = createStackDeployments({
      catalog,
      targets: createTargets({
        kubernetes: () => {
          throw new Error('not opened to list stacks');
        },
        swarm: () => {
          throw new Error('not opened to list stacks');
        },
      }),
      resolveReferences: async (_stack, values) => ({ values, provided: {} }),
    });
    const listed = await createDeployHandlers({ catalog, deployments })['stacks:list']({});
    expect(channels['stacks:list'].output.parse(listed)).toEqual(listed);
    expect(listed.stacks.find((s) => s.name === 'revenge')?.leader).toEqual({
      kind: 'table',
      where: "a row of the table public.river_leader in the database revenge of the component 'postgres'",
      observable: true,
      ref: expect.stringMatching(/^lusoris\/revenge@/),
    });
  });
});
