/**
 * The Revenge stack as its code runs it (the facts are in revenge-upstream.ts, with their sources):
 *
 * - The API is the component `revenge`: the frontend's nginx proxies /api/ and /hls/ to
 *   http://revenge:8096. It runs one replica by default: playback sessions live in one process.
 * - Settings Revenge can only read from its config file (keys with an underscore) and every
 *   credential go into /app/config/config.yaml, assembled at deploy time from generated secrets
 *   and mounted as a single file (casbin_model.conf stays visible next to it). Everything else is
 *   environment; cache and search are switched on because their components are deployed.
 * - Probes use the API's /startupz, /readyz and /healthz on 8096; Prometheus scrapes 9096/metrics.
 * - Typesense reads its key from a config file given with --config (it reads no _FILE variables).
 * - Revenge elects the leader of its periodic jobs in PostgreSQL (River's river_leader table): no
 *   Kubernetes Lease, no API access for its pods.
 */
import { POSTGRES_PORT, postgresComponent } from './postgres-component';
import { revengeBackup } from './revenge-backup';
import { defineStack, type Component, type SecretSpec, type StackModel } from './model';
import {
  dragonflyImage,
  REVENGE_API_PORT,
  REVENGE_CONFIG_PATH,
  REVENGE_METRICS_PORT,
  revengeApi,
  revengeContracts,
  revengeFrontend,
  TYPESENSE_CONFIG_PATH,
  typesenseImage,
} from './revenge-upstream';
import { revengeValuesSchema, type RevengeValues } from './revenge';
import { revengeSignals } from './revenge-signals';
import { checkBackupResolved, revengeBackupJob } from './revenge-backup-job';

/** Generated on the first deploy and kept: the database password, the JWT and encryption keys, the search key. */
export const REVENGE_SECRET = 'revenge-secrets';
/** The config files assembled from REVENGE_SECRET (and the S3 keys): config.yaml and typesense.ini. */
export const REVENGE_CONFIG_SECRET = 'revenge-config';

const FRONTEND_PORT = 3000;
const TYPESENSE_PORT = 8108;

/** Keys of the external S3 credentials Secret (an existing one, or the one Homeport provides). */
export const S3_CREDENTIAL_KEYS = ['access-key-id', 'secret-access-key'] as const;

type Resolved = RevengeValues & { objectStore: Exclude<RevengeValues['objectStore'], { mode: 'profile' }> };

/** Values still naming references (a NAS export, an S3 profile) cannot be rendered: resolve them first. */
function checkResolved(values: RevengeValues): asserts values is Resolved {
  if (values.objectStore.mode === 'profile') {
    throw new Error(
      `objectStore.profile: the S3 profile '${values.objectStore.profile}' is not resolved; ` +
        'Homeport resolves it at deploy time (electron/core/references)',
    );
  }
  const nfs = values.nfs;
  if (nfs.enabled && (nfs.server === undefined || nfs.path === undefined)) {
    throw new Error(
      `nfs.nas: the export '${nfs.nas?.export ?? ''}' on NAS host '${nfs.nas?.host ?? ''}' is not resolved; ` +
        'Homeport resolves it at deploy time (electron/core/references)',
    );
  }
  checkBackupResolved(values);
}

/** Where the API reaches the object store, how, and which secret keys it signs with. */
function objectStorage(values: Resolved) {
  const store = values.objectStore;
  if (store.mode === 'bundled') {
    const ingress = values.ingress.enabled ? `http://${values.ingress.host}` : undefined;
    return {
      endpoint: store.publicEndpoint ?? ingress ?? 'http://objectstore:9000',
      region: 'us-east-1',
      bucket: store.bucket,
      pathStyle: true,
      keys: { secret: REVENGE_SECRET, id: 's3-access-key-id', key: 's3-secret-access-key' },
    };
  }
  return {
    endpoint: store.endpoint,
    region: store.region,
    bucket: store.bucket,
    pathStyle: store.usePathStyle,
    keys: { secret: store.credentialsSecret, id: 'access-key-id', key: 'secret-access-key' },
  };
}

function secretsFor(values: Resolved): SecretSpec[] {
  const keys: SecretSpec['keys'] = [
    { key: 'database-password', generated: true },
    { key: 'jwt-secret', generated: true },
    // auth.encryption_key must be exactly 64 hex digits (config.go:277).
    { key: 'encryption-key', generated: true, format: 'hex32' },
    { key: 'search-api-key', generated: true },
  ];
  if (values.objectStore.mode === 'bundled') {
    keys.push({ key: 's3-access-key-id', generated: true }, { key: 's3-secret-access-key', generated: true });
  }
  const s3 = objectStorage(values);
  const ref = (key: string) => `{{${REVENGE_SECRET}/${key}}}`;
  const configYaml = [
    '# Written by Homeport. Revenge reads these settings only from this file (its environment loader',
    '# cannot reach keys with an underscore); everything else comes from REVENGE_* variables.',
    'database:',
    // search_path: Revenge's tables live in the shared, movie and tvshow schemas (docker-compose.prod.yml:8).
    `  url: "postgres://revenge:${ref('database-password')}@postgres:5432/revenge?sslmode=disable&search_path=public,shared,movie,tvshow"`,
    'auth:',
    `  jwt_secret: "${ref('jwt-secret')}"`,
    `  encryption_key: "${ref('encryption-key')}"`,
    'search:',
    `  api_key: "${ref('search-api-key')}"`,
    'storage:',
    '  s3:',
    `    access_key_id: "{{${s3.keys.secret}/${s3.keys.id}}}"`,
    `    secret_access_key: "{{${s3.keys.secret}/${s3.keys.key}}}"`,
    `    use_path_style: ${s3.pathStyle}`,
    // integrations.radarr.api_key has an underscore: the file is the only place Revenge reads it
    // (loader.go:139 maps REVENGE_INTEGRATIONS_RADARR_API_KEY, but Swarm sets no secret variables).
    ...(values.integrations.radarr.enabled
      ? ['integrations:', '  radarr:', `    api_key: "{{${values.integrations.radarr.apiKeySecret}/api-key}}"`]
      : []),
    '',
  ].join('\n');
  const typesenseIni = ['[server]', `api-key = ${ref('search-api-key')}`, 'data-dir = /data', ''].join('\n');
  const secrets: SecretSpec[] = [
    { name: REVENGE_SECRET, keys },
    {
      name: REVENGE_CONFIG_SECRET,
      keys: [
        { key: 'config.yaml', generated: false, template: configYaml },
        { key: 'typesense.ini', generated: false, template: typesenseIni },
      ],
    },
  ];
  const store = values.objectStore;
  if (store.mode === 'external' && store.profile !== undefined) {
    secrets.push({
      name: store.credentialsSecret,
      keys: S3_CREDENTIAL_KEYS.map((key) => ({ key, generated: false, provided: true })),
    });
  }
  return secrets;
}

/** The radarr-mvp stack's Service port (radarr-upstream.ts: src/config/mod.rs:192). */
const RADARR_PORT = 7878;

/** Revenge's Radarr settings (integrations.radarr.*, config.go:489-497; compound names, loader.go:139-140). */
function radarrEnv(values: Resolved): Component['env'] {
  const r = values.integrations.radarr;
  if (!r.enabled) return [];
  return [
    { name: 'REVENGE_INTEGRATIONS_RADARR_ENABLED', value: 'true' },
    { name: 'REVENGE_INTEGRATIONS_RADARR_BASE_URL', value: r.baseUrl ?? `http://radarr.${r.namespace}:${RADARR_PORT}` },
  ];
}

function api(values: Resolved): Component {
  const s3 = objectStorage(values);
  const scale = values.api.autoscale;
  const replicas = scale.enabled ? scale.min : values.api.replicas;
  const http = (path: string) => ({ type: 'http' as const, path, port: REVENGE_API_PORT });
  return {
    name: 'revenge',
    image: values.api.image,
    tools: revengeApi.tools,
    ports: [
      { name: 'http', port: REVENGE_API_PORT },
      { name: 'metrics', port: REVENGE_METRICS_PORT },
    ],
    identityEnv: [],
    secretEnv: [],
    env: [
      ...radarrEnv(values),
      { name: 'REVENGE_CACHE_ENABLED', value: 'true' },
      { name: 'REVENGE_CACHE_URL', value: 'redis://dragonfly:6379' },
      { name: 'REVENGE_SEARCH_ENABLED', value: 'true' },
      { name: 'REVENGE_SEARCH_URL', value: `http://typesense:${TYPESENSE_PORT}` },
      { name: 'REVENGE_LOGGING_LEVEL', value: values.logging.level },
      { name: 'REVENGE_LOGGING_FORMAT', value: values.logging.format },
      { name: 'REVENGE_STORAGE_BACKEND', value: 's3' },
      { name: 'REVENGE_STORAGE_S3_ENDPOINT', value: s3.endpoint },
      { name: 'REVENGE_STORAGE_S3_REGION', value: s3.region },
      { name: 'REVENGE_STORAGE_S3_BUCKET', value: s3.bucket },
    ],
    files: [{ secret: REVENGE_CONFIG_SECRET, key: 'config.yaml', path: REVENGE_CONFIG_PATH }],
    mounts: values.nfs.enabled ? [{ volume: 'media', mountPath: '/media', readOnly: true }] : [],
    stateful: false,
    security: {
      user: { uid: revengeApi.user?.uid ?? 1000, gid: revengeApi.user?.gid ?? 1000 },
      readOnlyRoot: { writable: revengeApi.writes ?? [] },
    },
    probes: {
      liveness: { check: http('/healthz'), periodSeconds: 10, failureThreshold: 3 },
      readiness: { check: http('/readyz'), periodSeconds: 5, failureThreshold: 3 },
      // Migrations run before the server starts: give them five minutes.
      startup: { check: http('/startupz'), periodSeconds: 5, failureThreshold: 60 },
    },
    replicas,
    autoscale: scale.enabled ? { min: scale.min, max: scale.max, cpuPercent: scale.cpuPercent } : undefined,
    stickySessions: replicas > 1 || scale.enabled,
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    disruptionBudget: replicas >= 2 ? { minAvailable: 1 } : undefined,
    metrics: { path: '/metrics', port: REVENGE_METRICS_PORT },
    stopGracePeriodSeconds: 30,
  };
}

function frontend(values: Resolved): Component {
  const health = { type: 'http' as const, path: '/health', port: FRONTEND_PORT };
  return {
    name: 'frontend',
    image: values.frontend.image,
    tools: revengeFrontend.tools,
    ports: [{ name: 'http', port: FRONTEND_PORT }],
    identityEnv: [],
    secretEnv: [],
    env: [],
    mounts: [],
    stateful: false,
    // The image runs as its own (named) nginx user; a numeric runAsUser is not known, so only privileges are dropped.
    security: {},
    probes: {
      liveness: { check: health, periodSeconds: 10 },
      readiness: { check: health, periodSeconds: 5 },
    },
    replicas: values.frontend.replicas,
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    disruptionBudget: values.frontend.replicas >= 2 ? { minAvailable: 1 } : undefined,
    stopGracePeriodSeconds: 15,
  };
}

const DATABASE_PASSWORD = { secret: REVENGE_SECRET, key: 'database-password' };

function postgres(values: Resolved, clients: string[]): Component {
  return postgresComponent({
    image: values.postgres.image,
    user: 'revenge',
    database: 'revenge',
    password: DATABASE_PASSWORD,
    storage: values.postgres.storage,
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } },
    acceptsFrom: ['revenge', ...clients],
  });
}

function dragonfly(values: Resolved): Component {
  const ping = { type: 'exec' as const, command: ['redis-cli', 'ping'] };
  return {
    name: 'dragonfly',
    image: values.dragonfly.image,
    tools: dragonflyImage.tools,
    // A fixed thread count keeps Dragonfly's per-thread memory minimum inside the memory limit on big nodes.
    args: ['--cache_mode=true', ...(dragonflyImage.requiredArgs?.args ?? []), '--logtostderr', '--proactor_threads=2'],
    ports: [{ name: 'redis', port: 6379 }],
    identityEnv: [],
    secretEnv: [],
    env: [],
    mounts: [],
    stateful: false,
    probes: {
      liveness: { check: ping, periodSeconds: 10 },
      readiness: { check: ping, periodSeconds: 5 },
    },
    replicas: 1,
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    acceptsFrom: ['revenge'],
    stopGracePeriodSeconds: 30,
  };
}

function typesense(values: Resolved): Component {
  const health = { type: 'http' as const, path: '/health', port: TYPESENSE_PORT };
  return {
    name: 'typesense',
    image: values.typesense.image,
    tools: typesenseImage.tools,
    args: [`--config=${TYPESENSE_CONFIG_PATH}`],
    ports: [{ name: 'http', port: TYPESENSE_PORT }],
    identityEnv: [],
    secretEnv: [],
    env: [],
    files: [{ secret: REVENGE_CONFIG_SECRET, key: 'typesense.ini', path: TYPESENSE_CONFIG_PATH }],
    mounts: [],
    stateful: true,
    data: {
      mountPath: '/data',
      size: values.typesense.storage.size,
      storageClass: values.typesense.storage.storageClass,
    },
    probes: {
      liveness: { check: health, periodSeconds: 10, failureThreshold: 6 },
      readiness: { check: health, periodSeconds: 5 },
      startup: { check: health, periodSeconds: 5, failureThreshold: 60 },
    },
    replicas: 1,
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    acceptsFrom: ['revenge'],
    stopGracePeriodSeconds: 30,
  };
}

function objectStore(store: Extract<RevengeValues['objectStore'], { mode: 'bundled' }>): Component {
  const tcp = { type: 'tcp' as const, port: 9000 };
  const env = Object.keys(store.env)
    .sort()
    .map((name) => ({ name, value: store.env[name] ?? '' }));
  return {
    name: 'objectstore',
    image: store.image,
    args: store.args.length > 0 ? store.args : undefined,
    ports: [{ name: 's3', port: 9000 }],
    identityEnv: [],
    secretEnv: [
      { name: store.credentialEnv.accessKey, secret: REVENGE_SECRET, key: 's3-access-key-id' },
      { name: store.credentialEnv.secretKey, secret: REVENGE_SECRET, key: 's3-secret-access-key' },
    ],
    env,
    mounts: [],
    stateful: true,
    data: { mountPath: '/data', size: store.size, storageClass: store.storageClass, ownerGroup: store.dataGroup },
    probes: {
      liveness: { check: tcp, periodSeconds: 10 },
      readiness: { check: tcp, periodSeconds: 5 },
      startup: { check: tcp, periodSeconds: 5, failureThreshold: 60 },
    },
    replicas: 1,
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    // Browsers load avatars from it too (through the ingress or a published port): no network policy.
    stopGracePeriodSeconds: 30,
  };
}

export function buildRevenge(values: RevengeValues): StackModel {
  checkResolved(values);
  const backup = revengeBackupJob(values, { password: DATABASE_PASSWORD, port: POSTGRES_PORT });
  const backupClients = backup ? [backup.job.name] : [];
  const components = [
    api(values),
    frontend(values),
    postgres(values, backupClients),
    dragonfly(values),
    typesense(values),
  ];
  const store = values.objectStore;
  if (store.mode === 'bundled') components.push(objectStore(store));
  const publish = values.swarm.publish;
  const published = [
    ...(publish.frontend !== null
      ? [{ component: 'frontend', port: FRONTEND_PORT, publishedPort: publish.frontend }]
      : []),
    ...(publish.api !== null ? [{ component: 'revenge', port: REVENGE_API_PORT, publishedPort: publish.api }] : []),
    ...(publish.objectStore !== null && store.mode === 'bundled'
      ? [{ component: 'objectstore', port: 9000, publishedPort: publish.objectStore }]
      : []),
  ];
  const routes = [
    { path: '/', component: 'frontend', port: FRONTEND_PORT },
    { path: '/api', component: 'revenge', port: REVENGE_API_PORT },
    { path: '/hls', component: 'revenge', port: REVENGE_API_PORT },
    // Path-style avatar URLs of the bundled store: <ingress host>/<bucket>/<key>.
    ...(store.mode === 'bundled' && store.publicEndpoint === undefined
      ? [{ path: `/${store.bucket}`, component: 'objectstore', port: 9000 }]
      : []),
  ];
  return {
    components,
    ...(backup ? { jobs: [backup.job] } : {}),
    volumes: [
      ...(values.nfs.enabled
        ? [
            {
              name: 'media',
              type: 'nfs' as const,
              server: values.nfs.server as string,
              path: values.nfs.path as string,
              readOnly: true,
              size: values.nfs.size,
            },
          ]
        : []),
      ...(backup ? [backup.volume] : []),
    ],
    secrets: secretsFor(values),
    ingress: values.ingress.enabled
      ? { host: values.ingress.host, routes, className: values.ingress.className }
      : undefined,
    published,
  };
}

export const revenge = defineStack({
  name: 'revenge',
  title: 'Revenge',
  description:
    'Revenge media server: API, web frontend, PostgreSQL, Dragonfly cache, Typesense search and S3 object storage, ' +
    'with media read-only from an NFS export.',
  schema: revengeValuesSchema,
  build: buildRevenge,
  contracts: revengeContracts,
  signals: revengeSignals,
  backup: revengeBackup,
});
