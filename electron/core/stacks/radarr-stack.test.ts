// The radarr-mvp stack: its values, its model, and its Kubernetes objects reviewed key by key.
import { describe, expect, it } from 'vitest';
import { createStackCatalog } from './catalog';
import { envFromFilesCommand, programInputs } from './env-files';
import { DUMP_SCRIPT } from './postgres-backup-job';
import { buildRadarr } from './radarr-stack';
import { radarrValuesSchema } from './radarr';
import { validateKubeObjects } from './testing/kube-schema';
import { TEMPLATES_ANNOTATION, type KubeObject } from './types';

const catalog = createStackCatalog();
const IMAGE = 'registry.lan/radarr-mvp:0.1';
const FULL = {
  app: { image: IMAGE, autoscale: { enabled: true } },
  tmdb: { apiKeySecret: 'tmdb' },
  downloads: { server: '10.0.0.5', path: '/srv/downloads' },
  movies: { server: '10.0.0.5', path: '/srv/movies' },
  ingress: { enabled: true, host: 'radarr.home.lan' },
  backup: { inCluster: { enabled: true, nfs: { server: '10.0.0.5', path: '/srv/backups' } } },
};

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered objects are plain JSON read key by key */
const objects = (values: unknown = FULL): KubeObject[] =>
  catalog.renderKubernetes('radarr-mvp', values, { namespace: 'radarr' }).objects;
const find = (objs: KubeObject[], kind: string, name: string): any => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} in ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
};
const container = (o: any): any => o.spec.template.spec.containers[0];

describe('radarr-mvp values', () => {
  it('needs an image: {} fails on app.image, naming how to get one', () => {
    const result = catalog.validate('radarr-mvp', {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([{ path: 'app.image', message: expect.stringMatching(/publishes no image.*build/) }]);
    expect(catalog.validate('radarr-mvp', { app: { image: IMAGE } }).ok).toBe(true);
  });

  it('takes the autoscaling numbers and the backup schedule of the owners plan', () => {
    const v = radarrValuesSchema.parse({ app: { image: IMAGE } });
    expect(v.app.autoscale).toEqual({ enabled: false, min: 2, max: 10, cpuPercent: 70, memoryPercent: 80 });
    expect(v.backup.inCluster.schedule).toBe('0 2 * * *');
    expect(v.postgres.image).toBe('postgres:16-alpine');
  });

  it('refuses a backup with nowhere to go, and unresolved NAS exports at build time', () => {
    const bad = catalog.validate('radarr-mvp', { app: { image: IMAGE }, backup: { inCluster: { enabled: true } } });
    expect(bad.ok ? [] : bad.issues.map((i) => i.path)).toEqual(['backup.inCluster.nfs']);
    const values = radarrValuesSchema.parse({
      app: { image: IMAGE },
      movies: { nas: { host: 'nas', export: 'films' } },
    });
    expect(() => buildRadarr(values)).toThrow(/movies\.nas: the export 'films' on NAS host 'nas' is not resolved/);
  });
});

describe('the radarr-mvp model', () => {
  const model = buildRadarr(radarrValuesSchema.parse(FULL));
  const app = model.components.find((c) => c.name === 'radarr');

  it('autoscales on CPU and memory with the plan behaviour', () => {
    expect(app?.replicas).toBe(2);
    expect(app?.autoscale).toEqual({
      min: 2,
      max: 10,
      cpuPercent: 70,
      memoryPercent: 80,
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 60, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
        scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
      },
    });
  });

  it('connects only to its database and to the outside on 443 and 80', () => {
    expect(app?.connectsTo).toEqual([
      { component: 'postgres', ports: [5432] },
      { external: true, ports: [443, 80] },
    ]);
    // Anyone may reach radarr (the ingress controller, Revenge from its namespace); no scrape.
    expect(app?.acceptsFrom).toBeUndefined();
    expect(app?.metrics).toBeUndefined();
  });
});

describe('radarr-mvp on Kubernetes', () => {
  it('renders objects that validate strictly', () => {
    validateKubeObjects(objects());
    validateKubeObjects(objects({ app: { image: IMAGE } }));
  });

  it('gives radarr its settings from the environment, its credentials from secret files read by the wrapper', () => {
    const d = find(objects(), 'Deployment', 'radarr');
    const c = container(d);
    expect(c.image).toBe(IMAGE);
    expect(c.ports).toEqual([{ name: 'http', containerPort: 7878, protocol: 'TCP' }]);
    expect(c.command).toEqual(envFromFilesCommand(['DATABASE_URL', 'RADARR_API_KEY', 'TMDB_API_KEY'], ['radarr-mvp']));
    expect(c.args).toBeUndefined();
    expect(c.env).toEqual([
      { name: 'DATABASE_URL_FILE', value: '/run/radarr-mvp/database-url' },
      { name: 'RADARR_API_KEY_FILE', value: '/run/radarr-mvp/api-key' },
      { name: 'TMDB_API_KEY_FILE', value: '/run/radarr-mvp/tmdb-api-key' },
      { name: 'RADARR_PORT', value: '7878' },
      { name: 'RUST_LOG', value: 'info' },
    ]);
    const mounts = c.volumeMounts.filter((m: { mountPath: string }) => m.mountPath.startsWith('/run/radarr-mvp/'));
    const secretOf = (m: { name: string; subPath: string }) => {
      const v = d.spec.template.spec.volumes.find((x: { name: string }) => x.name === m.name);
      return `${v.secret.secretName}/${m.subPath}`;
    };
    expect(Object.fromEntries(mounts.map((m: any) => [m.mountPath, secretOf(m)]))).toEqual({
      '/run/radarr-mvp/database-url': 'radarr-secrets/database-url',
      '/run/radarr-mvp/api-key': 'radarr-secrets/api-key',
      '/run/radarr-mvp/tmdb-api-key': 'radarr-secrets/tmdb-api-key',
    });
    // The wrapper hands the program exactly the variables it reads (src/config/mod.rs:255, :236, :319).
    const run = programInputs(
      c.command,
      Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value])),
      {
        '/run/radarr-mvp/database-url': 'postgresql://radarr:pw@postgres:5432/radarr\n',
        '/run/radarr-mvp/api-key': 'key\n',
        '/run/radarr-mvp/tmdb-api-key': 'tmdb-key',
      },
    );
    expect(run).toEqual({
      env: {
        DATABASE_URL: 'postgresql://radarr:pw@postgres:5432/radarr',
        RADARR_API_KEY: 'key',
        TMDB_API_KEY: 'tmdb-key',
        RADARR_PORT: '7878',
        RUST_LOG: 'info',
      },
      args: [],
      wrapped: true,
    });
    // No TMDB secret named: no TMDB_API_KEY (the program runs with movie lookup off).
    const plain = container(find(objects({ app: { image: IMAGE } }), 'Deployment', 'radarr'));
    expect(plain.env.map((e: { name: string }) => e.name)).not.toContain('TMDB_API_KEY_FILE');
  });

  it('assembles DATABASE_URL from the generated password; no value is rendered', () => {
    const secret = find(objects(), 'Secret', 'radarr-secrets');
    expect(secret.data).toBeUndefined();
    expect(secret.stringData).toBeUndefined();
    expect(secret.metadata.annotations['homeport.dev/generated-keys']).toBe('database-password,api-key');
    expect(JSON.parse(secret.metadata.annotations[TEMPLATES_ANNOTATION])).toEqual({
      'database-url': 'postgresql://radarr:{{radarr-secrets/database-password}}@postgres:5432/radarr',
      // The user's own Secret, copied at deploy time: its value is in no rendered object.
      'tmdb-api-key': '{{tmdb/tmdb-api-key}}',
    });
    const pg = container(find(objects(), 'StatefulSet', 'postgres'));
    expect(pg.env).toEqual([
      { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'radarr-secrets', key: 'database-password' } } },
      { name: 'POSTGRES_USER', value: 'radarr' },
      { name: 'POSTGRES_DB', value: 'radarr' },
      { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
    ]);
  });

  it('probes /health on 7878 (the program serves no /ready)', () => {
    const c = container(find(objects(), 'Deployment', 'radarr'));
    const health = { httpGet: { path: '/health', port: 'http' } };
    expect(c.livenessProbe).toEqual({ ...health, periodSeconds: 10, failureThreshold: 3 });
    expect(c.readinessProbe).toEqual({ ...health, periodSeconds: 5, failureThreshold: 3 });
    expect(c.startupProbe).toEqual({ ...health, periodSeconds: 5, failureThreshold: 60 });
  });

  it('mounts downloads and movies writable from their NFS exports', () => {
    const objs = objects();
    const d = find(objs, 'Deployment', 'radarr');
    expect(container(d).volumeMounts.filter((m: { mountPath: string }) => !m.mountPath.startsWith('/run/'))).toEqual([
      { name: 'downloads', mountPath: '/downloads', readOnly: false },
      { name: 'movies', mountPath: '/movies', readOnly: false },
    ]);
    for (const [name, path] of [
      ['downloads', '/srv/downloads'],
      ['movies', '/srv/movies'],
    ]) {
      const claim = d.spec.template.spec.volumes.find((v: { name: string }) => v.name === name).persistentVolumeClaim;
      expect(claim).toEqual({ claimName: `radarr-mvp-${name}`, readOnly: false });
      const pvc = find(objs, 'PersistentVolumeClaim', `radarr-mvp-${name}`);
      const pv = find(objs, 'PersistentVolume', pvc.spec.volumeName);
      expect(pv.spec.nfs).toEqual({ server: '10.0.0.5', path, readOnly: false });
      expect(pv.spec.accessModes).toEqual(['ReadWriteMany']);
    }
  });

  it('dumps the database nightly into the NFS backup export', () => {
    const objs = objects();
    const cron = find(objs, 'CronJob', 'postgres-backup');
    expect(cron.spec.schedule).toBe('0 2 * * *');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const pod = cron.spec.jobTemplate.spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toBe('postgres:16-alpine');
    expect(c.command).toEqual(['sh', '-c', DUMP_SCRIPT, 'pg-backup']);
    expect(c.env).toEqual([
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'radarr-secrets', key: 'database-password' } } },
      { name: 'PGHOST', value: 'postgres' },
      { name: 'PGPORT', value: '5432' },
      { name: 'PGUSER', value: 'radarr' },
      { name: 'PGDATABASE', value: 'radarr' },
      { name: 'BACKUP_DIR', value: '/backup' },
      { name: 'BACKUP_KEEP', value: '7' },
      { name: 'BACKUP_PREFIX', value: 'radarr-mvp' },
    ]);
    expect(c.volumeMounts).toEqual([{ name: 'backups', mountPath: '/backup', readOnly: false }]);
    expect(pod.securityContext).toMatchObject({ runAsUser: 70, runAsGroup: 70 });
    const pvc = find(objs, 'PersistentVolumeClaim', pod.volumes[0].persistentVolumeClaim.claimName);
    expect(find(objs, 'PersistentVolume', pvc.spec.volumeName).spec.nfs).toEqual({
      server: '10.0.0.5',
      path: '/srv/backups',
      readOnly: false,
    });
    // Only radarr and the backup job reach the database.
    const pgPolicy = find(objs, 'NetworkPolicy', 'postgres');
    expect(pgPolicy.spec.ingress[0].from[0].podSelector.matchExpressions[0].values).toEqual([
      'postgres-backup',
      'radarr',
    ]);
  });

  it('routes the ingress host to radarr', () => {
    const ing = find(objects(), 'Ingress', 'radarr-mvp');
    expect(ing.spec.ingressClassName).toBe('nginx');
    expect(ing.spec.rules).toEqual([
      {
        host: 'radarr.home.lan',
        http: {
          paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'radarr', port: { number: 7878 } } } }],
        },
      },
    ]);
  });

  // Needs the renderer's memory targets and behaviour (model.ts Autoscale), landing separately.
  it('autoscales radarr on CPU 70% and memory 80% with the plan behaviour', () => {
    const hpa = find(objects(), 'HorizontalPodAutoscaler', 'radarr');
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.maxReplicas).toBe(10);
    const util = (name: string) => ({ type: 'Resource', resource: { name, target: { type: 'Utilization' } } });
    expect(hpa.spec.metrics).toEqual([
      { ...util('cpu'), resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { ...util('memory'), resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
    expect(hpa.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 60, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
    });
  });

  // Needs the renderer's egress rules (model.ts connectsTo), landing separately.
  it('lets radarr connect only to postgres:5432 and outside addresses on 443 and 80', () => {
    const policies = objects().filter(
      (o): o is any => o.kind === 'NetworkPolicy' && (o as any).spec.policyTypes.includes('Egress'),
    );
    const mine = policies.find((p) => p.spec.podSelector.matchLabels['app.kubernetes.io/name'] === 'radarr');
    expect(mine).toBeDefined();
    const rules: { to?: any[]; ports?: { port: number; protocol?: string }[] }[] = mine.spec.egress;
    const ports = (r: (typeof rules)[number]) => (r.ports ?? []).map((p) => p.port).sort();
    const toPostgres = rules.find((r) =>
      r.to?.some((t) => t.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'postgres'),
    );
    expect(toPostgres && ports(toPostgres)).toEqual([5432]);
    const outside = rules.find((r) => r.to?.some((t) => t.ipBlock?.cidr === '0.0.0.0/0'));
    expect(outside && ports(outside)).toEqual([443, 80].sort());
    // Every other rule is name resolution (port 53) only.
    for (const r of rules.filter((x) => x !== toPostgres && x !== outside)) {
      expect(new Set(ports(r))).toEqual(new Set([53]));
    }
  });
});

describe('radarr-mvp in the catalog', () => {
  // stackInfo parses `{}` for the defaults; a stack whose image has no default lists once it
  // tolerates that (catalog.ts stackInfo, changed separately).
  it('is listed next to Revenge', () => {
    expect(catalog.has('radarr-mvp')).toBe(true);
    expect(catalog.list().map((s) => s.name)).toEqual(expect.arrayContaining(['revenge', 'radarr-mvp']));
  });
});

describe('radarr-mvp on Docker Swarm', () => {
  const swarm = (values: unknown = FULL) => catalog.renderSwarm('radarr-mvp', values, { stack: 'radarr' });

  it('mounts the credentials as secret files the wrapper reads, and publishes 7878', () => {
    const rendered = swarm();
    const svc = rendered.services.find((s) => s.Name === 'radarr_radarr');
    const spec = svc?.TaskTemplate.ContainerSpec;
    expect(spec?.Command).toEqual(
      envFromFilesCommand(['DATABASE_URL', 'RADARR_API_KEY', 'TMDB_API_KEY'], ['radarr-mvp']),
    );
    expect(spec?.Env).toEqual([
      'DATABASE_URL_FILE=/run/radarr-mvp/database-url',
      'RADARR_API_KEY_FILE=/run/radarr-mvp/api-key',
      'TMDB_API_KEY_FILE=/run/radarr-mvp/tmdb-api-key',
      'RADARR_PORT=7878',
      'RUST_LOG=info',
    ]);
    const files = Object.fromEntries((spec?.Secrets ?? []).map((r) => [r.File.Name, r.SecretName]));
    expect(files['/run/radarr-mvp/database-url']).toMatch(/^radarr_radarr-secrets_database-url_[0-9a-f]{8}$/);
    expect(files['/run/radarr-mvp/api-key']).toBe('radarr_radarr-secrets_api-key');
    // The templates read the generated password and the user's existing TMDB secret as files of the task.
    expect(files['radarr-secrets_database-password']).toBe('radarr_radarr-secrets_database-password');
    expect(files['tmdb_tmdb-api-key']).toBe('tmdb_tmdb-api-key');
    expect(spec?.Healthcheck.Test).toEqual(['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:7878/health']);
    expect(svc?.EndpointSpec?.Ports).toEqual([
      expect.objectContaining({ TargetPort: 7878, PublishedPort: 7878, Protocol: 'tcp' }),
    ]);
  });

  it('mounts downloads and movies writable only when they are on', () => {
    const on = swarm().services.find((s) => s.Name === 'radarr_radarr')?.TaskTemplate.ContainerSpec.Mounts ?? [];
    expect(on.map((m) => [m.Target, 'ReadOnly' in m ? m.ReadOnly : undefined])).toEqual([
      ['/downloads', undefined],
      ['/movies', undefined],
    ]);
    const off = { ...FULL, downloads: { enabled: false }, movies: { enabled: false } };
    expect(swarm(off).services.find((s) => s.Name === 'radarr_radarr')?.TaskTemplate.ContainerSpec.Mounts).toEqual([]);
    expect(buildRadarr(radarrValuesSchema.parse(off)).volumes.map((v) => v.name)).toEqual(['backups']);
  });
});
