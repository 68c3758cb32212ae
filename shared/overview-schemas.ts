/** Schemas of the all-clusters overview and of the notifications Homeport raises while it runs. */
import { z } from 'zod';

/** A deployed stack on a target, as its rollout reads now. */
export const overviewStackSchema = z.object({
  stack: z.string(),
  /** The namespace on a Kubernetes target; absent on a Swarm endpoint. */
  namespace: z.string().optional(),
  state: z.enum(['healthy', 'progressing', 'failed', 'unknown']),
  /** Workloads with every replica ready, of all the stack's workloads. */
  readyWorkloads: z.number().int(),
  workloads: z.number().int(),
  /** Why it is not healthy, or why its state could not be read. */
  message: z.string().optional(),
});
export type OverviewStack = z.infer<typeof overviewStackSchema>;

const countSchema = z.object({ ready: z.number().int(), total: z.number().int() });

/** One kubeconfig context or Docker endpoint, with the figures its last check found. */
export const overviewTargetSchema = z.object({
  kind: z.enum(['kubernetes', 'swarm']),
  /** The context's or the endpoint's name. */
  name: z.string(),
  /** checking until the first answer (or its time limit) arrives. */
  state: z.enum(['checking', 'reachable', 'unreachable']),
  /** One line: why the target could not be read. */
  error: z.string().optional(),
  /** Kubernetes gitVersion, or the Docker engine's version. */
  version: z.string().optional(),
  /** True for Homeport's sandbox cluster. */
  simulated: z.boolean().optional(),
  nodes: countSchema.optional(),
  /** Kubernetes: pods from the shared live watch (finished pods not counted). */
  pods: countSchema.extend({ live: z.boolean() }).optional(),
  /** Swarm: tasks that should run. */
  tasks: countSchema.optional(),
  /** Swarm: whether this engine is a manager of an active swarm (only then nodes, tasks and stacks are read). */
  swarm: z.enum(['manager', 'worker', 'inactive']).optional(),
  /** Kubernetes Warning events of the last hour. */
  warnings: z.number().int().optional(),
  stacks: z.array(overviewStackSchema),
  /** Why the deployed stacks could not be read (the other figures may still be there). */
  stacksError: z.string().optional(),
  checkedAt: z.string().optional(),
  latencyMs: z.number().optional(),
});
export type OverviewTarget = z.infer<typeof overviewTargetSchema>;

export const overviewSchema = z.object({
  targets: z.array(overviewTargetSchema),
  /** Why the list of contexts or endpoints itself could not be read. */
  problems: z.array(z.string()),
  generatedAt: z.string(),
});
export type Overview = z.infer<typeof overviewSchema>;

export const notificationKinds = ['stack-unhealthy', 'pod-crashloop', 'leader-lost'] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export const notificationSchema = z.object({
  /** Unique per notification; a client that sees an id twice shows it once. */
  id: z.string(),
  kind: z.enum(notificationKinds),
  title: z.string(),
  message: z.string(),
  /** 'context home', 'Docker endpoint nas'. */
  where: z.string(),
  at: z.string(),
  /** True when sent as part of the recent list a new subscriber receives first (not a fresh event). */
  replay: z.boolean(),
});
export type Notification = z.infer<typeof notificationSchema>;

const empty = z.object({}).strict();

/** Subscription topics of this area, spread into the contract's topics. */
export const overviewTopics = {
  /** Every context and Docker endpoint with its figures; a new snapshot whenever one target's check ends. */
  'overview:live': { params: empty, event: overviewSchema },
  /** The recent notifications (replay), then each new one: stack failed, pod crash-looping, leader lost. */
  'notifications:events': { params: empty, event: notificationSchema },
} as const;
