/**
 * The Revenge media stack: the Go API, the web frontend, PostgreSQL, Dragonfly (Redis protocol
 * cache), Typesense (search) and S3-compatible object storage for avatars, either bundled or an
 * existing external service, or a saved S3 profile. Media comes read-only from an NFS export mounted
 * at /media (optional: nfs.enabled), given as server and path or as a saved NAS host's export
 * (nfs.nas). References (nfs.nas, objectStore mode 'profile') are resolved at deploy time by
 * electron/core/references into plain values plus Homeport-provided secrets; the build refuses
 * values that still hold unresolved references. On Docker Swarm, the frontend is published on a
 * host port (swarm.publish).
 */
import { z } from 'zod';
import { bucketName, dnsName, envName, hostNameProblem, imageRef, isIPv4, k8sName, savedName } from '@shared/names';
import { defineStack, type Component, type SecretSpec, type StackModel } from './model';

/** An absolute path without whitespace, quotes or shell metacharacters. */
const SAFE_PATH = /^\/[^\s'"`;$\\&|<>]*$/;
/** A storage quantity ('10Gi', '1Ti', '500M'). */
const QUANTITY = /^[0-9]+(?:\.[0-9]+)?(?:Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

const image = (fallback: string) => imageRef.default(fallback);
const quantity = (fallback: string) =>
  z.string().regex(QUANTITY, { message: "must be a size like '10Gi' or '1Ti'" }).default(fallback);
/** A StorageClass name; left out, the cluster's default class. */
const storageClass = k8sName.optional();
const storage = (size: string) => z.strictObject({ size: quantity(size), storageClass }).prefault({});
const replicas = (fallback: number) =>
  z.number().int().min(1, { message: 'must be at least 1' }).max(100).default(fallback);
const port = z.number().int().min(1, { message: 'must be a port from 1 to 65535' }).max(65535, {
  message: 'must be a port from 1 to 65535',
});
const bucket = bucketName.default('revenge');

/**
 * A saved NAS host, export or S3 profile: the very rule the contract and the Storage screen apply
 * to the names they save, so any saved name can be referenced and nothing else can.
 */
const refName = (what: string) => savedName.describe(`Name of a saved ${what}`);

const autoscaleSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    min: z.number().int().min(1, { message: 'must be at least 1' }).default(2),
    max: z.number().int().min(1, { message: 'must be at least 1' }).max(100).default(10),
    cpuPercent: z.number().int().min(1).max(100).default(70),
  })
  .refine((a) => a.min <= a.max, { message: 'must not be above max', path: ['min'] })
  .prefault({});

const bundledObjectStore = z.strictObject({
  mode: z.literal('bundled'),
  /**
   * Any S3-compatible server image. The default is RustFS; MinIO's community edition no longer
   * publishes images, so pick the server you trust and adjust credentialEnv/env/args to it.
   */
  image: image('rustfs/rustfs:latest').describe('S3-compatible server image (MinIO no longer publishes images)'),
  /** Environment variables the server reads its root access key and secret key from. */
  credentialEnv: z
    .strictObject({
      accessKey: envName.default('RUSTFS_ACCESS_KEY'),
      secretKey: envName.default('RUSTFS_SECRET_KEY'),
    })
    .prefault({}),
  /** Extra server settings; the data volume is mounted at /data and the S3 API must listen on 9000. */
  env: z.record(envName, z.string()).default({ RUSTFS_ADDRESS: ':9000', RUSTFS_VOLUMES: '/data' }),
  args: z.array(z.string()).default([]),
  /** Group id the server runs as (it must be able to write /data). */
  dataGroup: z.number().int().min(0).default(10001),
  bucket,
  size: quantity('20Gi'),
  storageClass,
});

const externalObjectStore = z.strictObject({
  mode: z.literal('external'),
  endpoint: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL like https://s3.example.com' })
    .default('https://s3.amazonaws.com'),
  region: z.string().min(1).default('us-east-1'),
  bucket,
  usePathStyle: z.boolean().default(false),
  /**
   * An existing Secret in the namespace with the keys access-key-id and secret-access-key; with
   * `profile`, the Secret Homeport provides with those keys from its store.
   */
  credentialsSecret: k8sName
    .default('revenge-s3-credentials')
    .describe('Existing Secret with the keys access-key-id and secret-access-key'),
  /**
   * Set when Homeport resolved a saved S3 profile into these values (mode 'profile'): the keys of
   * credentialsSecret come from Homeport's encrypted store at deploy time, never from the values.
   */
  profile: refName('S3 profile').optional().describe('Saved S3 profile these settings came from (set by Homeport)'),
});

/** A saved S3 profile: endpoint, region and keys come from Homeport's store at deploy time. */
const profileObjectStore = z.strictObject({
  mode: z.literal('profile'),
  profile: refName('S3 profile').describe('Saved S3 profile (endpoint, region and keys)'),
  bucket,
});

const NFS_DEFAULTS = { server: 'nas.local', path: '/export/media' };

const nfsSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Mount the media library; turn it off to run without media (no NFS server needed)'),
    /**
     * A Homeport-managed export on a saved NAS host. Homeport resolves it at deploy time
     * (electron/core/references) into server and path, and keeps it in the values for the record.
     */
    nas: z
      .strictObject({
        host: refName('NAS host').describe('Saved NAS host'),
        export: refName('NFS export').describe('Export Homeport manages on that host'),
      })
      .optional()
      .describe('A saved NAS host and one of its exports; replaces server and path'),
    server: z
      .string()
      .refine((s) => hostNameProblem(s) === undefined || isIPv4(s), {
        message: 'must be a hostname (nas.lan) or an IPv4 address (192.168.1.10); remove spaces and symbols',
      })
      .optional()
      .describe(`NFS server holding the media (host name or IPv4 address; default ${NFS_DEFAULTS.server})`),
    path: z
      .string()
      .regex(SAFE_PATH, {
        message: "must be an absolute path like /export/media, without spaces, quotes or ';'",
      })
      .optional()
      .describe(`Exported directory with the media, mounted read-only at /media (default ${NFS_DEFAULTS.path})`),
    size: quantity('1Ti').describe('Nominal size of the media export'),
  })
  // Without a NAS reference, server and path have defaults; with one, they come from resolving it.
  .transform((nfs) =>
    nfs.nas ? nfs : { ...nfs, server: nfs.server ?? NFS_DEFAULTS.server, path: nfs.path ?? NFS_DEFAULTS.path },
  )
  .prefault({})
  .describe('Media library on NFS (read-only): a saved NAS export, or a server and path');

export const revengeValuesSchema = z.strictObject({
  api: z
    .strictObject({
      image: image('ghcr.io/lusoris/revenge:latest').describe('API server image'),
      replicas: replicas(2).describe('API replicas when autoscaling is off'),
      autoscale: autoscaleSchema.describe('Scale the API on CPU use'),
    })
    .prefault({})
    .describe('Revenge API server'),
  frontend: z
    .strictObject({
      image: image('ghcr.io/lusoris/revenge-frontend:latest').describe('Web frontend image'),
      replicas: replicas(2).describe('Frontend replicas'),
    })
    .prefault({})
    .describe('Web frontend'),
  postgres: z
    .strictObject({ image: image('postgres:18-alpine'), storage: storage('20Gi') })
    .prefault({})
    .describe('PostgreSQL database'),
  dragonfly: z
    .strictObject({ image: image('docker.dragonflydb.io/dragonflydb/dragonfly:latest') })
    .prefault({})
    .describe('Dragonfly cache (Redis protocol)'),
  typesense: z
    .strictObject({ image: image('typesense/typesense:0.25.2'), storage: storage('10Gi') })
    .prefault({})
    .describe('Typesense search'),
  logging: z
    .strictObject({
      level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
      format: z.enum(['json', 'text']).default('json'),
    })
    .prefault({})
    .describe('API logging'),
  nfs: nfsSchema,
  objectStore: z
    .discriminatedUnion('mode', [bundledObjectStore, externalObjectStore, profileObjectStore])
    .prefault({ mode: 'bundled' })
    .describe('S3 storage for avatars: a bundled S3-compatible server, an existing service or a saved S3 profile'),
  ingress: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Kubernetes takes Ingress hosts in lower case only. */
      host: dnsName.default('revenge.local'),
      className: k8sName.default('traefik'),
    })
    .prefault({})
    .describe('Expose the frontend through an ingress controller'),
  swarm: z
    .strictObject({
      /**
       * Host ports Docker Swarm's routing mesh publishes on every node (null: not published). The
       * frontend gets 8080 by default, leaving 80/443 to a reverse proxy; the API is reached
       * through the frontend and is published only for clients that talk to it directly.
       */
      publish: z
        .strictObject({
          frontend: port.nullable().default(8080).describe('Host port for the web frontend (null: not published)'),
          api: port.nullable().default(null).describe('Host port for the API (null: not published)'),
        })
        .prefault({}),
    })
    .prefault({})
    .describe('Docker Swarm only: ports published on the nodes'),
});

export type RevengeValues = z.output<typeof revengeValuesSchema>;

/** The Secret Homeport renders for the stack; every key in it is generated on the first deploy. */
export const REVENGE_SECRET = 'revenge-secrets';

const API_PORT = 8096;
const FRONTEND_PORT = 3000;

/** Keys of the external S3 credentials Secret (an existing one, or the one Homeport provides). */
export const S3_CREDENTIAL_KEYS = ['access-key-id', 'secret-access-key'] as const;

function secretsFor(values: RevengeValues): SecretSpec[] {
  const keys = ['database-password', 'jwt-secret', 'search-api-key'];
  if (values.objectStore.mode === 'bundled') keys.push('s3-access-key-id', 's3-secret-access-key');
  const secrets: SecretSpec[] = [{ name: REVENGE_SECRET, keys: keys.map((key) => ({ key, generated: true })) }];
  const store = values.objectStore;
  if (store.mode === 'external' && store.profile !== undefined) {
    secrets.push({
      name: store.credentialsSecret,
      keys: S3_CREDENTIAL_KEYS.map((key) => ({ key, generated: false, provided: true })),
    });
  }
  return secrets;
}

/** Values still naming references (a NAS export, an S3 profile) cannot be rendered: resolve them first. */
function checkResolved(values: RevengeValues): asserts values is RevengeValues & {
  objectStore: Exclude<RevengeValues['objectStore'], { mode: 'profile' }>;
} {
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
}

function api(values: RevengeValues): Component {
  checkResolved(values);
  const store = values.objectStore;
  const s3 =
    store.mode === 'bundled'
      ? {
          env: [
            { name: 'REVENGE_STORAGE_S3_ENDPOINT', value: 'http://objectstore:9000' },
            { name: 'REVENGE_STORAGE_S3_REGION', value: 'us-east-1' },
            { name: 'REVENGE_STORAGE_S3_BUCKET', value: store.bucket },
            { name: 'REVENGE_STORAGE_S3_USE_PATH_STYLE', value: 'true' },
          ],
          secretEnv: [
            { name: 'REVENGE_STORAGE_S3_ACCESS_KEY_ID', secret: REVENGE_SECRET, key: 's3-access-key-id' },
            { name: 'REVENGE_STORAGE_S3_SECRET_ACCESS_KEY', secret: REVENGE_SECRET, key: 's3-secret-access-key' },
          ],
        }
      : {
          env: [
            { name: 'REVENGE_STORAGE_S3_ENDPOINT', value: store.endpoint },
            { name: 'REVENGE_STORAGE_S3_REGION', value: store.region },
            { name: 'REVENGE_STORAGE_S3_BUCKET', value: store.bucket },
            { name: 'REVENGE_STORAGE_S3_USE_PATH_STYLE', value: String(store.usePathStyle) },
          ],
          secretEnv: [
            { name: 'REVENGE_STORAGE_S3_ACCESS_KEY_ID', secret: store.credentialsSecret, key: 'access-key-id' },
            { name: 'REVENGE_STORAGE_S3_SECRET_ACCESS_KEY', secret: store.credentialsSecret, key: 'secret-access-key' },
          ],
        };
  const scale = values.api.autoscale;
  const replicas = scale.enabled ? scale.min : values.api.replicas;
  const http = (path: string) => ({ type: 'http' as const, path, port: API_PORT });
  return {
    name: 'api',
    image: values.api.image,
    ports: [{ name: 'http', port: API_PORT }],
    identityEnv: [
      { name: 'POD_NAME', field: 'instanceName' },
      { name: 'POD_NAMESPACE', field: 'namespace' },
    ],
    secretEnv: [
      { name: 'REVENGE_DATABASE_PASSWORD', secret: REVENGE_SECRET, key: 'database-password' },
      { name: 'REVENGE_JWT_SECRET', secret: REVENGE_SECRET, key: 'jwt-secret' },
      { name: 'REVENGE_SEARCH_API_KEY', secret: REVENGE_SECRET, key: 'search-api-key' },
      ...s3.secretEnv,
    ],
    env: [
      {
        name: 'REVENGE_DATABASE_URL',
        value: 'postgres://revenge:$(REVENGE_DATABASE_PASSWORD)@postgres:5432/revenge?sslmode=disable',
      },
      { name: 'REVENGE_CACHE_URL', value: 'redis://dragonfly:6379' },
      { name: 'REVENGE_SEARCH_URL', value: 'http://typesense:8108' },
      { name: 'REVENGE_LOGGING_LEVEL', value: values.logging.level },
      { name: 'REVENGE_LOGGING_FORMAT', value: values.logging.format },
      { name: 'REVENGE_STORAGE_BACKEND', value: 's3' },
      ...s3.env,
    ],
    mounts: values.nfs.enabled ? [{ volume: 'media', mountPath: '/media', readOnly: true }] : [],
    stateful: false,
    probes: {
      liveness: { check: http('/health/live'), periodSeconds: 10, failureThreshold: 3 },
      readiness: { check: http('/health/ready'), periodSeconds: 5, failureThreshold: 3 },
      startup: { check: http('/health/startup'), periodSeconds: 5, failureThreshold: 60 },
    },
    replicas,
    autoscale: scale.enabled ? { min: scale.min, max: scale.max, cpuPercent: scale.cpuPercent } : undefined,
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    disruptionBudget: replicas >= 2 ? { minAvailable: 1 } : undefined,
    leaderElection: { lease: 'revenge-jobs' },
    metrics: { path: '/metrics', port: API_PORT },
    stopGracePeriodSeconds: 30,
  };
}

function frontend(values: RevengeValues): Component {
  const http = { type: 'http' as const, path: '/', port: FRONTEND_PORT };
  return {
    name: 'frontend',
    image: values.frontend.image,
    ports: [{ name: 'http', port: FRONTEND_PORT }],
    identityEnv: [],
    secretEnv: [],
    env: [],
    mounts: [],
    stateful: false,
    probes: {
      liveness: { check: http, periodSeconds: 10 },
      readiness: { check: http, periodSeconds: 5 },
    },
    replicas: values.frontend.replicas,
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    disruptionBudget: values.frontend.replicas >= 2 ? { minAvailable: 1 } : undefined,
    stopGracePeriodSeconds: 15,
  };
}

function postgres(values: RevengeValues): Component {
  const ready = { type: 'exec' as const, command: ['pg_isready', '-h', '127.0.0.1', '-U', 'revenge', '-d', 'revenge'] };
  return {
    name: 'postgres',
    image: values.postgres.image,
    ports: [{ name: 'postgres', port: 5432 }],
    identityEnv: [],
    secretEnv: [{ name: 'POSTGRES_PASSWORD', secret: REVENGE_SECRET, key: 'database-password' }],
    env: [
      { name: 'POSTGRES_USER', value: 'revenge' },
      { name: 'POSTGRES_DB', value: 'revenge' },
      { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
    ],
    mounts: [],
    stateful: true,
    data: {
      mountPath: '/var/lib/postgresql/data',
      size: values.postgres.storage.size,
      storageClass: values.postgres.storage.storageClass,
    },
    probes: {
      liveness: { check: ready, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
      readiness: { check: ready, periodSeconds: 5, timeoutSeconds: 5 },
      startup: { check: ready, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 60 },
    },
    replicas: 1,
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } },
    acceptsFrom: ['api'],
    stopGracePeriodSeconds: 60,
  };
}

function dragonfly(values: RevengeValues): Component {
  const tcp = { type: 'tcp' as const, port: 6379 };
  return {
    name: 'dragonfly',
    image: values.dragonfly.image,
    // A fixed thread count keeps Dragonfly's per-thread memory minimum inside the memory limit on big nodes.
    args: ['--cache_mode=true', '--logtostderr', '--proactor_threads=2'],
    ports: [{ name: 'redis', port: 6379 }],
    identityEnv: [],
    secretEnv: [],
    env: [],
    mounts: [],
    stateful: false,
    probes: {
      liveness: { check: tcp, periodSeconds: 10 },
      readiness: { check: tcp, periodSeconds: 5 },
    },
    replicas: 1,
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    acceptsFrom: ['api'],
    stopGracePeriodSeconds: 30,
  };
}

function typesense(values: RevengeValues): Component {
  const health = { type: 'http' as const, path: '/health', port: 8108 };
  return {
    name: 'typesense',
    image: values.typesense.image,
    ports: [{ name: 'http', port: 8108 }],
    identityEnv: [],
    secretEnv: [{ name: 'TYPESENSE_API_KEY', secret: REVENGE_SECRET, key: 'search-api-key' }],
    env: [{ name: 'TYPESENSE_DATA_DIR', value: '/data' }],
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
    acceptsFrom: ['api'],
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
    acceptsFrom: ['api'],
    stopGracePeriodSeconds: 30,
  };
}

export function buildRevenge(values: RevengeValues): StackModel {
  checkResolved(values);
  const components = [api(values), frontend(values), postgres(values), dragonfly(values), typesense(values)];
  if (values.objectStore.mode === 'bundled') components.push(objectStore(values.objectStore));
  const publish = values.swarm.publish;
  const published = [
    ...(publish.frontend !== null
      ? [{ component: 'frontend', port: FRONTEND_PORT, publishedPort: publish.frontend }]
      : []),
    ...(publish.api !== null ? [{ component: 'api', port: API_PORT, publishedPort: publish.api }] : []),
  ];
  return {
    components,
    volumes: values.nfs.enabled
      ? [
          {
            name: 'media',
            type: 'nfs',
            server: values.nfs.server as string,
            path: values.nfs.path as string,
            readOnly: true,
            size: values.nfs.size,
          },
        ]
      : [],
    secrets: secretsFor(values),
    ingress: values.ingress.enabled
      ? { host: values.ingress.host, component: 'frontend', port: FRONTEND_PORT, className: values.ingress.className }
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
});
