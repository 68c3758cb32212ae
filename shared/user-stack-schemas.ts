/**
 * User stacks: stacks a user brings as a docker-compose.yml. Import reads the file (Compose
 * Specification), says what it understood and what it cannot express, and the user maps each
 * volume to storage and each secret to a source. The result is saved as a versioned user stack
 * in Homeport's data directory and deploys, plans, rolls back and is scored like a catalog stack.
 *
 * Shared by the main process (electron/core/compose, electron/core/user-stacks) and the renderer.
 */
import { z } from 'zod';
import { k8sName } from './names';

/** Something in the compose file Homeport reports: `path` is the key path ('services.web.build'). */
export const composeFindingSchema = z.object({
  path: z.string(),
  /** 1-based line in the file, when known. */
  line: z.number().int().optional(),
  message: z.string(),
});
export type ComposeFinding = z.infer<typeof composeFindingSchema>;

/** Where a compose volume's data lives once deployed. */
export const volumeMappingSchema = z.discriminatedUnion('kind', [
  /** A Homeport-managed export on a saved NAS host (resolved to server and path at deploy time). */
  z.strictObject({
    kind: z.literal('nas'),
    host: z.string().min(1),
    export: z.string().min(1),
    readOnly: z.boolean().default(false),
  }),
  /** An NFS server and exported path given directly. */
  z.strictObject({
    kind: z.literal('nfs'),
    server: z.string().min(1),
    path: z.string().min(1),
    readOnly: z.boolean().default(false),
  }),
  /** Storage the platform provisions (a PersistentVolumeClaim of a storage class; a Swarm local volume). */
  z.strictObject({ kind: z.literal('claim'), storageClass: k8sName.optional(), size: z.string().default('10Gi') }),
]);
export type VolumeMapping = z.infer<typeof volumeMappingSchema>;

/** Where a compose secret's value comes from. */
export const secretMappingSchema = z.discriminatedUnion('kind', [
  /** Homeport generates it on the first deploy and keeps it. */
  z.strictObject({ kind: z.literal('generated') }),
  /** An existing Kubernetes Secret / Swarm secret the user made (name and key). */
  z.strictObject({ kind: z.literal('existing'), secret: k8sName, key: z.string().min(1) }),
]);
export type SecretMapping = z.infer<typeof secretMappingSchema>;

export const composeMappingSchema = z.strictObject({
  volumes: z.record(z.string(), volumeMappingSchema).default({}),
  secrets: z.record(z.string(), secretMappingSchema).default({}),
});
export type ComposeMapping = z.infer<typeof composeMappingSchema>;

/** What import understood of one service. */
export const composeServiceSummarySchema = z.object({
  name: z.string(),
  image: z.string(),
  ports: z.array(z.object({ target: z.number().int(), published: z.number().int().optional() })),
  volumes: z.array(z.object({ source: z.string(), target: z.string(), readOnly: z.boolean() })),
  secrets: z.array(z.string()),
  configs: z.array(z.string()),
  healthcheck: z.boolean(),
  replicas: z.number().int(),
  dependsOn: z.array(z.string()),
});

/** The answer to "import this compose file": understood, unsupported keys, errors (nothing saved yet). */
export const composeAnalysisSchema = z.object({
  ok: z.boolean(),
  services: z.array(composeServiceSummarySchema),
  /** Named volumes and what import suggests for them (an NFS driver's options become kind 'nfs'). */
  volumes: z.array(z.object({ name: z.string(), suggested: volumeMappingSchema })),
  secrets: z.array(z.object({ name: z.string(), suggested: secretMappingSchema })),
  configs: z.array(z.string()),
  /** Keys Homeport cannot express, each named with its path; nothing is dropped silently. */
  unsupported: z.array(composeFindingSchema),
  /** A broken file: the line and the reason. With errors, ok is false and nothing can be saved. */
  errors: z.array(composeFindingSchema),
  /**
   * Understood, but deployed with another meaning than in Compose (depends_on does not order starts,
   * update_config follows Homeport's rollout, a secret file is not read but generated, an unset
   * variable is empty): worth showing next to what was understood. analyzeCompose always sets it.
   */
  notes: z.array(composeFindingSchema).optional(),
  /**
   * Files the compose file requires (services' env files, configs' files) that the import was not
   * given, by path ('./app.env' as 'app.env'): the import screen asks for each. analyzeCompose always sets it.
   */
  missingFiles: z.array(z.string()).optional(),
});
export type ComposeAnalysis = z.infer<typeof composeAnalysisSchema>;

/** A saved user stack, as stored (one file per version in the data directory). */
export const userStackDocumentSchema = z.strictObject({
  name: k8sName,
  title: z.string().min(1).max(80),
  description: z.string().max(300).default(''),
  version: z.number().int().min(1),
  savedAt: z.string(),
  /** The compose file as the user gave it. */
  compose: z.string(),
  /**
   * Files the compose file refers to, by path as written ('./app.env' and 'app.env' are one):
   * `.env` (interpolation variables), services' `env_file`s and configs' `file`s. Secret files are
   * never stored: their values are generated or taken from existing secrets (mapping.secrets).
   */
  files: z.record(z.string(), z.string()).default({}),
  mapping: composeMappingSchema,
});
export type UserStackDocument = z.infer<typeof userStackDocumentSchema>;
