/**
 * The Swarm readiness report over a fake engine serving a stack as Homeport renders it, with the
 * revision Homeport records on apply (the only place a config file's template can be read back).
 */
import { describe, expect, it } from 'vitest';
import { readinessReportSchema, type ReadinessReport } from '@shared/readiness-schemas';
import type { DockerClient } from '../docker/client';
import { builtinStacks, createStackCatalog } from '../stacks/catalog';
import type { SwarmServiceSpec } from '../stacks/swarm';
import type { EngineApi, LiveConfig, LiveService, LiveTask } from '../swarm/engine-api';
import { recordRevision } from '../swarm/revisions';
import type { TableLeaderReading } from '@shared/leader-schemas';
import { reportSwarm } from './swarm';
import { webStack } from './testing/web-stack';

const catalog = createStackCatalog([...builtinStacks, webStack]);

/** The configs recordRevision creates, as the engine lists them. */
async function revisionConfigs(stack: string, values: unknown, spec: ReturnType<typeof catalog.renderSwarm>) {
  const configs: LiveConfig[] = [];
  const api = {
    createConfig: async (body: unknown) => {
      configs.push({ ID: 'rev1', Version: { Index: 1 }, Spec: body as LiveConfig['Spec'] });
      return { ID: 'rev1' };
    },
  } as unknown as EngineApi;
  await recordRevision(api, stack, { revision: 1, appliedAt: '2026-02-01T00:00:00Z', values, spec });
  return configs;
}

async function engine(
  stack: string,
  values: unknown,
  opts: { edit?: (s: SwarmServiceSpec) => void; recorded?: boolean } = {},
) {
  const checked = catalog.validate(stack, values);
  if (!checked.ok) throw new Error(`invalid values: ${JSON.stringify(checked.issues)}`);
  const rendered = catalog.renderSwarm(stack, checked.values, { stack });
  const configs = opts.recorded === false ? [] : await revisionConfigs(stack, checked.values, rendered);
  const services: LiveService[] = structuredClone(rendered.services).map((spec, i) => {
    opts.edit?.(spec);
    return { ID: `svc${i}`, Version: { Index: 1 }, Spec: spec as LiveService['Spec'] };
  });
  const tasks: LiveTask[] = services.flatMap((s) =>
    Array.from({ length: s.Spec.Mode.Replicated?.Replicas ?? 0 }, (_, n) => ({
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
      if (path === '/configs') return configs as T;
      throw new Error(`unexpected ${path}`);
    },
    stream: async () => {},
    close: () => {},
  };
  return { openClient: async () => client, stacks: catalog };
}

const revenge = { endpoint: 'nas', stack: 'revenge' };
const check = (r: ReadinessReport, id: string) => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};
const ids = (r: ReadinessReport, verdict: string) => r.checks.filter((c) => c.verdict === verdict).map((c) => c.id);
const PUBLIC = { objectStore: { mode: 'bundled', publicEndpoint: 'http://nas.lan:9000' } };

describe('Swarm readiness', () => {
  it('reads the config file from the recorded revision: everything Swarm can show passes; the rest says why not', async () => {
    const r = await reportSwarm(revenge, await engine('revenge', PUBLIC));
    expect(readinessReportSchema.parse(r)).toEqual(r);
    expect(r.target).toBe('swarm endpoint nas');
    expect(ids(r, 'fail')).toEqual([]);
    // No backup taken by Homeport is a warning, not an unknown.
    expect(ids(r, 'warn')).toEqual(['observability.metrics-labels', 'storage.backup']);
    expect(ids(r, 'unknown')).toEqual([
      'state.leader-election',
      'discovery.selectors',
      'distributed.request-id',
      'observability.prometheus-up',
    ]);
    // database.url is only in the config file, assembled from a templated secret Homeport recorded.
    const state = check(r, 'state.sessions-cache');
    expect(state.evidence).toContainEqual({
      object: 'Service revenge_revenge',
      field: expect.stringMatching(
        /^setting database\.url \(config file \/app\/config\/config\.yaml \(secret revenge_revenge-config_config\.yaml_/,
      ),
      value: 'host postgres',
    });
    expect(state.evidence).toContainEqual({
      object: 'Service revenge_revenge',
      field: 'setting cache.url (env REVENGE_CACHE_URL)',
      value: 'host dragonfly',
    });
    expect(check(r, 'configuration.env').summary).toMatch(
      /environment variables and the config file \/app\/config\/config\.yaml$/,
    );
    // One replica is what the stack wants, and it says why.
    expect(check(r, 'distributed.replicas')).toMatchObject({
      verdict: 'pass',
      summary: expect.stringMatching(/one replica: playback sessions/),
    });
    // Without a way to run psql in the database's task, the table leader stays unknown, saying where it is.
    expect(check(r, 'state.leader-election').summary).toMatch(
      /table public\.river_leader in the database revenge of the component 'postgres': Homeport cannot run commands/,
    );
    expect(check(r, 'observability.metrics-labels').summary).toContain(':9096/metrics');
    expect(r.categories.find((c) => c.category === 'storage')?.score).toBeLessThan(100);
  });

  it('without a recorded revision, the config file cannot be read and what depends on it is unknown', async () => {
    const r = await reportSwarm(revenge, await engine('revenge', PUBLIC, { recorded: false }));
    const state = check(r, 'state.sessions-cache');
    expect(state.verdict).toBe('unknown');
    expect(state.summary).toContain('database.url may be set in /app/config/config.yaml');
    expect(check(r, 'configuration.env').verdict).toBe('unknown');
    expect(check(r, 'distributed.graceful-shutdown').verdict).toBe('unknown');
  });

  it('warns when user files go to an address inside the stack, with the reason from the stack', async () => {
    const r = await reportSwarm(revenge, await engine('revenge', {}));
    const files = check(r, 'state.avatars-s3');
    expect(files.verdict).toBe('warn');
    expect(files.summary).toContain('http://objectstore:9000');
    expect(files.remediation).toContain('internal/service/user/service.go');
  });

  it('more than one replica of a one-replica primary fails with the why; a literal secret in env is named without its value', async () => {
    const r = await reportSwarm(
      revenge,
      await engine(
        'revenge',
        { ...PUBLIC, api: { replicas: 2 } },
        {
          edit: (s) => {
            if (s.Name === 'revenge_revenge')
              s.TaskTemplate.ContainerSpec.Env.push('REVENGE_ADMIN_PASSWORD=hunter2-literal');
          },
        },
      ),
    );
    const replicas = check(r, 'distributed.replicas');
    expect(replicas.verdict).toBe('fail');
    expect(replicas.remediation).toMatch(/no sticky sessions.*playback sessions/);
    expect(replicas.fix).toBeUndefined();
    const secrets = check(r, 'configuration.secret-env');
    expect(secrets.verdict).toBe('fail');
    expect(secrets.summary).toContain('REVENGE_ADMIN_PASSWORD');
    expect(JSON.stringify(r)).not.toContain('hunter2-literal');
  });

  it('state pointed inside the instance, a health check on a path the program does not serve, a short stop: fail with re-deploy', async () => {
    const r = await reportSwarm(
      revenge,
      await engine('revenge', PUBLIC, {
        edit: (s) => {
          if (s.Name !== 'revenge_revenge') return;
          const spec = s.TaskTemplate.ContainerSpec;
          spec.Env = spec.Env.map((e) =>
            e.startsWith('REVENGE_CACHE_URL=') ? 'REVENGE_CACHE_URL=redis://localhost:6379' : e,
          );
          spec.Healthcheck.Test = ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8096/health/ready'];
          spec.StopGracePeriod = 5_000_000_000;
        },
      }),
    );
    expect(check(r, 'state.sessions-cache')).toMatchObject({ verdict: 'fail', fix: { values: {} } });
    expect(check(r, 'state.sessions-cache').summary).toContain('the cache is localhost, inside the instance');
    expect(check(r, 'distributed.probes')).toMatchObject({ verdict: 'fail', fix: { values: {} } });
    expect(check(r, 'distributed.probes').summary).toContain(
      'GET :8096/health/ready, which the program does not serve',
    );
    expect(check(r, 'distributed.graceful-shutdown').summary).toBe('Service revenge_revenge gets 5s, needs 30s');
  });

  it('follows another stack by its own signals: a stateless primary wants two replicas and gets a fix', async () => {
    const ref = { endpoint: 'nas', stack: 'webapp' };
    const two = await reportSwarm(ref, await engine('webapp', {}));
    expect(check(two, 'distributed.replicas')).toMatchObject({
      verdict: 'pass',
      summary: 'Service webapp_web runs 2 replicas',
    });
    expect(check(two, 'state.sessions-cache')).toMatchObject({ verdict: 'pass' });
    expect(check(two, 'observability.metrics-labels').summary).toContain(':3000/metrics');
    for (const id of ['state.avatars-s3', 'storage.database', 'storage.media'])
      expect(check(two, id).verdict).toBe('unknown');
    const one = await reportSwarm(ref, await engine('webapp', { web: { replicas: 1 } }));
    expect(check(one, 'distributed.replicas')).toMatchObject({
      verdict: 'fail',
      fix: { label: 'Run 2 replicas of web', values: { web: { replicas: 2 } } },
    });
  });

  it('counts the replicas of a primary run one service per instance over all of its services', async () => {
    const images = {
      node: { image: 'goverse-node:dev' },
      gate: { image: 'goverse-gate:dev' },
      inspector: { image: 'goverse-inspector:dev' },
      migrate: { image: 'goverse-pgadmin:dev' },
    };
    const ref = { endpoint: 'nas', stack: 'goverse' };
    const two = await reportSwarm(ref, await engine('goverse', images));
    expect(check(two, 'distributed.replicas')).toMatchObject({
      verdict: 'pass',
      summary: 'gate (goverse_gate-0, goverse_gate-1) runs 2 replicas',
      evidence: [
        { object: 'Service goverse_gate-0', field: 'Mode.Replicated.Replicas', value: '1' },
        { object: 'Service goverse_gate-1', field: 'Mode.Replicated.Replicas', value: '1' },
      ],
    });
    // etcd's image cannot run its check on Swarm: said so, and no re-deploy offered that would change nothing.
    const probes = check(two, 'distributed.probes');
    expect(probes).toMatchObject({
      verdict: 'fail',
      summary:
        'No working health check: Service goverse_etcd-0 (none: its image cannot run one on Swarm), ' +
        'Service goverse_etcd-1 (none: its image cannot run one on Swarm), ' +
        'Service goverse_etcd-2 (none: its image cannot run one on Swarm)',
    });
    expect(probes.fix).toBeUndefined();
    // The finished migration job runs no task and has no update policy, and is not held against the stack.
    expect(check(two, 'discovery.services')).toMatchObject({
      verdict: 'pass',
      summary: '10 services with running tasks',
    });
    expect(check(two, 'distributed.update-rollback').verdict).toBe('pass');
    const one = await reportSwarm(ref, await engine('goverse', { ...images, gate: { ...images.gate, replicas: 1 } }));
    expect(check(one, 'distributed.replicas')).toMatchObject({
      verdict: 'fail',
      summary: 'Service goverse_gate-0 runs 1 replica',
    });
  });

  it('judges periodic-job leadership by what the leader table says', async () => {
    const at = (reading: TableLeaderReading) => async () => ({ workload: 'task 1 of revenge_postgres', reading });
    const now = '2026-11-30T16:00:10+00:00';
    const row = { holder: 'api-1', since: '2026-11-30T16:00:00+00:00', expires: '2026-11-30T16:00:15+00:00', now };
    const report = async (reading: TableLeaderReading) =>
      check(
        await reportSwarm(revenge, { ...(await engine('revenge', PUBLIC)), readLeader: at(reading) }),
        'state.leader-election',
      );
    const held = await report({ state: 'held', ...row });
    expect(held).toMatchObject({
      verdict: 'pass',
      summary: expect.stringMatching(/^The periodic jobs' leader is api-1 /),
    });
    expect(held.evidence[0]).toMatchObject({
      object: 'task 1 of revenge_postgres',
      query: expect.stringContaining('FROM "public"."river_leader"'),
      value: expect.stringContaining('api-1, elected 2026-11-30T16:00:00+00:00'),
    });
    expect(await report({ state: 'expired', ...row, now: '2026-11-30T16:01:00+00:00' })).toMatchObject({
      verdict: 'fail',
      summary: expect.stringMatching(/leader api-1 stopped renewing/),
    });
    expect(await report({ state: 'none' })).toMatchObject({
      verdict: 'fail',
      summary: 'Nobody leads the periodic jobs: public.river_leader is empty',
    });
    const missing = await report({ state: 'unknown', cause: 'no-table', message: 'the migrations have not run' });
    expect(missing).toMatchObject({
      verdict: 'unknown',
      summary: expect.stringMatching(/could not be read from public\.river_leader: the migrations have not run$/),
    });
    expect(missing.remediation).toMatch(
      /creates the table when it migrates at start.*module\.go:54.*002_initial_schema/,
    );
  });
});
