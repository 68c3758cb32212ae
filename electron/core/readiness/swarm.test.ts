/** The Swarm readiness report over a fake engine serving Revenge as Homeport renders it. */
import { describe, expect, it } from 'vitest';
import { readinessReportSchema } from '@shared/readiness-schemas';
import type { DockerClient } from '../docker/client';
import { createStackCatalog } from '../stacks/catalog';
import type { SwarmServiceSpec } from '../stacks/swarm';
import type { LiveService, LiveTask } from '../swarm/engine-api';
import { reportSwarm } from './swarm';

const catalog = createStackCatalog();

function engine(values: unknown, edit: (s: SwarmServiceSpec) => void = () => {}) {
  const checked = catalog.validate('revenge', values);
  if (!checked.ok) throw new Error('invalid values');
  const rendered = catalog.renderSwarm('revenge', checked.values, { stack: 'revenge' });
  const services: LiveService[] = rendered.services.map((spec, i) => {
    edit(spec);
    return { ID: `svc${i}`, Version: { Index: 1 }, Spec: spec as LiveService['Spec'] };
  });
  const tasks: LiveTask[] = services.flatMap((s) =>
    Array.from({ length: s.Spec.Mode.Replicated.Replicas }, (_, n) => ({
      ID: `${s.ID}-t${n}`,
      ServiceID: s.ID,
      DesiredState: 'running',
      Status: { State: 'running' },
      Spec: { ContainerSpec: s.Spec.TaskTemplate.ContainerSpec as unknown as Record<string, unknown> },
    })),
  );
  const client: DockerClient = {
    address: 'fake',
    request: async <T>(path: string) => {
      if (path === '/services') return services as T;
      if (path === '/tasks') return tasks as T;
      if (path === '/configs') return [] as T;
      throw new Error(`unexpected ${path}`);
    },
    stream: async () => {},
    close: () => {},
  };
  return { openClient: async () => client, values: async () => checked.values };
}

const ref = { endpoint: 'nas', stack: 'revenge' };
const UNKNOWN = [
  'state.leader-election',
  'discovery.selectors',
  'distributed.request-id',
  'observability.prometheus-up',
  'storage.backup',
];

describe('Swarm readiness', () => {
  it('passes what Swarm can show; metrics labels warn; the rest is unknown with a reason', async () => {
    const r = await reportSwarm(ref, engine({}));
    expect(readinessReportSchema.parse(r)).toEqual(r);
    expect(r.target).toBe('swarm endpoint nas');
    expect(r.checks.filter((c) => c.verdict === 'unknown').map((c) => c.id)).toEqual(UNKNOWN);
    expect(r.checks.filter((c) => c.verdict === 'warn').map((c) => c.id)).toEqual(['observability.metrics-labels']);
    expect(r.checks.filter((c) => c.verdict === 'fail')).toEqual([]);
    expect(r.categories.find((c) => c.category === 'storage')?.score).toBe(100);
  });

  it('one API replica fails with the fix; a literal secret in env is named without its value', async () => {
    const r = await reportSwarm(
      ref,
      engine({ api: { autoscale: { enabled: false }, replicas: 1 } }, (s) => {
        if (s.Name === 'revenge_api') s.TaskTemplate.ContainerSpec.Env.push('REVENGE_ADMIN_PASSWORD=hunter2-literal');
      }),
    );
    const replicas = r.checks.find((c) => c.id === 'distributed.replicas');
    expect(replicas?.verdict).toBe('fail');
    expect(replicas?.fix?.values).toEqual({ api: { replicas: 2 } });
    const secrets = r.checks.find((c) => c.id === 'configuration.secret-env');
    expect(secrets?.verdict).toBe('fail');
    expect(secrets?.summary).toContain('REVENGE_ADMIN_PASSWORD');
    expect(JSON.stringify(r)).not.toContain('hunter2-literal');
  });
});
