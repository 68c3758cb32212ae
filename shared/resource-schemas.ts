/**
 * Schemas of the resource browser: any API resource of a cluster as compact live rows, the API
 * resources discovery finds, one object as YAML (Secret values masked) and one Secret value on request.
 */
import { z } from 'zod';
import { contextName, k8sName, ruled, subdomainProblem, labelProblem } from './names';
import { deltaSchema } from './kube-schemas';

/** An API group: empty for the core group (Pods, Services, ...), else a DNS name such as apps or example.com. */
export const apiGroupName = ruled((v) =>
  v === '' ? undefined : subdomainProblem(v, 'apps', 63, 'an API group (empty for the core group)'),
);
/** An API version as discovery names it (v1, v1beta1, ...). */
export const apiVersionName = ruled((v) => labelProblem(v, 'v1'));
/** A resource's plural name as discovery names it (deployments, ingresses, ...). */
export const resourcePlural = ruled((v) => labelProblem(v, 'deployments'));

/** Which collection: group, version and plural name, as the API paths use them. */
export const resourceRefSchema = z
  .object({ context: contextName, group: apiGroupName, version: apiVersionName, plural: resourcePlural })
  .strict();

export const resourceListParamsSchema = resourceRefSchema.extend({ namespace: k8sName.optional() }).strict();
export type ResourceListParams = z.infer<typeof resourceListParamsSchema>;

export const objectRefSchema = resourceRefSchema.extend({ namespace: k8sName.optional(), name: k8sName }).strict();
export type ObjectRef = z.infer<typeof objectRefSchema>;

/** The colour a status is shown in; `problem` rows also sort first. */
export const toneSchema = z.enum(['ok', 'warn', 'error', 'muted']);
export type Tone = z.infer<typeof toneSchema>;

/**
 * One object as the browser lists it. `cells` holds the per-kind columns (see resource-columns.ts)
 * by column id. Never a Secret value: for Secrets only the type and the key names.
 */
export const resourceRowSchema = z.object({
  /** namespace/name, the key of the live collection. */
  key: z.string(),
  name: z.string(),
  namespace: z.string(),
  createdAt: z.string(),
  /** What the STATUS column shows ('' when the kind has no status worth a word). */
  status: z.string(),
  tone: toneSchema,
  /** Something is wrong (not ready, failed, under pressure): sorted first when "problems first" is on. */
  problem: z.boolean(),
  cells: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type ResourceRow = z.infer<typeof resourceRowSchema>;

export const resourceDeltaSchema = deltaSchema(resourceRowSchema);
export type ResourceDelta = z.infer<typeof resourceDeltaSchema>;

/** One listable, watchable API resource found through discovery (its preferred version). */
export const apiResourceSchema = z.object({
  group: z.string(),
  version: z.string(),
  kind: z.string(),
  plural: z.string(),
  namespaced: z.boolean(),
  shortNames: z.array(z.string()).optional(),
});
export type ApiResource = z.infer<typeof apiResourceSchema>;

export const discoverySchema = z.object({
  resources: z.array(apiResourceSchema),
  /** Group versions whose discovery failed (an aggregated API that is down): their kinds are missing. */
  failed: z.array(z.object({ groupVersion: z.string(), message: z.string() })),
});
export type Discovery = z.infer<typeof discoverySchema>;

export const objectYamlSchema = z.object({
  kind: z.string(),
  /** The object without managedFields; a Secret's values replaced by a mask. */
  yaml: z.string(),
  /** For a Secret: its key names (data and stringData), which kube:revealSecret can reveal one at a time. */
  secretKeys: z.array(z.string()).optional(),
});
export type ObjectYaml = z.infer<typeof objectYamlSchema>;

/** A Secret data key: letters, digits, '-', '_' and '.', as the API server allows. */
export const secretKey = z
  .string()
  .min(1, 'key is required')
  .max(253)
  .regex(/^[-._a-zA-Z0-9]+$/, "key: use letters, digits, '-', '_' and '.' (for example password)");

export const revealSecretInputSchema = z
  .object({ context: contextName, namespace: k8sName, name: k8sName, key: secretKey })
  .strict();

export const revealedSecretSchema = z.object({
  /** The value as text, or base64 when it is not valid UTF-8 (binary). */
  value: z.string(),
  encoding: z.enum(['utf8', 'base64']),
});
export type RevealedSecret = z.infer<typeof revealedSecretSchema>;

/** The key of a resource kind in the browser and the column tables: plural[.group], as kubectl names it. */
export const resourceId = (r: { group: string; plural: string }) => (r.group ? `${r.plural}.${r.group}` : r.plural);

/** The resource browser's channels, spread into the contract's channel map. */
export const resourceChannels = {
  /** Every listable kind the cluster serves (built-in and CRDs), from API discovery. */
  'kube:discover': { input: z.object({ context: contextName }).strict(), output: discoverySchema },
  /** One object as YAML, without managedFields; a Secret's values masked. */
  'kube:getObject': { input: objectRefSchema, output: objectYamlSchema },
  /** One value of a Secret, for the user who asked to see it now. Never logged. */
  'kube:revealSecret': { input: revealSecretInputSchema, output: revealedSecretSchema },
} as const;

/** The resource browser's topics, spread into the contract's topic map. */
export const resourceTopics = {
  /** Any resource of a context (one namespace, or all) as live rows, batched deltas keyed namespace/name. */
  'kube:resources': { params: resourceListParamsSchema, event: resourceDeltaSchema },
} as const;
