/**
 * The values of the Goverse stack (goverse-stack.ts builds it): a 3-member etcd cluster with a
 * snapshot schedule, PostgreSQL, the nodes (the user's own Goverse program), gates, the inspector
 * and the schema migration (cmd/pgadmin).
 *
 * No Goverse image is published (goverse-upstream.ts): the node, gate, inspector and pgadmin
 * images have no default. Left out, each is a field error naming what to build, so `{}` does not
 * validate; the catalog lists the stack with the defaults of the other fields.
 */
import { z } from 'zod';
import { imageRef } from '@shared/names';
import { image, replicas, storage } from './values-common';

/** Five cron fields in UTC (the same rule as Revenge's backup schedule). */
const CRON_FIELD = String.raw`(?:\*|\d{1,2}(?:-\d{1,2})?)(?:/\d{1,2})?`;
const CRON = new RegExp(String.raw`^${CRON_FIELD}(?:,${CRON_FIELD})*(?:\s+${CRON_FIELD}(?:,${CRON_FIELD})*){4}$`);

/** What to build for each image the user must give (the repository's Dockerfiles, or none for pgadmin). */
export const GOVERSE_IMAGE_FIXES = {
  node: 'build docker/Dockerfile.node with APP_PATH set to your Goverse program and give its reference',
  gate: 'build docker/Dockerfile.gate and give its reference',
  inspector: 'build docker/Dockerfile.inspector and give its reference',
  migrate:
    'build cmd/pgadmin into an image whose entrypoint is the pgadmin program (the repository has no Dockerfile for it) and give its reference',
} as const;

/** An image reference without a default: its absence is an error saying what to build. */
const builtImage = (fix: string) => imageRef.optional().describe(`Image reference (required: ${fix})`);

/** A component's values whose `image` must be given. */
function withImage<S extends z.ZodObject>(shape: S, fix: string) {
  return (
    shape
      .superRefine((v, ctx) => {
        if ((v as { image?: string }).image === undefined)
          ctx.addIssue({ code: 'custom', path: ['image'], message: fix });
      })
      // Every other field has a default; the refinement names the missing image.
      .prefault({} as z.input<S>)
  );
}

export const goverseValuesSchema = z.strictObject({
  node: withImage(
    z.strictObject({
      image: builtImage(GOVERSE_IMAGE_FIXES.node),
      replicas: replicas(3).describe('Goverse nodes (each owns a share of the shards)'),
      storage: storage('1Gi').describe('Per-node volume at /var/lib/goverse'),
    }),
    GOVERSE_IMAGE_FIXES.node,
  )
    .meta({ title: 'Nodes' })
    .describe('Your Goverse program, built with docker/Dockerfile.node'),
  gate: withImage(
    z.strictObject({
      image: builtImage(GOVERSE_IMAGE_FIXES.gate),
      replicas: replicas(2).describe('Gates clients connect to'),
    }),
    GOVERSE_IMAGE_FIXES.gate,
  )
    .meta({ title: 'Gates' })
    .describe('Where clients connect (cmd/gate)'),
  inspector: withImage(
    z.strictObject({
      image: builtImage(GOVERSE_IMAGE_FIXES.inspector),
    }),
    GOVERSE_IMAGE_FIXES.inspector,
  )
    .meta({ title: 'Inspector' })
    .describe('Web UI (cmd/inspector)'),
  migrate: withImage(
    z.strictObject({
      image: builtImage(GOVERSE_IMAGE_FIXES.migrate),
    }),
    GOVERSE_IMAGE_FIXES.migrate,
  )
    .meta({ title: 'Schema migration' })
    .describe('pgadmin init, run once per revision before the nodes can start'),
  etcd: z
    .strictObject({
      // The compose file's etcd (docker-compose.yml:3).
      image: image('quay.io/coreos/etcd:v3.5.17').describe('etcd image'),
      storage: storage('10Gi').describe('Per-member data volume'),
      snapshot: z
        .strictObject({
          schedule: z
            .string()
            .trim()
            .regex(CRON, {
              message: "must be five cron fields in UTC like '0 2 * * *' (numbers, '*', ranges, steps, lists)",
            })
            .default('0 2 * * *')
            .describe('When to save a snapshot: minute hour day-of-month month day-of-week, in UTC'),
          storage: storage('5Gi').describe('Volume the snapshot is saved to'),
        })
        .prefault({})
        .meta({ title: 'Snapshots' })
        .describe('etcdctl snapshot save to a volume on a schedule'),
    })
    .prefault({})
    .meta({ title: 'etcd' })
    .describe('Cluster membership and shard map (3 members)'),
  postgres: z
    .strictObject({
      // The compose file's PostgreSQL (docker-compose.yml:19).
      image: image('postgres:16-alpine').describe('PostgreSQL image'),
      storage: storage('20Gi'),
    })
    .prefault({})
    .meta({ title: 'PostgreSQL' })
    .describe('Persistent object state'),
  cluster: z
    .strictObject({
      prefix: z
        .string()
        .regex(/^\/[A-Za-z0-9_./-]*$/, { message: "must be an etcd key prefix like '/goverse'" })
        .default('/goverse')
        .describe('etcd key prefix of the cluster'),
    })
    .prefault({})
    .meta({ title: 'Cluster' })
    .describe('Settings written to the configuration file'),
});

export type GoverseValues = z.output<typeof goverseValuesSchema>;
