// The Swarm rendering of the model's configuration files, one-shot jobs, connection rules,
// instance identity, platform volumes, autoscaling and schedules.
import { describe, expect, it } from 'vitest';
import type { Component, OneShotJob, StackModel } from './model';
import { renderSwarmStack, type SwarmServiceSpec } from './swarm';

const http = { type: 'http' as const, path: '/ready', port: 3000 };
const component = (name: string, extra: Partial<Component> = {}): Component => ({
  name,
  image: 'example/app:1',
  ports: [{ name: 'http', port: 3000 }],
  env: [],
  secretEnv: [],
  identityEnv: [],
  mounts: [],
  stateful: false,
  probes: { liveness: { check: http }, readiness: { check: http } },
  replicas: 1,
  resources: { requests: {}, limits: {} },
  stopGracePeriodSeconds: 5,
  ...extra,
});
const job = (extra: Partial<OneShotJob> = {}): OneShotJob => ({
  name: 'migrate',
  image: 'example/app:1',
  command: ['migrate', 'up'],
  env: [{ name: 'MODE', value: 'up' }],
  secretEnv: [],
  configFiles: [{ config: 'app', key: 'app.yaml', path: '/etc/app/app.yaml' }],
  mounts: [],
  resources: { requests: {}, limits: {} },
  retries: 2,
  description: 'migrates the schema',
  ...extra,
});
const model = (over: Partial<StackModel> = {}): StackModel => ({
  configs: [{ name: 'app', files: [{ key: 'app.yaml', content: 'level: info\n' }] }],
  components: [
    component('db', { acceptsFrom: ['api', 'migrate'] }),
    component('api', {
      connectsTo: [
        { component: 'db', ports: [3000] },
        { external: true, ports: [443] },
      ],
      configFiles: [{ config: 'app', key: 'app.yaml', path: '/etc/app/app.yaml' }],
    }),
    component('web'),
  ],
  tasks: [job()],
  volumes: [],
  secrets: [],
  ...over,
});
const render = (m: StackModel = model()) => renderSwarmStack(m, { stack: 's' });
const svc = (s: ReturnType<typeof render>, name: string) =>
  s.services.find((x) => x.Name === `s_${name}` || x.Labels['homeport.dev/job'] === name) as SwarmServiceSpec;
const labels = { 'com.docker.stack.namespace': 's', 'homeport.dev/stack': 's', 'homeport.dev/managed-by': 'homeport' };

describe('Swarm rendering of the model', () => {
  it('renders one config per file, named by its content, mounted at its path', () => {
    const s = render();
    expect(s.configs).toEqual([
      {
        Name: expect.stringMatching(/^s_app_app\.yaml_[0-9a-f]{8}$/),
        Labels: { ...labels, 'homeport.dev/config': 'app/app.yaml' },
        Data: Buffer.from('level: info\n').toString('base64'),
      },
    ]);
    const name = s.configs[0]?.Name;
    expect(svc(s, 'api').TaskTemplate.ContainerSpec.Configs).toEqual([
      { ConfigName: name, File: { Name: '/etc/app/app.yaml', UID: '0', GID: '0', Mode: 0o444 } },
    ]);
    expect(svc(s, 'web').TaskTemplate.ContainerSpec.Configs).toBeUndefined();
    const changed = render(
      model({ configs: [{ name: 'app', files: [{ key: 'app.yaml', content: 'level: debug\n' }] }] }),
    );
    expect(changed.configs[0]?.Name).not.toBe(name);
    expect(changed.configs[0]?.Name).toMatch(/^s_app_app\.yaml_[0-9a-f]{8}$/);
  });

  it('renders a one-shot job as a replicated-job service named by its spec', () => {
    const s = render();
    const j = svc(s, 'migrate');
    expect(j.Name).toMatch(/^s_migrate-[0-9a-f]{8}$/);
    expect(j.Mode).toEqual({ ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
    expect(j.TaskTemplate.RestartPolicy).toEqual({ Condition: 'on-failure', Delay: 5e9, MaxAttempts: 2 });
    expect(j.TaskTemplate.ContainerSpec.Healthcheck.Test).toEqual(['NONE']);
    expect(j.UpdateConfig).toBeUndefined();
    expect(j.RollbackConfig).toBeUndefined();
    expect(j.Labels).toMatchObject({
      'homeport.dev/job': 'migrate',
      'homeport.dev/description': 'migrates the schema',
    });
    expect(j.TaskTemplate.ContainerSpec).toMatchObject({ Command: ['migrate', 'up'], Env: ['MODE=up'] });
    expect(j.TaskTemplate.ContainerSpec.Configs?.[0]?.ConfigName).toBe(s.configs[0]?.Name);
    // Same spec, same name (it does not run again); a new spec or a new config file is a new run.
    expect(svc(render(), 'migrate').Name).toBe(j.Name);
    expect(svc(render(model({ tasks: [job({ command: ['migrate', 'down'] })] })), 'migrate').Name).not.toBe(j.Name);
    const newFile = model({ configs: [{ name: 'app', files: [{ key: 'app.yaml', content: 'x' }] }] });
    expect(svc(render(newFile), 'migrate').Name).not.toBe(j.Name);
    // Without retries: no restart at all (MaxAttempts 0 would be unlimited).
    const once = svc(render(model({ tasks: [job({ retries: 0 })] })), 'migrate');
    expect(once.TaskTemplate.RestartPolicy).toEqual({ Condition: 'none', Delay: 0, MaxAttempts: 0 });
    expect(s.notes).toContain("Job 'migrate' runs once per revision of its spec, as a replicated-job service.");
  });

  it('separates networks by the connection rules', () => {
    const s = render();
    expect(s.network.Name).toBe('s_default');
    expect(s.networks).toEqual([
      { Name: 's_api-to-db', Driver: 'overlay', Attachable: true, Labels: labels },
      { Name: 's_migrate-to-db', Driver: 'overlay', Attachable: true, Labels: labels },
    ]);
    expect(svc(s, 'db').TaskTemplate.Networks).toEqual([
      { Target: 's_api-to-db', Aliases: ['db'] },
      { Target: 's_migrate-to-db', Aliases: ['db'] },
    ]);
    // api names only db: it is not on the default network, so it cannot reach web.
    expect(svc(s, 'api').TaskTemplate.Networks).toEqual([{ Target: 's_api-to-db', Aliases: [] }]);
    expect(svc(s, 'web').TaskTemplate.Networks).toEqual([{ Target: 's_default', Aliases: ['web'] }]);
    // The job may connect anywhere: the default network, and db's network for it.
    expect(svc(s, 'migrate').TaskTemplate.Networks).toEqual([
      { Target: 's_default', Aliases: [] },
      { Target: 's_migrate-to-db', Aliases: [] },
    ]);
    expect(s.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Connection rules are expressed as network separation on Swarm/),
        'External egress is not restricted on Swarm: components with connection rules can still reach addresses outside the stack.',
      ]),
    );
    // Without rules: everything on the default network, and no note about them.
    const open = render(model({ components: [component('db'), component('web')], tasks: [], configs: [] }));
    expect(open.networks).toEqual([]);
    expect(open.notes).toEqual([]);
    expect(svc(open, 'db').TaskTemplate.Networks).toEqual([{ Target: 's_default', Aliases: ['db'] }]);
  });

  it('gives both sides an alias when both may connect, and no network to a component nobody may reach', () => {
    const s = render(
      model({
        components: [
          component('a', { acceptsFrom: ['b'], connectsTo: [{ component: 'b', ports: [3000] }] }),
          component('b', { acceptsFrom: ['a'], connectsTo: [{ component: 'a', ports: [3000] }] }),
          component('alone', { acceptsFrom: [], connectsTo: [] }),
        ],
        tasks: [],
      }),
    );
    expect(s.networks?.map((n) => n.Name)).toEqual(['s_a-to-b']);
    expect(svc(s, 'a').TaskTemplate.Networks).toEqual([{ Target: 's_a-to-b', Aliases: ['a'] }]);
    expect(svc(s, 'b').TaskTemplate.Networks).toEqual([{ Target: 's_a-to-b', Aliases: ['b'] }]);
    expect(svc(s, 'alone').TaskTemplate.Networks).toEqual([]);
  });

  it('puts the instance slot and name into the environment as task templates', () => {
    const s = render(
      model({
        components: [
          component('db', {
            stateful: true,
            data: { mountPath: '/data', size: '1Gi' },
            identityEnv: [
              { name: 'SLOT', field: 'instanceSlot' },
              { name: 'POD_NAME', field: 'instanceName' },
              { name: 'POD_IP', field: 'instanceIp' },
            ],
          }),
        ],
        tasks: [],
      }),
    );
    expect(svc(s, 'db').TaskTemplate.ContainerSpec.Env).toEqual(['SLOT={{.Task.Slot}}', 'POD_NAME={{.Task.Name}}']);
  });

  it('renders a platform volume as a local named volume and a writable NFS volume without ro', () => {
    const s = render(
      model({
        components: [
          component('app', {
            mounts: [
              { volume: 'scratch', mountPath: '/scratch', readOnly: false },
              { volume: 'downloads', mountPath: '/downloads', readOnly: false },
            ],
          }),
        ],
        tasks: [],
        volumes: [
          { name: 'scratch', type: 'claim', size: '1Gi', readOnly: false },
          { name: 'downloads', type: 'nfs', server: '10.0.0.5', path: '/srv/dl', readOnly: false, size: '1Ti' },
        ],
      }),
    );
    expect(s.volumes[0]).toEqual({ Name: 's_scratch', Driver: 'local', DriverOpts: {}, Labels: labels });
    expect(s.volumes[1]).toMatchObject({
      Name: expect.stringMatching(/^s_downloads_[0-9a-f]{8}$/),
      Driver: 'local',
      DriverOpts: { type: 'nfs', o: 'addr=10.0.0.5,nfsvers=4', device: ':/srv/dl' },
    });
    const mounts = svc(s, 'app').TaskTemplate.ContainerSpec.Mounts;
    expect(mounts[0]).toEqual({
      Type: 'volume',
      Source: 's_scratch',
      Target: '/scratch',
      VolumeOptions: { Labels: labels, DriverConfig: { Name: 'local' } },
    });
    expect(mounts[1]).toMatchObject({ Source: s.volumes[1]?.Name, Target: '/downloads' });
    expect(mounts[1]).not.toHaveProperty('ReadOnly');
    expect(mounts[1]?.Type === 'volume' ? mounts[1].VolumeOptions.DriverConfig.Options?.o : '').toBe(
      'addr=10.0.0.5,nfsvers=4',
    );
  });

  it('runs the minimum of an autoscaled component and says autoscaling is not available', () => {
    const s = render(
      model({
        components: [
          component('api', {
            autoscale: {
              min: 2,
              max: 6,
              memoryPercent: 80,
              behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
            },
          }),
        ],
        tasks: [],
      }),
    );
    expect(svc(s, 'api').Mode).toEqual({ Replicated: { Replicas: 2 } });
    expect(s.notes).toEqual([
      "Autoscaling is not available on Swarm: 'api' runs its minimum of 2 (the model scales it up to 6 on memory).",
    ]);
  });

  it('labels a scheduled job with its schedule and description', () => {
    const s = render(
      model({
        components: [component('web')],
        tasks: [],
        jobs: [
          {
            name: 'backup',
            image: 'example/backup:1',
            schedule: '0 3 * * *',
            command: ['backup'],
            env: [],
            secretEnv: [],
            mounts: [],
            resources: { requests: {}, limits: {} },
            description: 'dumps the database',
          },
        ],
      }),
    );
    expect(svc(s, 'backup').Labels).toMatchObject({
      'homeport.dev/schedule': '0 3 * * *',
      'homeport.dev/description': 'dumps the database',
    });
    expect(s.notes).toContain(
      "Scheduled job 'backup' runs at '0 3 * * *' (UTC) in a service that waits for its times.",
    );
  });

  it("attaches the secrets a templated secret variable reads, next to the variable's own file", () => {
    const m = model({
      components: [
        component('app', {
          secretEnv: [{ name: 'DATABASE_URL', secret: 'app-env', key: 'database-url' }],
        }),
      ],
      tasks: [],
      configs: [],
      secrets: [
        { name: 'app-db', keys: [{ key: 'password', generated: true }] },
        {
          name: 'app-env',
          keys: [{ key: 'database-url', generated: false, template: 'postgres://app:{{app-db/password}}@db:5432/app' }],
        },
      ],
    });
    const spec = svc(render(m), 'app').TaskTemplate.ContainerSpec;
    expect(spec.Env).toContain('DATABASE_URL_FILE=/run/secrets/app-env_database-url');
    // Swarm fills the template in the task from the secrets attached to it: without app-db's, it cannot.
    expect(spec.Secrets.map((x) => x.File.Name).sort()).toEqual(['app-db_password', 'app-env_database-url']);
  });

  it('expands plain variables in arguments as the kubelet would; instance variables there make a service per instance', () => {
    const m = model({
      components: [
        component('app', {
          env: [{ name: 'PORT', value: '3000' }],
          identityEnv: [{ name: 'POD_NAME', field: 'instanceName' }],
          args: ['--port=$(PORT)', '--id=$(POD_NAME)', 'literal $$(PORT)'],
        }),
      ],
      tasks: [],
      configs: [],
    });
    expect(svc(render(m), 'app-0').TaskTemplate.ContainerSpec.Args).toEqual([
      '--port=3000',
      '--id=app-0',
      'literal $(PORT)',
    ]);
  });

  it('leaves the host name out of a per-instance service’s arguments: Swarm fills it only in the environment', () => {
    const m = model({
      components: [
        component('app', {
          identityEnv: [
            { name: 'POD_NAME', field: 'instanceName' },
            { name: 'NODE', field: 'hostName' },
          ],
          args: ['--id=$(POD_NAME)', '--node=$(NODE)'],
        }),
      ],
      tasks: [],
    });
    const app = svc(render(m), 'app-0');
    expect(app.TaskTemplate.ContainerSpec.Args).toEqual(['--id=app-0', '--node=$(NODE)']);
    expect(app.TaskTemplate.ContainerSpec.Env).toEqual(['POD_NAME=app-0', 'NODE={{.Node.Hostname}}']);
  });

  it('refuses to publish a port of a component run one service per instance', () => {
    const m = model({
      components: [component('app', { namedInstances: true, replicas: 2 })],
      tasks: [],
      published: [{ component: 'app', port: 3000, publishedPort: 18080 }],
    });
    expect(() => render(m)).toThrow(
      "stack model: 'app' runs one service per instance on Swarm, which cannot all publish port 18080; " +
        'publish a component in front of it instead',
    );
  });
});
