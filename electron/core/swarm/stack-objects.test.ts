import { describe, expect, it } from 'vitest';
import type { StackModel } from '../stacks/model';
import { renderSwarmStack } from '../stacks/swarm';
import type { LiveConfig, LiveNetwork, LiveService } from './engine-api';
import { configSteps, networkSteps, oldJobServices, withLiveIds } from './stack-objects';

const managed = { 'homeport.dev/managed-by': 'homeport', 'homeport.dev/stack': 's' };
const check = { type: 'exec' as const, command: ['true'] };
const model = (content: string, command: string): StackModel => ({
  configs: [{ name: 'app', files: [{ key: 'a.conf', content }] }],
  components: [
    {
      name: 'db',
      image: 'db:1',
      ports: [{ name: 'db', port: 5432 }],
      env: [],
      secretEnv: [],
      identityEnv: [],
      mounts: [],
      stateful: false,
      probes: { liveness: { check }, readiness: { check } },
      replicas: 1,
      resources: { requests: {}, limits: {} },
      stopGracePeriodSeconds: 1,
      acceptsFrom: ['migrate'],
      configFiles: [{ config: 'app', key: 'a.conf', path: '/etc/a.conf' }],
    },
  ],
  tasks: [
    {
      name: 'migrate',
      image: 'db:1',
      command: [command],
      env: [],
      secretEnv: [],
      mounts: [],
      resources: { requests: {}, limits: {} },
      retries: 1,
      description: 'migrates',
    },
  ],
  volumes: [],
  secrets: [],
});
const spec = renderSwarmStack(model('one', 'up'), { stack: 's' });
const config = (ID: string, Name: string, file?: string): LiveConfig => ({
  ID,
  Version: { Index: 1 },
  Spec: { Name, Labels: { ...managed, ...(file ? { 'homeport.dev/config': file } : {}) } },
});

describe('Swarm stack objects against the live ones', () => {
  it('creates the missing networks, keeps the live ones and prunes the stack networks no longer rendered', () => {
    const live: LiveNetwork[] = [
      { Id: 'n1', Name: 's_default', Labels: managed },
      { Id: 'n2', Name: 's_old-to-db', Labels: managed },
      { Id: 'n3', Name: 'someone-elses', Labels: {} },
    ];
    const ids = new Map<string, string>();
    const r = networkSteps(spec, live, ids);
    expect(r.steps.map((x) => [x.name, x.action])).toEqual([
      ['s_default', 'unchanged'],
      ['s_migrate-to-db', 'create'],
    ]);
    expect(r.prune.map((x) => x.name)).toEqual(['s_old-to-db']);
    expect(ids).toEqual(new Map([['s_default', 'n1']]));
  });

  it('supersedes the older config of a file and prunes configs of files no longer rendered', () => {
    const name = spec.configs[0]?.Name as string;
    const ids = new Map<string, string>();
    const r = configSteps(
      spec,
      [
        config('c0', 's_app_a.conf_00000000', 'app/a.conf'),
        config('c1', name, 'app/a.conf'),
        config('c2', 's_gone', 'gone/x'),
      ],
      ids,
    );
    expect(r.steps).toEqual([{ kind: 'Config', name, action: 'unchanged', changedFields: [], id: 'c1' }]);
    expect(r.superseded.map((x) => x.name)).toEqual(['s_app_a.conf_00000000']);
    expect(r.prune.map((x) => x.name)).toEqual(['s_gone']);
  });

  it('supersedes the services of an earlier spec of a job', () => {
    const next = renderSwarmStack(model('one', 'down'), { stack: 's' });
    const old = spec.services.find((x) => x.Labels['homeport.dev/job'] === 'migrate');
    const live = [{ ID: 'j1', Version: { Index: 1 }, Spec: old }] as LiveService[];
    expect(oldJobServices(next, live).superseded.map((x) => x.id)).toEqual(['j1']);
    expect(oldJobServices(spec, live).superseded).toEqual([]);
    // A job no longer in the model is pruned like any service.
    expect(oldJobServices({ ...next, services: [] }, live).prune.map((x) => x.id)).toEqual(['j1']);
  });

  it('puts live network and config IDs into a service', () => {
    const db = spec.services.find((x) => x.Name === 's_db');
    const out = withLiveIds(db!, new Map([['s_migrate-to-db', 'n9']]), new Map([[spec.configs[0]!.Name, 'c9']]));
    expect(out.TaskTemplate.Networks).toEqual([{ Target: 'n9', Aliases: ['db'] }]);
    expect(out.TaskTemplate.ContainerSpec.Configs?.[0]).toMatchObject({
      ConfigID: 'c9',
      File: { Name: '/etc/a.conf' },
    });
  });
});
