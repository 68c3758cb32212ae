/**
 * The radarr-mvp stack as its code runs it (facts and sources in radarr-upstream.ts):
 *
 * - `radarr`: one HTTP port, 7878, probed on /health (the program serves no /ready; migrations run
 *   before it listens, so the startup probe gives them time). Every setting is an environment
 *   variable; DATABASE_URL is assembled at deploy time from the generated database password (a
 *   secret template), RADARR_API_KEY is generated, TMDB_API_KEY comes from the user's own Secret.
 * - /downloads and /movies are writable NFS directories (two places; the import hard-links and
 *   falls back to copying across file systems, hardlink_manager.rs:149-163).
 * - `postgres`: PostgreSQL (the owners' plan uses postgres:16-alpine), user and database `radarr`.
 * - Egress as the owners' plan has it: the app reaches postgres:5432 and the outside world on 443
 *   (TMDB, indexers) and 80; Kubernetes renders NetworkPolicy egress, Swarm separates networks.
 * - No Prometheus scrape: /metrics needs the API key in X-Api-Key (middleware.rs:99), which a
 *   ServiceMonitor or scrape annotation cannot send.
 * - Anyone may connect to radarr (the ingress controller, Revenge from its own namespace).
 */
import { POSTGRES_PORT, postgresComponent } from './postgres-component';
import { envFromFilesCommand } from './env-files';
import { defineStack, type Component, type SecretSpec, type SharedVolume, type StackModel } from './model';
import { postgresBackupJob } from './postgres-backup-job';
import { radarrValuesSchema, type RadarrValues } from './radarr';
import { radarrBackup } from './radarr-backup';
import { radarrSignals } from './radarr-signals';
import { RADARR_PORT, radarrApp, radarrContracts } from './radarr-upstream';
import { postgresImage } from './revenge-upstream';

/** Generated on the first deploy and kept: the database password and the API key; DATABASE_URL from them. */
export const RADARR_SECRET = 'radarr-secrets';
/** The key of the user's TMDB Secret (tmdb.apiKeySecret). */
export const TMDB_KEY = 'tmdb-api-key';
const DATABASE_PASSWORD = { secret: RADARR_SECRET, key: 'database-password' };
export const BACKUP_VOLUME = 'backups';
/** Where radarr's credentials are mounted as single files. */
export const SECRETS_DIR = '/run/radarr-mvp';

type Place = { server?: string; path?: string; nas?: { host: string; export: string } };

function resolved(what: string, p: Place): { server: string; path: string } {
  if (p.server === undefined || p.path === undefined) {
    throw new Error(
      `${what}.nas: the export '${p.nas?.export ?? ''}' on NAS host '${p.nas?.host ?? ''}' is not resolved; ` +
        'Homeport resolves it at deploy time (electron/core/references)',
    );
  }
  return { server: p.server, path: p.path };
}

function secrets(values: RadarrValues): SecretSpec[] {
  const tmdb = values.tmdb.apiKeySecret;
  return [
    {
      name: RADARR_SECRET,
      keys: [
        { key: 'database-password', generated: true },
        // RADARR_API_KEY: at least 8 characters, not the default (src/config/mod.rs:357-380).
        { key: 'api-key', generated: true },
        {
          key: 'database-url',
          generated: false,
          template: `postgresql://radarr:{{${RADARR_SECRET}/database-password}}@postgres:${POSTGRES_PORT}/radarr`,
        },
        // The user's TMDB key, copied at deploy time from their own Secret (never into values).
        ...(tmdb !== undefined ? [{ key: TMDB_KEY, generated: false, template: `{{${tmdb}/${TMDB_KEY}}}` }] : []),
      ],
    },
  ];
}

function app(values: RadarrValues, imageRef: string): Component {
  const health = { type: 'http' as const, path: '/health', port: RADARR_PORT };
  const scale = values.app.autoscale;
  const replicas = scale.enabled ? scale.min : values.app.replicas;
  // The owners' plan (seed 003 hpa.yaml): scale-up/down windows and policies.
  const behavior = {
    scaleUp: {
      stabilizationWindowSeconds: 60,
      policies: [{ type: 'Percent' as const, value: 100, periodSeconds: 15 }],
    },
    scaleDown: {
      stabilizationWindowSeconds: 300,
      policies: [{ type: 'Percent' as const, value: 50, periodSeconds: 60 }],
    },
  };
  const tmdb = values.tmdb.apiKeySecret;
  const secretFiles = [
    { name: 'DATABASE_URL', secret: RADARR_SECRET, key: 'database-url' },
    { name: 'RADARR_API_KEY', secret: RADARR_SECRET, key: 'api-key' },
    ...(tmdb !== undefined ? [{ name: 'TMDB_API_KEY', secret: RADARR_SECRET, key: TMDB_KEY }] : []),
  ].map((s) => ({ ...s, path: `${SECRETS_DIR}/${s.key}` }));
  return {
    name: 'radarr',
    image: imageRef,
    tools: radarrApp.tools,
    // radarr-mvp reads its settings only from the environment (src/config/mod.rs:223), never from
    // NAME_FILE or a config file. Its credentials are mounted as files on both targets (Swarm
    // puts secrets nowhere else) and the start wrapper reads NAME_FILE into NAME, then runs it.
    command: envFromFilesCommand(
      secretFiles.map((f) => f.name),
      [radarrApp.program?.name ?? 'radarr-mvp'],
    ),
    files: secretFiles.map((f) => ({ secret: f.secret, key: f.key, path: f.path })),
    ports: [{ name: 'http', port: RADARR_PORT }],
    identityEnv: [],
    secretEnv: [],
    env: [
      ...secretFiles.map((f) => ({ name: `${f.name}_FILE`, value: f.path })),
      { name: 'RADARR_PORT', value: String(RADARR_PORT) },
      { name: 'RUST_LOG', value: values.app.logLevel },
    ],
    // Imports read /downloads (workflow.rs:522) and write the library under /movies (v3_movies.rs:391).
    mounts: [
      ...(values.downloads.enabled ? [{ volume: 'downloads', mountPath: '/downloads', readOnly: false }] : []),
      ...(values.movies.enabled ? [{ volume: 'movies', mountPath: '/movies', readOnly: false }] : []),
    ],
    stateful: false,
    // The image is the user's own build: its user is not known, so only privileges are dropped.
    security: {},
    probes: {
      liveness: { check: health, periodSeconds: 10, failureThreshold: 3 },
      readiness: { check: health, periodSeconds: 5, failureThreshold: 3 },
      // Migrations run before the server listens (main.rs:147): give them five minutes.
      startup: { check: health, periodSeconds: 5, failureThreshold: 60 },
    },
    replicas,
    autoscale: scale.enabled
      ? { min: scale.min, max: scale.max, cpuPercent: scale.cpuPercent, memoryPercent: scale.memoryPercent, behavior }
      : undefined,
    // The owners' plan (seed 003 deployment.yaml); memory autoscaling needs the memory request.
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
    disruptionBudget: replicas >= 2 ? { minAvailable: 1 } : undefined,
    connectsTo: [
      { component: 'postgres', ports: [POSTGRES_PORT] },
      // TMDB and HDBits over HTTPS, and plain HTTP indexers (seed 003 network-policy.yaml).
      { external: true, ports: [443, 80] },
    ],
    stopGracePeriodSeconds: 30,
  };
}

function postgres(values: RadarrValues, clients: string[]): Component {
  return postgresComponent({
    image: values.postgres.image,
    user: 'radarr',
    database: 'radarr',
    password: DATABASE_PASSWORD,
    storage: values.postgres.storage,
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    acceptsFrom: ['radarr', ...clients],
  });
}

function nfsVolume(name: string, place: { server: string; path: string }, size: string): SharedVolume {
  return { name, type: 'nfs', server: place.server, path: place.path, readOnly: false, size };
}

export function buildRadarr(values: RadarrValues): StackModel {
  const imageRef = values.app.image;
  if (imageRef === undefined) throw new Error('app.image: radarr-mvp publishes no image; give your own');
  const downloads = values.downloads.enabled ? resolved('downloads', values.downloads) : undefined;
  const movies = values.movies.enabled ? resolved('movies', values.movies) : undefined;
  const b = values.backup.inCluster;
  const db = radarrBackup.databases[0];
  const place = b.enabled && db ? resolved('backup.inCluster.nfs', b.nfs) : undefined;
  const job =
    place && db
      ? postgresBackupJob(db, {
          image: values.postgres.image,
          schedule: b.schedule,
          keep: b.keep,
          volume: BACKUP_VOLUME,
          place: `NFS ${place.server}:${place.path}`,
          password: DATABASE_PASSWORD,
          port: POSTGRES_PORT,
          user: postgresImage.user && { uid: postgresImage.user.uid, gid: postgresImage.user.gid },
        })
      : undefined;
  const publish = values.swarm.publish.http;
  return {
    components: [app(values, imageRef), postgres(values, job ? [job.name] : [])],
    ...(job ? { jobs: [job] } : {}),
    volumes: [
      ...(downloads ? [nfsVolume('downloads', downloads, values.downloads.size)] : []),
      ...(movies ? [nfsVolume('movies', movies, values.movies.size)] : []),
      // Nominal: an NFS volume is as large as its export.
      ...(place ? [nfsVolume(BACKUP_VOLUME, place, '100Gi')] : []),
    ],
    secrets: secrets(values),
    ingress: values.ingress.enabled
      ? {
          host: values.ingress.host,
          className: values.ingress.className,
          routes: [{ path: '/', component: 'radarr', port: RADARR_PORT }],
        }
      : undefined,
    published: publish !== null ? [{ component: 'radarr', port: RADARR_PORT, publishedPort: publish }] : [],
  };
}

export const radarrMvp = defineStack({
  name: 'radarr-mvp',
  title: 'radarr-mvp',
  description:
    'radarr-mvp movie manager (Rust) with PostgreSQL, downloads and movies on NFS; bring your own image, ' +
    'the project publishes none.',
  schema: radarrValuesSchema,
  build: buildRadarr,
  contracts: radarrContracts,
  signals: radarrSignals,
  backup: radarrBackup,
  needs: {
    nasExport: 'optional',
    s3Profile: 'no',
    images: [{ component: 'radarr' }, { component: 'postgres', reference: 'postgres:16-alpine' }],
  },
});
