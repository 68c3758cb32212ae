/**
 * The values of the radarr-mvp stack (radarr-stack.ts builds it): the radarr-mvp program, its
 * PostgreSQL, writable downloads and movies directories on NFS, an optional nightly pg_dump to NFS.
 *
 * radarr-mvp publishes no image (radarr-upstream.ts): `app.image` has no default and `{}` does not
 * validate; the message names the fix. The TMDB key is the user's: it stays in a Secret the user
 * creates (`tmdb.apiKeySecret`), so it never enters values, revisions or plans. NFS places are a
 * saved NAS export (`nas`) or a server and path, resolved at deploy time like Revenge's.
 */
import { z } from 'zod';
import { kubernetesOnly, swarmOnly } from '@shared/deploy-form-schemas';
import { dnsName, imageRef, k8sName } from '@shared/names';
import {
  autoscaleOnCpuAndMemory,
  image,
  nasExportRef,
  nfsPath,
  nfsServer,
  port,
  quantity,
  replicas,
  storage,
} from './values-common';

/**
 * The owners' plan (seed 003, k8s/overlays/prod/hpa.yaml) scales 2..10 on CPU 70% and memory 80%;
 * up by at most 100% per 15 s after a 60 s window, down by at most 50% per 60 s after 300 s.
 */

const IMAGE_FIX =
  'required: radarr-mvp publishes no image; build it from its source (cargo build --release) into an image ' +
  'and give its reference, like registry.lan/radarr-mvp:0.1';

/** A writable NFS directory: a saved NAS export, or a server and path (with defaults). */
const nfsPlace = (what: string, defaultPath: string) =>
  z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe(`Mount the ${what}; off, radarr-mvp runs without them (it uses them only when importing)`),
      nas: nasExportRef,
      server: nfsServer.describe(`NFS server holding the ${what} (default nas.local)`),
      path: nfsPath.describe(`Exported directory for the ${what}, writable by radarr-mvp (default ${defaultPath})`),
      size: quantity('1Ti').describe(`Nominal size of the ${what} export`),
    })
    .transform((p) => (p.nas ? p : { ...p, server: p.server ?? 'nas.local', path: p.path ?? defaultPath }))
    .prefault({});

/** One cron field: '*', a number, a range, a step, or a list of these. */
const CRON_FIELD = String.raw`(?:\*|\d{1,2}(?:-\d{1,2})?)(?:/\d{1,2})?`;
const CRON = new RegExp(String.raw`^${CRON_FIELD}(?:,${CRON_FIELD})*(?:\s+${CRON_FIELD}(?:,${CRON_FIELD})*){4}$`);

const inClusterBackupSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Dump the database to NFS on a schedule, run by the cluster itself'),
    // The owners' plan dumps daily at 02:00 (seed 003, "Planned CronJob for PostgreSQL backup").
    schedule: z
      .string()
      .trim()
      .regex(CRON, { message: "must be five cron fields in UTC like '0 2 * * *' (numbers, '*', ranges, steps, lists)" })
      .default('0 2 * * *')
      .describe('When to dump: minute hour day-of-month month day-of-week, in UTC'),
    keep: z.number().int().min(1, { message: 'must keep at least 1 dump' }).max(1000).default(7),
    nfs: z
      .strictObject({
        nas: nasExportRef,
        server: nfsServer.describe('NFS server the dumps go to'),
        path: nfsPath.describe('Exported directory the dumps go to, writable by the database image user (uid 70)'),
      })
      .prefault({}),
  })
  .refine((b) => !b.enabled || b.nfs.nas !== undefined || (b.nfs.server !== undefined && b.nfs.path !== undefined), {
    message: 'give nfs.nas (a saved NAS export) or both nfs.server and nfs.path to store the dumps',
    path: ['nfs'],
  })
  .prefault({});

export const radarrValuesSchema = z.strictObject({
  app: z
    .strictObject({
      image: imageRef
        .optional()
        .meta({ title: 'Image' })
        .describe('Your radarr-mvp image (the project publishes none)'),
      replicas: replicas(1).describe(
        'Replicas when autoscaling is off. Each process runs its own queue processor, RSS monitor and list sync',
      ),
      autoscale: autoscaleOnCpuAndMemory.describe('Scale on CPU and memory use (the owners plan; off by default)'),
      logLevel: z
        .string()
        .min(1)
        .default('info')
        .meta({ title: 'Log level' })
        .describe('RUST_LOG: error, warn, info, debug or trace'),
    })
    .superRefine((a, ctx) => {
      if (a.image === undefined) ctx.addIssue({ code: 'custom', path: ['image'], message: IMAGE_FIX });
    })
    .prefault({})
    .meta({ title: 'radarr-mvp' })
    .describe('The program'),
  tmdb: z
    .strictObject({
      apiKeySecret: k8sName
        .optional()
        .describe('Existing Secret with the key tmdb-api-key (left out: no TMDB, movie lookup is off)'),
    })
    .prefault({})
    .meta({ title: 'TMDB' })
    .describe('Movie metadata: your API key stays in a Secret you create'),
  postgres: z
    .strictObject({ image: image('postgres:16-alpine'), storage: storage('20Gi') })
    .prefault({})
    .meta({ title: 'PostgreSQL' })
    .describe('The database'),
  downloads: nfsPlace('downloads', '/export/downloads')
    .meta({ title: 'Downloads (NFS)' })
    .describe('Downloads on NFS, mounted writable at /downloads'),
  movies: nfsPlace('movies', '/export/movies')
    .meta({ title: 'Movies (NFS)' })
    .describe('Movie library on NFS, mounted writable at /movies'),
  ingress: z
    .strictObject({
      enabled: z.boolean().default(false),
      host: dnsName.default('radarr.local').meta({ title: 'Host name' }),
      className: k8sName.default('nginx').meta({ title: 'Ingress class' }),
    })
    .prefault({})
    .meta({ title: 'Ingress', ...kubernetesOnly })
    .describe('Expose radarr-mvp through an ingress controller'),
  backup: z
    .strictObject({ inCluster: inClusterBackupSchema.meta({ title: 'In-cluster database dumps' }) })
    .prefault({})
    .meta({ title: 'Backups' })
    .describe('Backups the cluster runs itself, while Homeport is closed'),
  swarm: z
    .strictObject({
      publish: z
        .strictObject({
          http: port
            .nullable()
            .default(7878)
            .meta({ title: 'HTTP port' })
            .describe('Host port for radarr-mvp (null: not published)'),
        })
        .prefault({})
        .meta({ title: 'Published ports' }),
    })
    .prefault({})
    .meta({ title: 'Docker Swarm', ...swarmOnly })
    .describe('Ports published on every node by the routing mesh'),
});

export type RadarrValues = z.output<typeof radarrValuesSchema>;
