/** Schemas of the live Kubernetes views: compact summaries, not whole objects. */
import { z } from 'zod';

export const podSummarySchema = z.object({
  uid: z.string(),
  name: z.string(),
  namespace: z.string(),
  /** Pending, Running, Succeeded, Failed, Unknown. */
  phase: z.string(),
  /** What kubectl shows in STATUS when it is more telling than the phase (CrashLoopBackOff, ...). */
  reason: z.string().optional(),
  ready: z.number().int(),
  total: z.number().int(),
  restarts: z.number().int(),
  createdAt: z.string(),
  node: z.string().optional(),
  deleting: z.boolean(),
  /**
   * The owning workload (Deployment via ReplicaSet, StatefulSet, Job, ...), if any: on a pod read
   * on its own (its details), not on the live list's summaries, whose screens do not show it.
   */
  owner: z.object({ kind: z.string(), name: z.string() }).optional(),
});
export type PodSummary = z.infer<typeof podSummarySchema>;

export const leaseSummarySchema = z.object({
  namespace: z.string(),
  name: z.string(),
  holder: z.string().optional(),
  acquireTime: z.string().optional(),
  renewTime: z.string().optional(),
  durationSeconds: z.number().optional(),
  transitions: z.number().int(),
  /** kube-system leases of the control plane (scheduler, controller-manager, ...). */
  controlPlane: z.boolean(),
});
export type LeaseSummary = z.infer<typeof leaseSummarySchema>;

/** The state of one list+watch, so the UI can say "reconnecting" instead of showing stale rows. */
export const watchStatusSchema = z.object({
  state: z.enum(['syncing', 'live', 'reconnecting', 'failed']),
  message: z.string().optional(),
});
export type WatchStatus = z.infer<typeof watchStatusSchema>;

/**
 * A batch of changes to a keyed collection. `reset` replaces everything (first list, relist after
 * 410); `upsert` and `delete` apply in order. Keys are `namespace/name`.
 */
export function deltaSchema<T extends z.ZodType>(item: T) {
  return z.discriminatedUnion('type', [
    z.object({ type: z.literal('reset'), items: z.array(item) }),
    z.object({ type: z.literal('upsert'), items: z.array(item) }),
    z.object({ type: z.literal('delete'), keys: z.array(z.string()) }),
    z.object({ type: z.literal('status'), status: watchStatusSchema }),
  ]);
}
export const podDeltaSchema = deltaSchema(podSummarySchema);
export type PodDelta = z.infer<typeof podDeltaSchema>;
export const leaseDeltaSchema = deltaSchema(leaseSummarySchema);
export type LeaseDelta = z.infer<typeof leaseDeltaSchema>;

export const containerDetailSchema = z.object({
  name: z.string(),
  image: z.string(),
  ready: z.boolean(),
  restarts: z.number().int(),
  /** waiting / running / terminated, with the reason kubectl would show. */
  state: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
});

export const eventSummarySchema = z.object({
  type: z.string(),
  reason: z.string(),
  message: z.string(),
  count: z.number().int(),
  /** When the first of the aggregated occurrences happened, if known. */
  firstSeen: z.string().optional(),
  lastSeen: z.string(),
});
export type EventSummary = z.infer<typeof eventSummarySchema>;

export const podDetailSchema = z.object({
  summary: podSummarySchema,
  conditions: z.array(
    z.object({
      type: z.string(),
      status: z.string(),
      reason: z.string().optional(),
      lastTransitionTime: z.string().optional(),
    }),
  ),
  containers: z.array(containerDetailSchema),
  /** Init containers, in the order they run before the app containers. */
  initContainers: z.array(containerDetailSchema),
  events: z.array(eventSummarySchema),
  podIP: z.string().optional(),
  labels: z.record(z.string(), z.string()),
});
export type PodDetail = z.infer<typeof podDetailSchema>;

export const logChunkSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('lines'), lines: z.array(z.string()) }),
  z.object({ type: z.literal('end'), reason: z.string() }),
]);
export type LogChunk = z.infer<typeof logChunkSchema>;

export const podKey = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`;
