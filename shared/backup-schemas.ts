/**
 * Backups of a deployed stack: where they go (a destination), what one holds (its manifest), how a
 * run is followed (progress) and what the restore drill found. Nothing here carries a secret: the
 * stack's generated secrets travel only inside the encrypted part of a backup, and the passphrase
 * only ever goes into the main process's credential store.
 */
import { z } from 'zod';
import { savedName, stackName } from './names';
import { targetSchema } from './target-schemas';

/** An absolute directory: no '..' segment, no NUL, no newline. */
const absoluteDir = z
  .string()
  .min(1)
  .max(1024)
  .refine((v) => v.startsWith('/') && !v.split('/').includes('..') && !/[\0\n\r]/.test(v), {
    message: "must be an absolute directory like /srv/backups (no '..')",
  });
/** A key prefix inside a bucket: '' or segments joined by '/', no '..'. */
const keyPrefix = z
  .string()
  .max(512)
  .refine((v) => !v.startsWith('/') && !v.split('/').includes('..') && !/[\0\n\r]/.test(v), {
    message: "must be a key prefix like homeport/backups (no leading '/', no '..')",
  });

/**
 * Where backups are written. `nas`: a saved NAS host over SFTP, into `dir` (an absolute directory,
 * or the name of one of Homeport's exports on that host); `s3`: a saved S3 profile's bucket under
 * `prefix`; `file`: a folder on this machine.
 */
export const backupDestinationSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('nas'),
      host: savedName,
      dir: z.union([absoluteDir, savedName]),
    })
    .strict(),
  z
    .object({
      kind: z.literal('s3'),
      profile: savedName,
      bucket: z.string().min(3).max(63),
      prefix: keyPrefix.default(''),
    })
    .strict(),
  z.object({ kind: z.literal('file'), dir: absoluteDir }).strict(),
]);
export type BackupDestinationSpec = z.infer<typeof backupDestinationSchema>;

/** A backup's folder name: `<stack>-<UTC time>-<4 hex>`, e.g. revenge-20261130T193000Z-a1b2. */
export const backupIdSchema = z.string().regex(/^[a-z0-9-]{1,80}-\d{8}T\d{6}Z-[0-9a-f]{4}$/, {
  message: 'must be a backup id like revenge-20261130T193000Z-a1b2',
});

/** One file of a backup, as stored: size and SHA-256 of the stored bytes. */
export const backupFileSchema = z.object({
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BackupFile = z.infer<typeof backupFileSchema>;

/** A table's rows and a checksum of its contents, as taken in the dump's own snapshot. */
export const tableStatSchema = z.object({
  schema: z.string(),
  table: z.string(),
  rows: z.number().int().nonnegative(),
  /** Sum of a 64-bit hash of each row as text: equal contents give equal checksums, in any row order. */
  checksum: z.string(),
});
export type TableStat = z.infer<typeof tableStatSchema>;

export const objectStatSchema = z.object({
  key: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ObjectStat = z.infer<typeof objectStatSchema>;

export const backupItemKinds = ['database', 'bucket', 'state', 'secrets'] as const;
export type BackupItemKind = (typeof backupItemKinds)[number];

export const backupItemSchema = z.object({
  /** 'database/postgres', 'bucket/revenge', 'state', 'secrets'. */
  name: z.string(),
  kind: z.enum(backupItemKinds),
  files: z.array(backupFileSchema),
  /** database: the tables, as counted in the dump's snapshot. */
  tables: z.array(tableStatSchema).optional(),
  /** bucket: the profile and bucket the objects came from, and each object. */
  bucket: z.object({ profile: z.string(), bucket: z.string() }).optional(),
  objects: z.array(objectStatSchema).optional(),
  /** secrets: encrypted with the user's backup passphrase or key file (AES-256-GCM). */
  encrypted: z.boolean().optional(),
  /** The workload the database was dumped in ("pod postgres-0 in namespace media"). */
  source: z.string().optional(),
});
export type BackupItem = z.infer<typeof backupItemSchema>;

/** Written last: a backup folder without one is incomplete and is never offered for restore. */
export const backupManifestSchema = z.object({
  format: z.literal(1),
  id: backupIdSchema,
  stack: stackName,
  target: targetSchema,
  /** The target in the user's words at backup time. */
  where: z.string(),
  /** The live revision backed up. */
  revision: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  /** Versions of what made it: homeport, pg_dump. */
  tools: z.record(z.string(), z.string()),
  items: z.array(backupItemSchema),
  bytes: z.number().int().nonnegative(),
});
export type BackupManifest = z.infer<typeof backupManifestSchema>;

/** The restore drill's verdict, stored beside the manifest (drill.json). */
export const drillResultSchema = z.object({
  result: z.enum(['passed', 'failed']),
  at: z.string(),
  durationMs: z.number().int().nonnegative(),
  /** Where the scratch copy ran ("namespace media-drill-a1b2 of context 'home'"). */
  scratch: z.string(),
  /** failed: the first difference, naming the table or object ("table movie.movies: 1200 rows, backup had 1201"). */
  message: z.string().optional(),
  tables: z.number().int().nonnegative(),
  objects: z.number().int().nonnegative(),
});
export type DrillResult = z.infer<typeof drillResultSchema>;

/** A backup as listed: complete (manifest present) or not. */
export const backupSummarySchema = z.object({
  id: z.string(),
  stack: z.string(),
  complete: z.boolean(),
  /** Present when complete. */
  manifest: backupManifestSchema.optional(),
  drill: drillResultSchema.optional(),
});
export type BackupSummary = z.infer<typeof backupSummarySchema>;

export const backupListSchema = z.object({ backups: z.array(backupSummarySchema) });

/** A running backup, restore or drill. */
export const backupOperationKinds = ['backup', 'restore', 'verify'] as const;
export const backupProgressSchema = z.object({
  operation: z.string(),
  kind: z.enum(backupOperationKinds),
  backup: z.string(),
  /** The item being worked on ('database/postgres') and what it is doing. */
  item: z.string().optional(),
  phase: z.string(),
  /** Bytes of the current item so far, and the rate over the last second. */
  bytes: z.number().int().nonnegative(),
  bytesPerSecond: z.number().nonnegative(),
  /** Per finished item: how it ended. */
  items: z.array(
    z.object({
      name: z.string(),
      state: z.enum(['done', 'failed', 'skipped']),
      bytes: z.number().int().nonnegative(),
      message: z.string().optional(),
    }),
  ),
  state: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  message: z.string().optional(),
});
export type BackupProgress = z.infer<typeof backupProgressSchema>;

/** Back up a deployed stack now. */
export const backupStartSchema = z
  .object({ target: targetSchema, stack: stackName, destination: backupDestinationSchema })
  .strict();
export const backupRefSchema = z.object({ destination: backupDestinationSchema, backup: backupIdSchema }).strict();
export const backupListInputSchema = z
  .object({ destination: backupDestinationSchema, stack: stackName.optional() })
  .strict();
export const backupRestoreSchema = z
  .object({
    destination: backupDestinationSchema,
    backup: backupIdSchema,
    /** Where to restore: the same target or another (another namespace, cluster or swarm). */
    target: targetSchema,
    /** Restoring over a running stack replaces it: the caller confirms after seeing restorePlan. */
    replace: z.boolean().default(false),
  })
  .strict();
/** What a restore would replace at the target (empty when the stack is not deployed there). */
export const restorePlanSchema = z.object({
  where: z.string(),
  deployed: z.boolean(),
  /** "database postgres (12 tables)", "bucket revenge in profile home-s3 (340 objects)". */
  replaces: z.array(z.string()),
  /** Items that will not be restored and why ("secrets: no passphrase is set"). */
  skipped: z.array(z.string()),
});
export type RestorePlan = z.infer<typeof restorePlanSchema>;
export const operationRefSchema = z.object({ operation: z.string().min(1).max(64) }).strict();
export const operationStartedSchema = z.object({ operation: z.string(), backup: z.string() });

/** The passphrase secrets are encrypted with; set once, kept in the credential store. */
export const backupKeyInputSchema = z.union([
  z
    .object({ passphrase: z.string().min(12, { message: 'passphrase: use at least 12 characters' }).max(1024) })
    .strict(),
  z.object({ keyFile: absoluteDir }).strict(),
]);
export const backupKeyStatusSchema = z.object({ kind: z.enum(['none', 'passphrase', 'key-file']) });

/** A schedule that runs while Homeport runs; retention keeps the newest N daily and M weekly. */
export const backupScheduleSchema = z
  .object({
    target: targetSchema,
    stack: stackName,
    destination: backupDestinationSchema,
    every: z.enum(['daily', 'weekly']),
    /** HH:MM, local time. */
    at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'at: use a time like 03:30' }),
    /** weekly: 0 = Sunday. */
    weekday: z.number().int().min(0).max(6).optional(),
    keepDaily: z.number().int().min(1, { message: 'keepDaily: keep at least 1' }).max(365).default(7),
    keepWeekly: z.number().int().min(0).max(520).default(4),
    /** Also render the in-cluster schedule (CronJob / Swarm job service) dumping to the destination. */
    inCluster: z.boolean().default(false),
  })
  .strict();
export type BackupSchedule = z.infer<typeof backupScheduleSchema>;
