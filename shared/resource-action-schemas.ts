/** Schemas of the resource actions: node maintenance, the events stream, and edit-and-apply. */
import { z } from 'zod';
import { contextName, k8sName } from './names';
import { deltaSchema } from './kube-schemas';

export const nodeRefSchema = z.object({ context: contextName, node: k8sName }).strict();

export const nodeSummarySchema = z.object({
  name: z.string(),
  ready: z.boolean(),
  /** Cordoned: the scheduler places no new pods there. */
  unschedulable: z.boolean(),
  roles: z.array(z.string()),
});
export type NodeSummary = z.infer<typeof nodeSummarySchema>;

export const cordonInputSchema = nodeRefSchema.extend({ unschedulable: z.boolean() }).strict();

const podOnNode = z.object({ namespace: z.string(), name: z.string() });

/** What a drain would do, shown before the user confirms. */
export const drainPlanSchema = z.object({
  node: z.string(),
  evict: z.array(podOnNode.extend({ owner: z.string().optional() })),
  /** Pods a drain leaves: DaemonSet pods (their controller ignores cordons) and mirror (static) pods. */
  skipped: z.array(podOnNode.extend({ reason: z.enum(['daemonset', 'mirror', 'finished']) })),
});
export type DrainPlan = z.infer<typeof drainPlanSchema>;

export const drainInputSchema = nodeRefSchema
  .extend({
    timeoutSeconds: z
      .number()
      .int('Timeout (seconds): a whole number')
      .min(5, 'Timeout (seconds): at least 5')
      .max(3600, 'Timeout (seconds): at most 3600'),
  })
  .strict();

export const evictionOutcomes = ['evicted', 'blocked', 'failed', 'timeout'] as const;
export const drainResultSchema = z.object({
  node: z.string(),
  /** Every pod of the plan is gone from the node. */
  drained: z.boolean(),
  pods: z.array(
    podOnNode.extend({
      /** evicted: gone; blocked: a PodDisruptionBudget refused until the timeout; timeout: evicted but still terminating. */
      outcome: z.enum(evictionOutcomes),
      message: z.string().optional(),
    }),
  ),
});
export type DrainResult = z.infer<typeof drainResultSchema>;

/** Events of one object with the same reason and message, seen `count` times. */
export const eventGroupSchema = z.object({
  key: z.string(),
  type: z.string(),
  reason: z.string(),
  message: z.string(),
  object: z.object({ kind: z.string(), namespace: z.string().optional(), name: z.string() }),
  count: z.number().int(),
  firstSeen: z.string(),
  lastSeen: z.string(),
});
export type EventGroup = z.infer<typeof eventGroupSchema>;
export const eventGroupDeltaSchema = deltaSchema(eventGroupSchema);
export type EventGroupDelta = z.infer<typeof eventGroupDeltaSchema>;

export const eventsParamsSchema = z.object({ context: contextName, namespace: k8sName.optional() }).strict();

/** An object to edit, named as a user would: apiVersion, kind, namespace and name. */
export const objectRefSchema = z
  .object({
    context: contextName,
    apiVersion: z.string().min(1).max(253),
    kind: z.string().min(1, 'Kind is required').max(63),
    namespace: k8sName.optional(),
    name: k8sName,
  })
  .strict();

export const objectYamlSchema = z.object({ yaml: z.string() });

export const applyObjectInputSchema = z
  .object({
    context: contextName,
    yaml: z
      .string()
      .min(1, 'YAML: paste or edit an object first')
      .max(1024 * 1024, 'YAML: at most 1 MiB'),
    /** Take the fields other managers own. Only after the user confirmed it. */
    force: z.boolean().optional(),
  })
  .strict();

export const applyConflictSchema = z.object({
  /** The field as the API server names it: `.spec.replicas`. */
  field: z.string(),
  /** The field manager that owns it: `kubectl-client-side-apply`. */
  manager: z.string(),
});

export const applyObjectResultSchema = z.discriminatedUnion('result', [
  z.object({
    result: z.literal('applied'),
    kind: z.string(),
    namespace: z.string().optional(),
    name: z.string(),
    resourceVersion: z.string().optional(),
  }),
  z.object({ result: z.literal('conflicts'), message: z.string(), conflicts: z.array(applyConflictSchema) }),
]);
export type ApplyObjectResult = z.infer<typeof applyObjectResultSchema>;
