/** Schemas of the deploy flow: the stack catalog, plans, rollouts and revisions. */
import { z } from 'zod';
import { targetSchema } from './target-schemas';

/** Where a stack's leader of periodic jobs lives, for the Leaders screen. */
export const stackLeaderSchema = z.object({
  /** 'lease': a Kubernetes Lease the Leaders table shows; 'table': a row of a database table. */
  kind: z.enum(['lease', 'table']),
  /** In words: 'a row of the table jobs_leader in the database app of the component db'. */
  where: z.string(),
  /** Whether Homeport can read the leader today. */
  observable: z.boolean(),
  /** Why it cannot, when it cannot. */
  why: z.string().optional(),
  /** The source reference of where the program elects its leader. */
  ref: z.string().optional(),
});
export type StackLeader = z.infer<typeof stackLeaderSchema>;

/** What a stack needs before it deploys (model.ts StackNeeds), for the stack picker. */
export const stackNeedsSchema = z.object({
  nasExport: z.enum(['required', 'optional', 'no']),
  s3Profile: z.enum(['required', 'optional', 'no']),
  /** An image without a reference is one the user must build and name. */
  images: z.array(z.object({ component: z.string(), reference: z.string().optional() })),
});
export type StackNeeds = z.infer<typeof stackNeedsSchema>;

export const stackInfoSchema = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  /** JSON Schema of the stack's values, generated from its zod schema; the UI builds the form from it. */
  valuesSchema: z.record(z.string(), z.unknown()),
  defaults: z.unknown(),
  /** Where the stack's leader lives; absent when the stack elects none. */
  leader: stackLeaderSchema.optional(),
  /** 'catalog': shipped with Homeport; 'user': imported from a compose file. */
  origin: z.enum(['catalog', 'user']).default('catalog'),
  /** A user stack's newest saved version. */
  version: z.number().int().optional(),
  needs: stackNeedsSchema.optional(),
});
export type StackInfo = z.infer<typeof stackInfoSchema>;

/** One problem with the user's values: the dotted field path ('nfs.server') and what to do. */
export const fieldIssueSchema = z.object({ path: z.string(), message: z.string() });
export type FieldIssue = z.infer<typeof fieldIssueSchema>;

export const planActions = ['create', 'update', 'unchanged', 'prune'] as const;
export type PlanAction = (typeof planActions)[number];

export const planItemSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
  action: z.enum(planActions),
  /** For updates: the changed field paths ('spec.replicas'). Secret values are never shown. */
  changedFields: z.array(z.string()),
  /**
   * The live and the desired object as YAML, for a side-by-side diff of creates, updates and
   * prunes (absent on unchanged objects and in plans of earlier versions). Bookkeeping fields are
   * dropped and every credential reads "(secret)" or "(secret, changed)".
   */
  live: z.string().optional(),
  desired: z.string().optional(),
});
export type PlanItem = z.infer<typeof planItemSchema>;

/** One value of the stack's values that a plan changes: 'logging.level: info → debug'. */
export const valueChangeSchema = z.object({
  path: z.string(),
  /** Absent when the value was unset; "(secret)" for a credential. */
  before: z.string().optional(),
  after: z.string().optional(),
});
export type ValueChangeItem = z.infer<typeof valueChangeSchema>;

export const planSchema = z.object({
  /** Where the plan applies. */
  target: targetSchema,
  stack: z.string(),
  /** The revision an apply of this plan will record. */
  revision: z.number().int(),
  items: z.array(planItemSchema),
  /** What the target expresses differently from the stack model, or not at all (Swarm: no autoscaler). */
  notes: z.array(z.string()).optional(),
  /**
   * What the values change against the live revision (`from`); absent from plans of earlier
   * versions, `from` absent on a first deploy (everything is new).
   */
  values: z.object({ from: z.number().int().optional(), changes: z.array(valueChangeSchema) }).optional(),
  /** Set on the plan of a rollback: the revision whose values and objects come back. */
  rollbackTo: z.number().int().optional(),
});
export type Plan = z.infer<typeof planSchema>;

export const applyResultSchema = z.object({
  revision: z.number().int(),
  plan: planSchema,
  /** Objects deleted because the stack no longer renders them (only with prune confirmed). */
  pruned: z.array(z.string()),
  /** Objects that would have been pruned but were left because prune was not confirmed. */
  leftOver: z.array(z.string()),
});
export type ApplyResult = z.infer<typeof applyResultSchema>;

export const workloadStatusSchema = z.object({
  kind: z.string(),
  name: z.string(),
  ready: z.number().int(),
  desired: z.number().int(),
  /** Why it is not ready yet, from pod states and events ('ImagePullBackOff: ...'). */
  message: z.string().optional(),
});
export type WorkloadStatus = z.infer<typeof workloadStatusSchema>;

export const rolloutStatusSchema = z.object({
  state: z.enum(['progressing', 'healthy', 'failed']),
  workloads: z.array(workloadStatusSchema),
  /** Set when state is failed: which component and why. */
  failed: z.object({ component: z.string(), reason: z.string() }).optional(),
  /** Why the status could not be read just now; the rest is the last status that could. */
  error: z.string().optional(),
});
export type RolloutStatus = z.infer<typeof rolloutStatusSchema>;

export const revisionSchema = z.object({
  revision: z.number().int(),
  appliedAt: z.string(),
  /** The values the revision was rendered from (they hold no secrets: those live in Secrets). */
  values: z.unknown(),
  objects: z.number().int(),
  current: z.boolean(),
  /** Who applied it: the field manager, and the host and user Homeport ran as (absent on older revisions). */
  manager: z.string().optional(),
  host: z.string().optional(),
  user: z.string().optional(),
  /** What changed against the revision before, in one line ('logging.level: info → debug'). */
  summary: z.string().optional(),
  /** How its rollout ended, once Homeport saw it end (absent: not seen, or an older revision). */
  rollout: z.enum(['healthy', 'failed']).optional(),
  /** Set when the revision was a rollback: the revision it brought back. */
  rollbackOf: z.number().int().optional(),
});
export type Revision = z.infer<typeof revisionSchema>;

export const uninstallResultSchema = z.object({ deleted: z.array(z.string()), kept: z.array(z.string()) });
export type UninstallResult = z.infer<typeof uninstallResultSchema>;

/** Where Homeport has a live deployment of each stack (a recorded revision), for the stack picker. */
export const stackDeploymentsSchema = z.object({
  stacks: z.array(z.object({ stack: z.string(), targets: z.array(targetSchema) })),
  /** Clusters and endpoints that could not be asked just now: a stack may be deployed there too. */
  unreachable: z.array(z.object({ where: z.string(), message: z.string() })),
});
export type StackDeploymentsList = z.infer<typeof stackDeploymentsSchema>;
