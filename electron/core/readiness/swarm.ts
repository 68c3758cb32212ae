/**
 * The readiness scorecard of a stack deployed to Docker Swarm: the checks that apply to Swarm
 * services (replicas, health checks and their tasks, secrets as files, update rollback, NFS media,
 * the database volume, metrics labels); the others are unknown with the reason.
 */
import type { ReadinessCheck, ReadinessFix, ReadinessReport } from '@shared/readiness-schemas';
import type { DockerClient } from '../docker/client';
import { SECRETS_DIR, SWARM_COMPONENT_LABEL, SWARM_STACK_LABEL } from '../stacks/swarm';
import { engineApi, type LiveService, type LiveTask } from '../swarm/engine-api';
import { replicasFix, STOP_TIMEOUT_SECONDS } from './checks';
import { buildReport, SECRET_NAME } from './score';

export interface SwarmReadinessDeps {
  openClient(endpoint: string): Promise<DockerClient>;
  /** The values of the stack's current revision, for fixes that fit them. */
  values?: (ref: { endpoint: string; stack: string }) => Promise<unknown>;
  now?: () => Date;
}

type Draft = Pick<ReadinessCheck, 'id' | 'title' | 'category' | 'weight'>;
const SECOND = 1_000_000_000;
const REAPPLY: ReadinessFix = { label: 'Re-deploy the stack', values: {} };

function make(
  d: Draft,
  verdict: ReadinessCheck['verdict'],
  summary: string,
  evidence: ReadinessCheck['evidence'],
  remediation = '',
  fix?: ReadinessFix,
): ReadinessCheck {
  return { ...d, verdict, summary, evidence, remediation, ...(fix && verdict !== 'pass' ? { fix } : {}) };
}

const unknown = (d: Draft, why: string, remediation = ''): ReadinessCheck =>
  make(d, 'unknown', why, [{ value: 'not observable on Docker Swarm' }], remediation);

const componentOf = (s: LiveService) => s.Spec.Labels?.[SWARM_COMPONENT_LABEL] ?? s.Spec.Name;
const envMap = (s: LiveService) =>
  new Map(
    (s.Spec.TaskTemplate.ContainerSpec.Env ?? []).map((e) => {
      const i = e.indexOf('=');
      return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)];
    }),
  );
const obj = (s: LiveService) => `Service ${s.Spec.Name}`;

export function swarmChecks(
  services: LiveService[],
  tasks: LiveTask[],
  configNames: string[],
  values: unknown,
): ReadinessCheck[] {
  const api = services.find((s) => componentOf(s) === 'api');
  const checks: ReadinessCheck[] = [];
  const noApi = (d: Draft) =>
    make(
      d,
      'fail',
      'The stack has no API service',
      [{ object: 'Service api', value: 'not found' }],
      'Deploy the stack.',
    );
  const apiEnv = api ? envMap(api) : new Map<string, string>();
  const running = (s: LiveService) =>
    tasks.filter((t) => t.ServiceID === s.ID && t.Status.State === 'running' && t.DesiredState === 'running').length;

  // state
  {
    const d: Draft = {
      id: 'state.sessions-cache',
      title: 'Sessions and cache are externalized',
      category: 'state',
      weight: 5,
    };
    if (!api) checks.push(noApi(d));
    else {
      const names = new Set(services.map(componentOf));
      const problems: string[] = [];
      const evidence = ['REVENGE_CACHE_URL', 'REVENGE_DATABASE_URL'].map((name) => {
        let host: string | undefined;
        try {
          host = new URL(apiEnv.get(name) ?? '').hostname;
        } catch {
          host = undefined;
        }
        if (!host || !names.has(host)) problems.push(`${name} does not point to a service of the stack`);
        return { object: obj(api), field: `Env ${name}`, value: `host ${host ?? 'not set'}` };
      });
      checks.push(
        problems.length === 0
          ? make(d, 'pass', 'Sessions live in PostgreSQL and the cache in a shared service', evidence)
          : make(d, 'fail', problems.join('; '), evidence, 'Point both URLs at the stack services.', REAPPLY),
      );
    }
  }
  {
    const d: Draft = { id: 'state.avatars-s3', title: 'Avatars are stored on S3', category: 'state', weight: 4 };
    if (!api) checks.push(noApi(d));
    else {
      const backend = apiEnv.get('REVENGE_STORAGE_BACKEND');
      const endpoint = apiEnv.get('REVENGE_STORAGE_S3_ENDPOINT');
      const evidence = [
        { object: obj(api), field: 'Env REVENGE_STORAGE_BACKEND', value: backend ?? 'not set' },
        { object: obj(api), field: 'Env REVENGE_STORAGE_S3_ENDPOINT', value: endpoint ?? 'not set' },
      ];
      checks.push(
        backend === 's3' && endpoint
          ? make(d, 'pass', `Avatars go to S3 at ${endpoint}`, evidence)
          : make(d, 'fail', 'Avatars are not stored on S3', evidence, 'Store avatars on S3.', {
              label: 'Store avatars on the bundled object store',
              values: { objectStore: { mode: 'bundled' } },
            }),
      );
    }
  }
  checks.push(
    unknown(
      { id: 'state.leader-election', title: 'Periodic jobs run on one leader', category: 'state', weight: 4 },
      'Docker Swarm has no Lease objects: who runs the periodic jobs cannot be seen from the engine API',
    ),
  );

  // configuration
  {
    const d: Draft = {
      id: 'configuration.env',
      title: 'Configuration comes from the environment',
      category: 'configuration',
      weight: 3,
    };
    const n = [...apiEnv.keys()].filter((k) => k.startsWith('REVENGE_')).length;
    checks.push(
      !api
        ? noApi(d)
        : n > 0
          ? make(d, 'pass', `The API is configured by ${n} REVENGE_* variables`, [
              { object: obj(api), field: 'Env', value: `${n} REVENGE_* variables` },
            ])
          : make(d, 'fail', 'The API gets no REVENGE_* settings', [{ object: obj(api), field: 'Env', value: '0' }]),
    );
  }
  {
    const d: Draft = {
      id: 'configuration.secret-env',
      title: 'Secrets are files, not env literals',
      category: 'configuration',
      weight: 5,
    };
    const literal: ReadinessCheck['evidence'] = [];
    let files = 0;
    for (const s of services) {
      files += s.Spec.TaskTemplate.ContainerSpec.Secrets?.length ?? 0;
      for (const [name, value] of envMap(s)) {
        const isFileRef = name.endsWith('_FILE') && value.startsWith(`${SECRETS_DIR}/`);
        if (SECRET_NAME.test(name) && value !== '' && !isFileRef) {
          literal.push({ object: obj(s), field: `Env ${name}`, value: `${name} has a literal value` });
        }
      }
    }
    checks.push(
      literal.length > 0
        ? make(
            d,
            'fail',
            `Secret-looking variables with literal values: ${literal.map((e) => e.field?.slice(4)).join(', ')}`,
            literal,
            'Put these values in Swarm secrets (files under /run/secrets) and pass NAME_FILE instead.',
            REAPPLY,
          )
        : make(d, 'pass', `${files} secret files; no literal credentials in the environment`, [
            { field: 'TaskTemplate.ContainerSpec.Secrets', value: `${files} secret files` },
          ]),
    );
  }
  {
    const d: Draft = {
      id: 'configuration.configmaps',
      title: 'No plain credentials in configs',
      category: 'configuration',
      weight: 3,
    };
    const bad = configNames.filter((n) => SECRET_NAME.test(n));
    checks.push(
      bad.length > 0
        ? make(
            d,
            'fail',
            `Configs that look like credentials: ${bad.join(', ')}`,
            bad.map((n) => ({ object: `Config ${n}`, value: 'credential-looking name' })),
            'Move credentials from Swarm configs into Swarm secrets.',
          )
        : make(d, 'pass', `${configNames.length} configs, none named like a credential`, [
            { object: 'Configs', value: configNames.join(', ') || 'none' },
          ]),
    );
  }

  // discovery
  {
    const d: Draft = {
      id: 'discovery.services',
      title: 'Every component answers on its service name',
      category: 'discovery',
      weight: 5,
    };
    const evidence = services.map((s) => ({
      object: obj(s),
      field: 'running tasks / network aliases',
      value: `${running(s)} / ${(s.Spec.TaskTemplate.Networks ?? []).flatMap((n) => n.Aliases ?? []).join(', ') || 'none'}`,
    }));
    const dead = services.filter((s) => running(s) === 0);
    checks.push(
      dead.length > 0
        ? make(d, 'fail', `No running task behind ${dead.map(obj).join(', ')}`, evidence, 'Look at the tasks.')
        : make(d, 'pass', `${services.length} services with running tasks`, evidence),
    );
  }
  checks.push(
    unknown(
      { id: 'discovery.selectors', title: 'Services select the right pods', category: 'discovery', weight: 3 },
      'Not applicable on Docker Swarm: services route to their own tasks by name, there are no selectors',
    ),
  );

  // distributed
  {
    const d: Draft = {
      id: 'distributed.probes',
      title: 'Health checks on every service',
      category: 'distributed',
      weight: 5,
    };
    const missing = services.filter((s) => {
      const test = s.Spec.TaskTemplate.ContainerSpec.Healthcheck?.Test ?? [];
      return test.length === 0 || test[0] === 'NONE';
    });
    checks.push(
      missing.length > 0
        ? make(
            d,
            'fail',
            `No health check: ${missing.map(obj).join(', ')}`,
            missing.map((s) => ({ object: obj(s), field: 'TaskTemplate.ContainerSpec.Healthcheck', value: 'missing' })),
            'Re-deploying the stack restores the health checks Homeport renders from the probes.',
            REAPPLY,
          )
        : make(d, 'pass', `All ${services.length} services have health checks`, [
            { field: 'TaskTemplate.ContainerSpec.Healthcheck', value: `present on ${services.length} services` },
          ]),
    );
  }
  {
    const d: Draft = {
      id: 'distributed.probes-passing',
      title: 'Tasks pass their health checks',
      category: 'distributed',
      weight: 4,
    };
    const evidence = services.map((s) => ({
      object: obj(s),
      field: 'running / desired tasks',
      value: `${running(s)}/${s.Spec.Mode?.Replicated?.Replicas ?? 0}`,
    }));
    const short = services.filter((s) => running(s) < (s.Spec.Mode?.Replicated?.Replicas ?? 0));
    checks.push(
      short.length === 0
        ? make(d, 'pass', 'Every service runs its desired tasks (unhealthy tasks are replaced by Swarm)', evidence)
        : make(
            d,
            short.some((s) => running(s) === 0) ? 'fail' : 'warn',
            `Short of tasks: ${short.map(obj).join(', ')}`,
            evidence,
            'Look at the failed tasks of these services.',
          ),
    );
  }
  {
    const d: Draft = {
      id: 'distributed.graceful-shutdown',
      title: 'Graceful shutdown has time to finish',
      category: 'distributed',
      weight: 2,
    };
    if (!api) checks.push(noApi(d));
    else {
      const grace = (api.Spec.TaskTemplate.ContainerSpec.StopGracePeriod ?? 10 * SECOND) / SECOND;
      const need = STOP_TIMEOUT_SECONDS.api ?? 30;
      const evidence = [
        { object: obj(api), field: 'TaskTemplate.ContainerSpec.StopGracePeriod', value: `${grace}s; needs ${need}s` },
      ];
      checks.push(
        grace >= need
          ? make(d, 'pass', "The stop grace period covers the API's stop timeout", evidence)
          : make(d, 'fail', `The API gets ${grace}s to stop, needs ${need}s`, evidence, 'Re-deploy.', REAPPLY),
      );
    }
  }
  {
    const d: Draft = {
      id: 'distributed.replicas',
      title: 'More than one API replica',
      category: 'distributed',
      weight: 5,
    };
    if (!api) checks.push(noApi(d));
    else {
      const n = api.Spec.Mode?.Replicated?.Replicas ?? 0;
      const evidence = [{ object: obj(api), field: 'Mode.Replicated.Replicas', value: String(n) }];
      checks.push(
        n >= 2
          ? make(d, 'pass', `The API runs ${n} replicas`, evidence)
          : make(
              d,
              'fail',
              `The API runs ${n} replica`,
              evidence,
              'Run at least two API replicas.',
              replicasFix(values),
            ),
      );
    }
  }
  {
    const d: Draft = {
      id: 'distributed.update-rollback',
      title: 'Failed updates roll back',
      category: 'distributed',
      weight: 3,
    };
    const bad = services.filter((s) => s.Spec.UpdateConfig?.FailureAction !== 'rollback');
    const evidence = services.map((s) => ({
      object: obj(s),
      field: 'UpdateConfig.FailureAction',
      value: s.Spec.UpdateConfig?.FailureAction ?? 'unset (pause)',
    }));
    checks.push(
      bad.length === 0
        ? make(d, 'pass', 'Every service rolls back a failed update', evidence)
        : make(d, 'fail', `No automatic rollback: ${bad.map(obj).join(', ')}`, evidence, 'Re-deploy.', REAPPLY),
    );
  }
  checks.push(
    unknown(
      { id: 'distributed.request-id', title: 'X-Request-ID is echoed', category: 'distributed', weight: 2 },
      'Not observed: it needs an HTTP request to the API, which the Docker engine API cannot make',
    ),
  );

  // observability
  {
    const d: Draft = {
      id: 'observability.metrics-labels',
      title: 'The API is labelled for Prometheus',
      category: 'observability',
      weight: 3,
    };
    if (!api) checks.push(noApi(d));
    else {
      const labels = { ...api.Spec.Labels, ...api.Spec.TaskTemplate.ContainerSpec.Labels };
      const scrape = labels['prometheus.io/scrape'];
      const evidence = [
        { object: obj(api), field: 'Labels[prometheus.io/scrape]', value: scrape ?? 'not set' },
        {
          object: obj(api),
          field: 'TaskTemplate.Networks',
          value: (api.Spec.TaskTemplate.Networks ?? []).map((n) => n.Target).join(', ') || 'none',
        },
      ];
      checks.push(
        scrape === 'true'
          ? make(d, 'pass', 'Prometheus can find the API through its labels', evidence)
          : make(
              d,
              'warn',
              'The API serves /metrics on port 8096 but carries no prometheus.io labels for dockerswarm_sd',
              evidence,
              'Add prometheus.io/scrape=true, prometheus.io/port=8096 and prometheus.io/path=/metrics labels to the API service, or scrape the tasks with a static job on the stack network.',
            ),
      );
    }
  }
  checks.push(
    unknown(
      { id: 'observability.prometheus-up', title: 'Prometheus scrapes the API', category: 'observability', weight: 3 },
      'Prometheus was not found for this Swarm endpoint',
    ),
  );

  // storage
  {
    const d: Draft = {
      id: 'storage.database',
      title: 'The database is on a volume',
      category: 'storage',
      weight: 5,
    };
    const pg = services.find((s) => componentOf(s) === 'postgres');
    const mount = pg?.Spec.TaskTemplate.ContainerSpec.Mounts?.find((m) => m.Target.startsWith('/var/lib/postgresql'));
    checks.push(
      !pg
        ? make(d, 'fail', 'No postgres service', [{ object: 'Service postgres', value: 'not found' }])
        : mount?.Type === 'volume'
          ? make(d, 'pass', `PostgreSQL keeps its data on the volume ${mount.Source}`, [
              { object: obj(pg), field: `Mounts[${mount.Target}]`, value: `volume ${mount.Source}` },
            ])
          : make(
              d,
              'fail',
              'PostgreSQL keeps its data in the container',
              [{ object: obj(pg), field: 'Mounts', value: 'no data volume' }],
              'Re-deploy.',
              REAPPLY,
            ),
    );
  }
  {
    const d: Draft = { id: 'storage.media', title: 'Media is on shared NFS storage', category: 'storage', weight: 4 };
    if (!api) checks.push(noApi(d));
    else {
      const m = api.Spec.TaskTemplate.ContainerSpec.Mounts?.find((x) => x.Target === '/media');
      const opts = m?.VolumeOptions?.DriverConfig?.Options ?? {};
      const evidence = [
        {
          object: obj(api),
          field: 'Mounts[/media]',
          value: m
            ? `${m.Source} type=${opts.type ?? '?'} ${opts.device ?? ''}${m.ReadOnly ? ' (read-only)' : ''}`
            : 'none',
        },
      ];
      checks.push(
        !m
          ? make(d, 'warn', 'The API mounts no shared media library', evidence, 'Enable nfs in the values.')
          : opts.type === 'nfs' && m.ReadOnly
            ? make(d, 'pass', `Media from NFS ${opts.o ?? ''} ${opts.device ?? ''}, read-only`, evidence)
            : make(d, 'fail', 'The media volume is not a read-only NFS volume', evidence, 'Mount media from NFS.'),
      );
    }
  }
  checks.push(
    unknown(
      { id: 'storage.backup', title: 'A recent database backup exists', category: 'storage', weight: 3 },
      'No backups are known for this stack: Homeport does not take backups of it yet',
    ),
  );
  return checks;
}

/** The readiness report of a stack on a Swarm endpoint. */
export async function reportSwarm(
  ref: { endpoint: string; stack: string },
  deps: SwarmReadinessDeps,
): Promise<ReadinessReport> {
  const client = await deps.openClient(ref.endpoint);
  try {
    const api = engineApi(client);
    const selector = `${SWARM_STACK_LABEL}=${ref.stack}`;
    const services = (await api.services(selector)).sort((a, b) => a.Spec.Name.localeCompare(b.Spec.Name));
    const [tasks, configs, values] = await Promise.all([
      api.tasks(services.map((s) => s.Spec.Name)),
      api.configs(selector).catch(() => []),
      deps.values?.(ref).catch(() => undefined),
    ]);
    const checks = swarmChecks(
      services,
      tasks,
      configs.map((c) => c.Spec.Name),
      values,
    );
    return buildReport(ref.stack, `swarm endpoint ${ref.endpoint}`, (deps.now ?? (() => new Date()))(), checks);
  } finally {
    client.close();
  }
}
