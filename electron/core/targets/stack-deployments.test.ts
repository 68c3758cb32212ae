import { describe, expect, it } from 'vitest';
import type { Plan, Revision, RolloutStatus } from '@shared/deploy-schemas';
import type { ReadinessReport } from '@shared/readiness-schemas';
import type { Target } from '@shared/target-schemas';
import { createFixtureCatalog } from '../deploy/testing/fixture-stack';
import type { ProvidedSecrets } from '../stacks/model';
import { createStackDeployments, deepMerge } from './stack-deployments';
import { createTargets, type StackTarget } from './target';

/** A target that records what it was asked and answers from its own state. */
function recordingTarget(target: Target, opts: { workloads?: boolean } = {}) {
  const calls: {
    op: string;
    values?: unknown;
    provided?: ProvidedSecrets;
    revision?: number;
    outcome?: string;
  }[] = [];
  const revisions: Revision[] = [
    {
      revision: 2,
      appliedAt: '2026-11-02T00:00:00Z',
      values: { replicas: 1, s3: 'garage' },
      objects: 3,
      current: true,
    },
    {
      revision: 1,
      appliedAt: '2026-11-01T00:00:00Z',
      values: { replicas: 3, s3: 'minio' },
      objects: 3,
      current: false,
    },
  ];
  let rollout: RolloutStatus = { state: 'progressing', workloads: [] };
  let failing = false;
  const plan = (stack: string): Plan => ({ target, stack, revision: 3, items: [] });
  const report = (stack: string): ReadinessReport => ({
    stack,
    target: 'x',
    generatedAt: new Date().toISOString(),
    score: 50,
    categories: [],
    checks: [
      {
        id: 'distributed.replicas',
        title: 'More than one replica',
        category: 'distributed',
        weight: 5,
        verdict: 'fail',
        summary: '1 replica',
        evidence: [],
        remediation: 'Run two',
        fix: { label: 'Run 2 replicas', values: { replicas: 2 } },
      },
      {
        id: 'state.cache',
        title: 'Cache',
        category: 'state',
        weight: 5,
        verdict: 'pass',
        summary: 'ok',
        evidence: [],
        remediation: '',
      },
    ],
  });
  const t: StackTarget = {
    target,
    where: JSON.stringify(target),
    plan: async (p) => {
      calls.push({ op: 'plan', values: p.values, provided: p.provided });
      return plan(p.stack);
    },
    apply: async (p) => {
      calls.push({ op: 'apply', values: p.values, provided: p.provided });
      return { revision: 3, plan: plan(p.stack), pruned: [], leftOver: [] };
    },
    revisions: async () => revisions,
    rollback: async (p) => {
      calls.push({ op: 'rollback', revision: p.revision, provided: p.provided });
      return { revision: 3, plan: plan(p.stack), pruned: [], leftOver: [] };
    },
    rollbackPlan: async (p) => {
      calls.push({ op: 'rollbackPlan', revision: p.revision, provided: p.provided });
      return { ...plan(p.stack), rollbackTo: p.revision };
    },
    recordRollout: async (p) => {
      calls.push({ op: 'recordRollout', outcome: p.outcome });
      return true;
    },
    ...(opts.workloads
      ? {
          rollbackWorkload: async (p: { workload: string }) => {
            calls.push({ op: `rollbackWorkload ${p.workload}` });
          },
        }
      : {}),
    uninstall: async () => ({ deleted: [], kept: [] }),
    rolloutStatus: async () => {
      if (failing) throw new Error('engine gone');
      return rollout;
    },
    readiness: async (stack) => report(stack),
  };
  return {
    t,
    calls,
    setRollout: (s: RolloutStatus) => (rollout = s),
    fail: (f: boolean) => (failing = f),
  };
}

const kube: Target = { kind: 'kubernetes', context: 'home', namespace: 'media' };
const swarm: Target = { kind: 'swarm', endpoint: 'nas' };

function setup() {
  const k = recordingTarget(kube);
  const s = recordingTarget(swarm, { workloads: true });
  const opened: Target[] = [];
  const resolved: unknown[] = [];
  const deployments = createStackDeployments({
    catalog: createFixtureCatalog(),
    targets: createTargets({
      kubernetes: (t) => {
        opened.push(t);
        return k.t;
      },
      swarm: (t) => {
        opened.push(t);
        return s.t;
      },
    }),
    // A reference 's3: <profile>' resolves to that profile's key, provided outside the values.
    resolveReferences: async (_stack, values) => {
      resolved.push(values);
      const profile = (values as { s3?: string }).s3;
      const provided: ProvidedSecrets = profile ? { creds: { key: `key-of-${profile}` } } : {};
      return { values, provided };
    },
    rolloutPollMs: 10,
  });
  return { deployments, k, s, opened, resolved };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
};

describe('stack deployments on any target', () => {
  it('refuses an unknown stack before opening any target', async () => {
    const { deployments, opened } = setup();
    await expect(deployments.plan({ target: kube, stack: 'wordpress', values: {} })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: "Unknown stack 'wordpress'; the catalog has: demo",
    });
    expect(opened).toEqual([]);
  });

  it('resolves references before planning and applying, on either kind of target, the same way', async () => {
    const { deployments, k, s } = setup();
    await deployments.plan({ target: kube, stack: 'demo', values: { s3: 'garage' } });
    await deployments.apply({ target: swarm, stack: 'demo', values: { s3: 'garage' }, prune: false });
    expect(k.calls).toEqual([{ op: 'plan', values: { s3: 'garage' }, provided: { creds: { key: 'key-of-garage' } } }]);
    expect(s.calls).toEqual([{ op: 'apply', values: { s3: 'garage' }, provided: { creds: { key: 'key-of-garage' } } }]);
  });

  it('rolls back with the references of the recorded revision resolved again', async () => {
    const { deployments, s } = setup();
    await deployments.rollback({ target: swarm, stack: 'demo', revision: 1 });
    expect(s.calls).toEqual([{ op: 'rollback', revision: 1, provided: { creds: { key: 'key-of-minio' } } }]);
  });

  it('plans a rollback without applying it, with the same references resolved', async () => {
    for (const target of [kube, swarm]) {
      const { deployments, k, s } = setup();
      const plan = await deployments.rollbackPlan({ target, stack: 'demo', revision: 1 });
      expect(plan.rollbackTo).toBe(1);
      const calls = target.kind === 'kubernetes' ? k.calls : s.calls;
      expect(calls).toEqual([{ op: 'rollbackPlan', revision: 1, provided: { creds: { key: 'key-of-minio' } } }]);
    }
  });

  it('refuses to roll back to the revision that runs now, naming the earlier ones, on any target', async () => {
    for (const target of [kube, swarm]) {
      const { deployments, k, s } = setup();
      for (const call of [deployments.rollback, deployments.rollbackPlan]) {
        await expect(call({ target, stack: 'demo', revision: 2 })).rejects.toMatchObject({
          code: 'CONFLICT',
          message: expect.stringMatching(/Revision 2 of 'demo' is the one running .*pick an earlier revision \(1\)/),
        });
      }
      expect([...k.calls, ...s.calls]).toEqual([]);
    }
  });

  it('rolls one workload back where the target keeps a previous spec, and says why not elsewhere', async () => {
    const { deployments, s } = setup();
    await deployments.rollbackWorkload({ target: swarm, stack: 'demo', workload: 'demo_api' });
    expect(s.calls).toEqual([{ op: 'rollbackWorkload demo_api' }]);
    await expect(deployments.rollbackWorkload({ target: kube, stack: 'demo', workload: 'api' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('roll the stack back to a revision'),
    });
  });

  it('plans a fix from the live values with the fix merged in, like a deploy', async () => {
    for (const target of [kube, swarm]) {
      const { deployments, k, s } = setup();
      const fix = await deployments.planFix({ target, stack: 'demo', check: 'distributed.replicas' });
      expect(fix.values).toEqual({ replicas: 2, s3: 'garage' });
      expect(fix.plan.target).toEqual(target);
      const calls = target.kind === 'kubernetes' ? k.calls : s.calls;
      expect(calls).toEqual([
        { op: 'plan', values: { replicas: 2, s3: 'garage' }, provided: { creds: { key: 'key-of-garage' } } },
      ]);
      await expect(deployments.planFix({ target, stack: 'demo', check: 'state.cache' })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      await expect(deployments.planFix({ target, stack: 'demo', check: 'nope' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    }
  });

  it('follows a rollout: emits changes only, reports a failed read and recovers', async () => {
    const { deployments, s } = setup();
    const seen: RolloutStatus[] = [];
    const errors: unknown[] = [];
    const stop = deployments.watchRollout(
      { target: swarm, stack: 'demo' },
      (x) => seen.push(x),
      (e) => errors.push(e),
    );
    await until(() => seen.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(1);
    s.fail(true);
    await until(() => errors.length > 0);
    s.fail(false);
    expect(s.calls).toEqual([]);
    s.setRollout({ state: 'healthy', workloads: [{ kind: 'Service', name: 'demo_api', ready: 1, desired: 1 }] });
    await until(() => seen.at(-1)?.state === 'healthy');
    // Each end of a rollout is offered to the newest revision (which keeps only its first).
    expect(s.calls).toEqual([{ op: 'recordRollout', outcome: 'healthy' }]);
    s.setRollout({ state: 'failed', workloads: [], failed: { component: 'api', reason: 'CrashLoopBackOff' } });
    await until(() => seen.at(-1)?.state === 'failed');
    stop();
    expect(s.calls).toEqual([
      { op: 'recordRollout', outcome: 'healthy' },
      { op: 'recordRollout', outcome: 'failed' },
    ]);
  });
});

describe('deepMerge', () => {
  it('merges a fix into the live values key by key, leaving the live values alone', () => {
    const live = { api: { replicas: 1, image: 'api:1', autoscale: { enabled: false } }, nfs: { server: 'nas' } };
    expect(deepMerge(live, { api: { replicas: 2 } })).toEqual({
      api: { replicas: 2, image: 'api:1', autoscale: { enabled: false } },
      nfs: { server: 'nas' },
    });
    expect(deepMerge(live, { api: { autoscale: { enabled: true, min: 2 } } }).api).toEqual({
      replicas: 1,
      image: 'api:1',
      autoscale: { enabled: true, min: 2 },
    });
    expect(live.api.replicas).toBe(1);
  });
});
