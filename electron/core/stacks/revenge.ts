/**
 * The values of the Revenge media stack (revenge-stack.ts builds it): the Go API, the web frontend,
 * PostgreSQL, Dragonfly (Redis protocol cache), Typesense (search) and S3-compatible object storage
 * for avatars, either bundled or an existing external service, or a saved S3 profile. Media comes read-only from an NFS export mounted
 * at /media (optional: nfs.enabled), given as server and path or as a saved NAS host's export
 * (nfs.nas). References (nfs.nas, objectStore mode 'profile') are resolved at deploy time by
 * electron/core/references into plain values plus Homeport-provided secrets; the build refuses
 * values that still hold unresolved references. On Docker Swarm, the frontend is published on a
 * host port (swarm.publish).
 */
import { z } from 'zod';
import { kubernetesOnly, swarmOnly } from '@shared/deploy-form-schemas';
import { bucketName, dnsName, envName, k8sName, namespaceName } from '@shared/names';
import {
  autoscaleOnCpu,
  image,
  nasExportRef,
  nfsPath,
  nfsServer,
  port,
  quantity,
  refName,
  replicas,
  SAFE_PATH,
  storage,
  storageClass,
} from './values-common';

const bucket = bucketName.default('revenge');

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
  dataGroup: z.number().int().min(0).default(10001).meta({ title: 'Data group id' }),
  bucket,
  size: quantity('20Gi'),
  storageClass,
  /**
   * Revenge gives browsers avatar URLs made of this endpoint, the bucket and the key: it must be an
   * address browsers reach (with the ingress on, its host serves /<bucket>; on Swarm, publish the
   * store with swarm.publish.objectStore and give the node's address here).
   */
  publicEndpoint: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL browsers reach, like http://nas.lan:9000' })
    .optional()
    .meta({ title: 'Public endpoint' })
    .describe('URL browsers reach the object store at, for avatars (default: the ingress host)'),
});

const externalObjectStore = z.strictObject({
  mode: z.literal('external'),
  endpoint: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL like https://s3.example.com' })
    .default('https://s3.amazonaws.com')
    .meta({ title: 'Endpoint URL' }),
  region: z.string().min(1).default('us-east-1'),
  bucket,
  usePathStyle: z.boolean().default(false).meta({ title: 'Path-style URLs' }),
  /**
   * An existing Secret in the namespace with the keys access-key-id and secret-access-key; with
   * `profile`, the Secret Homeport provides with those keys from its store.
   */
  credentialsSecret: k8sName
    .default('revenge-s3-credentials')
    .meta({ title: 'Credentials Secret' })
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
    nas: nasExportRef,
    server: nfsServer.describe(
      `NFS server holding the media (host name or IPv4 address; default ${NFS_DEFAULTS.server})`,
    ),
    path: nfsPath.describe(
      `Exported directory with the media, mounted read-only at /media (default ${NFS_DEFAULTS.path})`,
    ),
    size: quantity('1Ti').describe('Nominal size of the media export'),
  })
  // Without a NAS reference, server and path have defaults; with one, they come from resolving it.
  .transform((nfs) =>
    nfs.nas ? nfs : { ...nfs, server: nfs.server ?? NFS_DEFAULTS.server, path: nfs.path ?? NFS_DEFAULTS.path },
  )
  .prefault({})
  .meta({ title: 'Media library (NFS)' })
  .describe('Media library on NFS (read-only): a saved NAS export, or a server and path');

/** One cron field: '*', a number, a range, a step, or a list of these ('0,30', '1-5', '*\/15'). */
const CRON_FIELD = String.raw`(?:\*|\d{1,2}(?:-\d{1,2})?)(?:/\d{1,2})?`;
const CRON = new RegExp(String.raw`^${CRON_FIELD}(?:,${CRON_FIELD})*(?:\s+${CRON_FIELD}(?:,${CRON_FIELD})*){4}$`);

const inClusterBackupSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Dump the database to NFS on a schedule, run by the cluster itself'),
    schedule: z
      .string()
      .trim()
      .regex(CRON, {
        message: "must be five cron fields in UTC like '0 3 * * *' (numbers, '*', ranges, steps and lists; no names)",
      })
      .default('0 3 * * *')
      .describe('When to dump: minute hour day-of-month month day-of-week, in UTC'),
    keep: z
      .number()
      .int()
      .min(1, { message: 'must keep at least 1 dump' })
      .max(1000)
      .default(7)
      .meta({ title: 'Dumps to keep' }),
    nfs: z
      .strictObject({
        nas: nasExportRef,
        server: nfsServer.describe('NFS server the dumps go to'),
        path: z
          .string()
          .regex(SAFE_PATH, {
            message: "must be an absolute path like /export/backups, without spaces, quotes or ';'",
          })
          .optional()
          .describe('Exported directory the dumps go to, writable by the database image user (uid 70)'),
      })
      .prefault({})
      .meta({ title: 'Backup destination (NFS)' })
      .describe('Where the dumps go: a saved NAS export, or a server and path'),
  })
  .refine((b) => !b.enabled || b.nfs.nas !== undefined || (b.nfs.server !== undefined && b.nfs.path !== undefined), {
    message: 'give nfs.nas (a saved NAS export) or both nfs.server and nfs.path to store the dumps',
    path: ['nfs'],
  })
  .prefault({});

/**
 * Revenge's Radarr integration (lusoris/revenge@e102b189 internal/config/config.go:489-497, set by
 * REVENGE_INTEGRATIONS_RADARR_* per loader.go:139-140) pointed at a radarr-mvp stack Homeport deployed.
 * Kubernetes: radarr's Service in its own namespace, `http://radarr.<namespace>:7878` (the pod's DNS
 * search list completes `<service>.<namespace>`). Docker Swarm: stacks share no network, so give
 * baseUrl as a node's address and radarr-mvp's published port (swarm.publish.http, 7878).
 * Secrets do not cross namespaces: the API key (radarr-mvp's RADARR_API_KEY, its secret
 * radarr-secrets/api-key) must be copied into a Secret in Revenge's namespace, named apiKeySecret
 * (on Swarm: the secret `<apiKeySecret>_api-key`); it goes into Revenge's config file.
 */
const radarrIntegrationSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Let Revenge talk to a radarr-mvp stack'),
    namespace: namespaceName
      .default('radarr-mvp')
      .meta({ title: 'Radarr namespace', ...kubernetesOnly })
      .describe('Kubernetes namespace radarr-mvp is deployed in (its Service is radarr, port 7878)'),
    baseUrl: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL like http://radarr.radarr-mvp:7878' })
      .optional()
      .meta({ title: 'Radarr URL' })
      .describe('Radarr URL (default http://radarr.<namespace>:7878; on Docker Swarm: http://<node>:7878)'),
    apiKeySecret: k8sName
      .default('radarr-api-key')
      .meta({ title: 'API key Secret' })
      .describe("Existing Secret in Revenge's namespace with the key api-key: radarr-mvp's RADARR_API_KEY"),
  })
  .prefault({});

export const revengeValuesSchema = z.strictObject({
  api: z
    .strictObject({
      image: image('ghcr.io/lusoris/revenge:latest').describe('API server image'),
      replicas: replicas(1).describe(
        'API replicas when autoscaling is off. Revenge keeps playback sessions in the memory of one process: ' +
          'with more than one, clients stick to one replica (ClientIP affinity on Kubernetes) and a restart ends their playback',
      ),
      autoscale: autoscaleOnCpu.describe('Scale the API on CPU use (off: playback sessions live in one replica)'),
    })
    .prefault({})
    .meta({ title: 'API server' })
    .describe('Revenge API server'),
  frontend: z
    .strictObject({
      image: image('ghcr.io/lusoris/revenge-frontend:latest').describe('Web frontend image'),
      replicas: replicas(2).describe('Frontend replicas'),
    })
    .prefault({})
    .meta({ title: 'Web frontend' })
    .describe('Serves the web app; the API is reached through it'),
  postgres: z
    .strictObject({ image: image('postgres:18-alpine'), storage: storage('20Gi') })
    .prefault({})
    .meta({ title: 'PostgreSQL' })
    .describe('The database'),
  dragonfly: z
    .strictObject({ image: image('docker.dragonflydb.io/dragonflydb/dragonfly:latest') })
    .prefault({})
    .meta({ title: 'Dragonfly' })
    .describe('Cache (Redis protocol)'),
  typesense: z
    .strictObject({ image: image('typesense/typesense:0.25.2'), storage: storage('10Gi') })
    .prefault({})
    .meta({ title: 'Typesense' })
    .describe('Search'),
  logging: z
    .strictObject({
      level: z.enum(['debug', 'info', 'warn', 'error']).default('info').meta({ title: 'Log level' }),
      format: z.enum(['json', 'text']).default('json').meta({ title: 'Log format' }),
    })
    .prefault({})
    .meta({ title: 'Logging' })
    .describe('What the API server logs'),
  nfs: nfsSchema,
  objectStore: z
    .discriminatedUnion('mode', [bundledObjectStore, externalObjectStore, profileObjectStore])
    .prefault({ mode: 'bundled' })
    .meta({ title: 'Object storage (avatars)' })
    .describe('S3 storage for avatars: a bundled S3-compatible server, an existing service or a saved S3 profile'),
  ingress: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Kubernetes takes Ingress hosts in lower case only. */
      host: dnsName.default('revenge.local').meta({ title: 'Host name' }),
      className: k8sName.default('traefik').meta({ title: 'Ingress class' }),
    })
    .prefault({})
    .meta({ title: 'Ingress', ...kubernetesOnly })
    .describe('Expose the stack through an ingress controller: / to the frontend, /api and /hls to the API'),
  backup: z
    .strictObject({ inCluster: inClusterBackupSchema.meta({ title: 'In-cluster database dumps' }) })
    .prefault({})
    .meta({ title: 'Backups' })
    .describe('Backups the cluster runs itself, while Homeport is closed'),
  integrations: z
    .strictObject({ radarr: radarrIntegrationSchema.meta({ title: 'Radarr' }) })
    .prefault({})
    .meta({ title: 'Integrations' })
    .describe('Other programs Revenge talks to'),
  swarm: z
    .strictObject({
      /**
       * Host ports Docker Swarm's routing mesh publishes on every node (null: not published). The
       * frontend gets 8080 by default, leaving 80/443 to a reverse proxy; the API is reached
       * through the frontend and is published only for clients that talk to it directly.
       */
      publish: z
        .strictObject({
          frontend: port
            .nullable()
            .default(8080)
            .meta({ title: 'Frontend port' })
            .describe('Host port for the web frontend (null: not published)'),
          api: port
            .nullable()
            .default(null)
            .meta({ title: 'API port' })
            .describe('Host port for the API (null: not published)'),
          objectStore: port
            .nullable()
            .default(null)
            .meta({ title: 'Object store port' })
            .describe('Host port for the bundled object store, so browsers can load avatars (null: not published)'),
        })
        .prefault({})
        .meta({ title: 'Published ports' }),
    })
    .prefault({})
    .meta({ title: 'Docker Swarm', ...swarmOnly })
    .describe('Ports published on every node by the routing mesh'),
});

export type RevengeValues = z.output<typeof revengeValuesSchema>;
