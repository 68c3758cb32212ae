/**
 * The contract between the renderer and the main process: every channel (request/response) and
 * every subscription topic (server push), each with zod schemas. Both transports validate input
 * with these schemas before a handler runs, and parse output with them so that nothing a schema
 * does not name (a token, a key) can leave the main process.
 */
import { z } from 'zod';
import { confirmedFingerprintSchema } from './ssh-schemas';
import { scaleServiceSchema, serviceRefSchema } from './swarm-action-schemas';
import { prometheusTestSchema } from './readiness-schemas';
import { composeAnalysisSchema, composeMappingSchema, userStackDocumentSchema } from './user-stack-schemas';
import {
  contextName,
  k8sName,
  namespaceName,
  savedName,
  savedName as endpointName,
  stackName,
  storedName,
} from './names';
import {
  applyResultSchema,
  fieldIssueSchema,
  planSchema,
  revisionSchema,
  rolloutStatusSchema,
  stackDeploymentsSchema,
  stackInfoSchema,
  uninstallResultSchema,
} from './deploy-schemas';
import { leaseDeltaSchema, logChunkSchema, podDeltaSchema, podDetailSchema } from './kube-schemas';
import { selectionSchema } from './selection-schemas';
import {
  connectionTestInputSchema,
  connectionTestSchema,
  contextListSchema,
  contextRefSchema,
  kubeconfigPathInputSchema,
} from './cluster-schemas';
import {
  dockerEndpointInputSchema,
  endpointListSchema,
  endpointRefSchema,
  endpointRemoveSchema,
} from './docker-schemas';
import { prometheusSettingsInputSchema } from './metrics-schemas';
import { leaderPlaceSchema, stackTableLeadersSchema } from './leader-schemas';
import {
  dashboardSchema,
  metricRanges,
  metricsSourceSchema,
  prometheusSettingsSchema,
  readinessReportSchema,
} from './readiness-schemas';
import {
  bucketRefSchema,
  exportInputSchema,
  nasHostInputSchema,
  nasHostSchema,
  nasProbeSchema,
  nasRefSchema,
  newBucketRefSchema,
  nfsExportSchema,
  s3BucketSchema,
  s3ProfileInputSchema,
  s3ProfileSchema,
  s3TestSchema,
} from './storage-schemas';
import {
  endpointTestSchema,
  swarmNodeDeltaSchema,
  swarmServiceDeltaSchema,
  swarmTaskDeltaSchema,
} from './swarm-schemas';
import { addRegistryInput, registryListSchema, removeRegistryInput } from './registry-schemas';
import {
  forwardOptionsSchema,
  portForwardListSchema,
  portForwardSchema,
  portForwardStartSchema,
  portForwardStopSchema,
} from './portforward-schemas';
import { stackOnTargetSchema, targetSchema } from './target-schemas';
// Deploy form: the live revision's values.
import { deployFormChannels } from './deploy-form-schemas';
import {
  backupDestinationSchema,
  backupKeyInputSchema,
  backupKeyStatusSchema,
  backupListInputSchema,
  backupListSchema,
  backupProgressSchema,
  backupRefSchema,
  backupRestoreSchema,
  backupScheduleSchema,
  backupStartSchema,
  operationRefSchema,
  operationStartedSchema,
  restorePlanSchema,
} from './backup-schemas';
import {
  execAckSchema,
  execEventSchema,
  execInputSchema,
  execResizeSchema,
  execSessionRefSchema,
  execStartSchema,
} from './exec-schemas';
// Resource browser: every API resource, discovery, YAML, Secret values on request.
import { resourceChannels, resourceTopics } from './resource-schemas';
// Overview and notifications: the all-clusters overview and the notifications topic.
import { overviewTopics } from './overview-schemas';

// Resource actions (nodes, events, edit and apply).
import {
  applyObjectInputSchema,
  applyObjectResultSchema,
  cordonInputSchema,
  drainInputSchema,
  drainPlanSchema,
  drainResultSchema,
  eventGroupDeltaSchema,
  eventsParamsSchema,
  nodeRefSchema,
  nodeSummarySchema,
  objectRefSchema,
  objectYamlSchema,
} from './resource-action-schemas';
const resourceActionChannels = {
  /** The cluster's nodes: ready, cordoned, roles. */
  'kube:listNodes': {
    input: z.object({ context: contextName }).strict(),
    output: z.object({ nodes: z.array(nodeSummarySchema) }),
  },
  /** Cordon (unschedulable: true) or uncordon a node. */
  'kube:cordonNode': { input: cordonInputSchema, output: nodeSummarySchema },
  /** The pods a drain would evict and the ones it leaves (DaemonSet, mirror, finished). */
  'kube:drainPlan': { input: nodeRefSchema, output: drainPlanSchema },
  /** Cordons, evicts through the Eviction API (PodDisruptionBudgets respected) and reports per pod. */
  'kube:drainNode': { input: drainInputSchema, output: drainResultSchema },
  /** One object as YAML to edit (server-owned fields left out; Secrets refused). */
  'kube:objectYaml': { input: objectRefSchema, output: objectYamlSchema },
  /** Server-side apply as field manager homeport; conflicts with other managers come back unless forced. */
  'kube:applyObject': { input: applyObjectInputSchema, output: applyObjectResultSchema },
} as const;
const resourceActionTopics = {
  /** Events of a context (one namespace, or all), deduplicated by object, reason and message. */
  'kube:events': { params: eventsParamsSchema, event: eventGroupDeltaSchema },
} as const;
// End of resource actions.

export const errorCodes = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'CONFLICT',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export const apiErrorSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

export { describeIssues } from './issues';
export * from './cluster-schemas';

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const appInfoSchema = z.object({
  name: z.literal('Homeport'),
  version: z.string(),
  mode: z.enum(['desktop', 'web']),
  dataDir: z.string(),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

const empty = z.object({}).strict();

const podRef = z.object({ context: contextName, namespace: k8sName, name: k8sName }).strict();
/** The user's values for a stack: checked in full by the stack's own schema, field by field. */
const stackValues = z.record(z.string(), z.unknown());
const stackRef = z.object({ context: contextName, namespace: namespaceName, stack: stackName }).strict();
const deployInput = stackOnTargetSchema.extend({ values: stackValues }).strict();

/** A compose file as pasted or chosen (at most 1 MiB). */
const composeText = z
  .string()
  .min(1)
  .max(1024 * 1024);
/** The env files a compose file names, by the name it gives them, with their content. */
const envFiles = z.record(z.string(), z.string().max(256 * 1024));

const schedules = z.object({ schedules: z.array(backupScheduleSchema) });

function channel<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const channels = {
  'app:info': channel(empty, appInfoSchema),
  'clusters:listContexts': channel(empty, contextListSchema),
  'clusters:addKubeconfig': channel(kubeconfigPathInputSchema, contextListSchema),
  'clusters:removeKubeconfig': channel(kubeconfigPathInputSchema, contextListSchema),
  'clusters:testConnection': channel(connectionTestInputSchema, connectionTestSchema),
  'clusters:allowExec': channel(contextRefSchema, contextListSchema),
  'clusters:revokeExec': channel(contextRefSchema, contextListSchema),
  // First run: start the sandbox cluster in Homeport's process and add its context.
  'sandbox:try': channel(empty, contextListSchema),
  'kube:listNamespaces': channel(contextRefSchema, z.object({ namespaces: z.array(z.string()) })),
  'kube:getPod': channel(podRef, podDetailSchema),
  'kube:deletePod': channel(podRef, z.object({ deleted: z.literal(true) })),
  'stacks:list': channel(empty, z.object({ stacks: z.array(stackInfoSchema) })),
  /** Checks values against the stack's schema; an empty issues list means they are good. */
  'stacks:validate': channel(
    z.object({ stack: stackName, values: stackValues }).strict(),
    z.object({ issues: z.array(fieldIssueSchema) }),
  ),
  /** Where Homeport has a live deployment of each stack (targets with a recorded revision). */
  'stacks:deployments': channel(empty, stackDeploymentsSchema),
  /** What Homeport understood of a compose file, what it cannot express, and its errors; nothing is saved. */
  'stacks:import-analyze': channel(
    z.object({ compose: composeText, envFiles: envFiles.optional() }).strict(),
    composeAnalysisSchema,
  ),
  /** Saves a compose file with its mapping as the user stack's next version; refused while it has errors. */
  'stacks:user-save': channel(
    z
      .object({
        name: stackName,
        title: z.string().min(1).max(80),
        description: z.string().max(300).default(''),
        compose: composeText,
        mapping: composeMappingSchema,
        envFiles: envFiles.optional(),
      })
      .strict(),
    userStackDocumentSchema,
  ),
  /** The newest version of every user stack. */
  'stacks:user-list': channel(empty, z.object({ stacks: z.array(userStackDocumentSchema) })),
  /** Deletes every version of a user stack (what is deployed stays deployed). */
  'stacks:user-remove': channel(z.object({ name: stackName }).strict(), z.object({ removed: z.literal(true) })),
  /** What an apply of the values would change on the target, object by object. */
  'deploy:plan': channel(deployInput, planSchema),
  'deploy:apply': channel(deployInput.extend({ prune: z.boolean() }).strict(), applyResultSchema),
  'deploy:revisions': channel(stackOnTargetSchema, z.object({ revisions: z.array(revisionSchema) })),
  /** Re-applies a recorded revision (its references resolved again) as a new revision. */
  'deploy:rollback': channel(
    stackOnTargetSchema.extend({ revision: z.number().int().min(1, 'revision: revisions start at 1') }).strict(),
    applyResultSchema,
  ),
  // deploy: readable plans and confirmed rollbacks
  /** What a rollback to a recorded revision would change, for the user to confirm; nothing is applied. */
  'deploy:rollbackPlan': channel(
    stackOnTargetSchema.extend({ revision: z.number().int().min(1, 'revision: revisions start at 1') }).strict(),
    planSchema,
  ),
  // end deploy: readable plans
  /** One workload back to the previous spec the target keeps for it (Swarm services). */
  'deploy:rollbackWorkload': channel(
    stackOnTargetSchema.extend({ workload: z.string().min(1).max(255) }).strict(),
    z.object({ rolledBack: z.literal(true) }),
  ),
  /** Removes the stack; claims / volumes (its data) only with deleteData. */
  'deploy:uninstall': channel(stackOnTargetSchema.extend({ deleteData: z.boolean() }).strict(), uninstallResultSchema),
  // Deploy form: the live revision's values.
  ...deployFormChannels,
  'docker:listEndpoints': channel(empty, endpointListSchema),
  'docker:addEndpoint': channel(dockerEndpointInputSchema, endpointListSchema),
  'docker:removeEndpoint': channel(endpointRemoveSchema, endpointListSchema),
  'docker:testEndpoint': channel(
    endpointRefSchema.extend({ timeoutMs: z.number().int().min(100).max(60_000).optional() }).strict(),
    endpointTestSchema,
  ),
  /** Trusts the SSH host key the last test of this endpoint was shown, then tests again. */
  'docker:acceptHostKey': channel(
    endpointRefSchema.extend({ fingerprint: z.string().min(1) }).strict(),
    endpointTestSchema,
  ),
  /** Registry credentials for private images: saved in Homeport, or from the user's docker login. No secret. */
  'docker:listRegistries': channel(empty, registryListSchema),
  'docker:addRegistry': channel(addRegistryInput, registryListSchema),
  'docker:removeRegistry': channel(removeRegistryInput, registryListSchema),
  'nas:list': channel(empty, z.object({ hosts: z.array(nasHostSchema) })),
  'nas:add': channel(nasHostInputSchema, z.object({ hosts: z.array(nasHostSchema) })),
  /** Remove takes any saved name, so a host saved under an older rule can still go. */
  'nas:remove': channel(z.object({ name: storedName }).strict(), z.object({ hosts: z.array(nasHostSchema) })),
  /** Connects (host key verified first) and reports OS, NFS tools, privilege and free space. */
  'nas:probe': channel(z.object({ name: savedName }).strict(), nasProbeSchema),
  /** Trusts the host key the last probe was shown (by its fingerprint), then probes again. */
  'nas:acceptHostKey': channel(z.object({ name: savedName, fingerprint: z.string().min(1) }).strict(), nasProbeSchema),
  'nas:listExports': channel(nasRefSchema, z.object({ exports: z.array(nfsExportSchema) })),
  'nas:createExport': channel(
    exportInputSchema,
    z.object({
      export: nfsExportSchema,
      changed: z.boolean(),
      /** What exportfs said when the export is not active. */
      message: z.string().optional(),
    }),
  ),
  'nas:removeExport': channel(
    nasRefSchema.extend({ name: savedName }).strict(),
    z.object({ exports: z.array(nfsExportSchema) }),
  ),
  's3:list': channel(empty, z.object({ profiles: z.array(s3ProfileSchema) })),
  's3:add': channel(s3ProfileInputSchema, z.object({ profiles: z.array(s3ProfileSchema) })),
  /** Remove takes any saved name, so a profile saved under an older rule (like "-garage-") can still go. */
  's3:remove': channel(z.object({ name: storedName }).strict(), z.object({ profiles: z.array(s3ProfileSchema) })),
  's3:test': channel(z.object({ name: savedName }).strict(), s3TestSchema),
  's3:listBuckets': channel(z.object({ profile: savedName }).strict(), z.object({ buckets: z.array(s3BucketSchema) })),
  's3:createBucket': channel(
    newBucketRefSchema.extend({ private: z.boolean() }).strict(),
    z.object({ created: z.boolean() }),
  ),
  's3:deleteBucket': channel(bucketRefSchema, z.object({ deleted: z.literal(true) })),
  's3:makePrivate': channel(bucketRefSchema, z.object({ done: z.literal(true) })),
  /** The readiness scorecard of a deployed stack, computed from the live target. */
  'readiness:report': channel(stackOnTargetSchema, readinessReportSchema),
  /**
   * The values a check's one-click fix would deploy (the live revision's values with the fix merged
   * in) and the plan for them; the UI applies them with deploy:apply, like any other change.
   */
  'readiness:planFix': channel(
    stackOnTargetSchema.extend({ check: z.string().min(1).max(100) }).strict(),
    z.object({ values: z.record(z.string(), z.unknown()), plan: planSchema }),
  ),
  'metrics:getSettings': channel(contextRefSchema, prometheusSettingsSchema),
  'metrics:setSettings': channel(prometheusSettingsInputSchema, prometheusSettingsSchema),
  'metrics:source': channel(contextRefSchema, metricsSourceSchema),
  'metrics:dashboard': channel(stackRef.extend({ range: z.enum(metricRanges) }).strict(), dashboardSchema),
  /** Keys typed or pasted into a terminal session (see the exec:session topic). */
  'exec:input': channel(execInputSchema, z.object({ sent: z.literal(true) })),
  'exec:resize': channel(execResizeSchema, z.object({ resized: z.literal(true) })),
  /** The terminal has drawn this much output; the session reads its command only a window ahead. */
  'exec:ack': channel(execAckSchema, z.object({ acked: z.literal(true) })),
  /** Ends the session's command; its last event says it was cancelled. */
  'exec:close': channel(execSessionRefSchema, z.object({ closed: z.literal(true) })),
  /** Listens on 127.0.0.1 (a free port unless one is given) and forwards to a pod's or a Service's port. */
  'portforward:start': channel(portForwardStartSchema, portForwardSchema),
  'portforward:list': channel(empty, portForwardListSchema),
  'portforward:stop': channel(portForwardStopSchema, portForwardListSchema),
  /** A pod's declared TCP ports and the Services that select it: what the UI offers to forward. */
  'portforward:options': channel(podRef, forwardOptionsSchema),
  /** Leaders of the stacks deployed in a context or on a Swarm endpoint that keep them in a database table. */
  'leaders:tables': channel(leaderPlaceSchema, stackTableLeadersSchema),
  /** The backups at a destination, newest first; incomplete ones (no manifest) are listed as such. */
  'backups:list': channel(backupListInputSchema, backupListSchema),
  /** Starts a backup of a deployed stack; follow it on the backups:progress topic. */
  'backups:start': channel(backupStartSchema, operationStartedSchema),
  'backups:cancel': channel(operationRefSchema, z.object({ cancelled: z.literal(true) })),
  /** Starts the restore drill of a backup; its result is stored with the backup. */
  'backups:verify': channel(backupRefSchema, operationStartedSchema),
  /** What restoring the backup into the target would replace and what it would skip. */
  'backups:restorePlan': channel(backupRefSchema.extend({ target: targetSchema }).strict(), restorePlanSchema),
  'backups:restore': channel(backupRestoreSchema, operationStartedSchema),
  /** Removes complete backups beyond the retention (never the last one whose drill passed). */
  'backups:prune': channel(
    z
      .object({
        destination: backupDestinationSchema,
        stack: stackName,
        keepDaily: z.number().int().min(1, 'keepDaily: keep at least 1').max(365),
        keepWeekly: z.number().int().min(0).max(520),
        dryRun: z.boolean().optional(),
      })
      .strict(),
    z.object({ removed: z.array(z.string()), kept: z.array(z.string()) }),
  ),
  /** Whether a passphrase or key file is set: the kind only, never the key. */
  'backups:keyStatus': channel(empty, backupKeyStatusSchema),
  /** The passphrase goes in and is stored in the credential store; only its kind comes back. */
  'backups:setKey': channel(backupKeyInputSchema, backupKeyStatusSchema),
  'backups:schedules': channel(empty, schedules),
  /** Adds or replaces the schedule of (target, stack). */
  'backups:saveSchedule': channel(backupScheduleSchema, schedules),
  'backups:removeSchedule': channel(stackOnTargetSchema, schedules),
  // Resource browser.
  ...resourceChannels,
  ...resourceActionChannels,
  // Selection: the chosen cluster, target and endpoints, kept across restarts.
  'selection:get': channel(empty, selectionSchema),
  /** Sets the fields given, keeps the others; returns the whole selection. */
  'selection:set': channel(selectionSchema, selectionSchema),
  // Trust and actions: host key replacement, Swarm service actions, metrics test
  /**
   * Replaces the NAS's recorded host key by the changed key it presents now, only if that is the
   * fingerprint the user confirmed after the warning; then probes again.
   */
  'nas:replaceHostKey': channel(
    z.object({ name: savedName, fingerprint: confirmedFingerprintSchema }).strict(),
    nasProbeSchema,
  ),
  /** The same for an ssh:// endpoint's host; then tests it again. */
  'docker:replaceHostKey': channel(
    endpointRefSchema.extend({ fingerprint: confirmedFingerprintSchema }).strict(),
    endpointTestSchema,
  ),
  /** Sets the replica count of a replicated Swarm service. */
  'swarm:scaleService': channel(scaleServiceSchema, z.object({ replicas: z.number().int() })),
  /** Restarts every task of a Swarm service on the same spec (ForceUpdate + 1). */
  'swarm:forceUpdateService': channel(serviceRefSchema, z.object({ forceUpdate: z.number().int() })),
  'swarm:removeService': channel(serviceRefSchema, z.object({ removed: z.literal(true) })),
  /** Queries the Prometheus the form names, without saving anything. */
  'metrics:testSettings': channel(prometheusSettingsInputSchema, prometheusTestSchema),
  // end of trust and actions
} as const;

export type Channels = typeof channels;
export type Channel = keyof Channels;
export type ChannelInput<C extends Channel> = z.input<Channels[C]['input']>;
export type ChannelOutput<C extends Channel> = z.infer<Channels[C]['output']>;

export const topics = {
  /** Fires when a kubeconfig file in use changes on disk, or the list of files changes. */
  'clusters:contextsChanged': {
    params: empty,
    event: z.object({ at: z.string() }),
  },
  /** Pods of a context (one namespace, or all when namespace is omitted), as batched deltas. */
  'kube:pods': {
    params: z.object({ context: contextName, namespace: k8sName.optional() }).strict(),
    event: podDeltaSchema,
  },
  /** Every coordination.k8s.io Lease of a context, as batched deltas. */
  'kube:leases': {
    params: z.object({ context: contextName }).strict(),
    event: leaseDeltaSchema,
  },
  /** A pod's log: the last lines, then (when follow is set) new lines as they are written. */
  'kube:podLogs': {
    params: podRef
      .extend({
        container: k8sName.optional(),
        follow: z.boolean(),
        tailLines: z.number().int().min(1).max(10_000).optional(),
        /** The log of the container before the last restart (never followed: it has ended). */
        previous: z.boolean().optional(),
      })
      .strict(),
    event: logChunkSchema,
  },
  /** Rollout progress of a deployed stack on any target: ready/desired per workload and the end state. */
  'deploy:rollout': { params: stackOnTargetSchema, event: rolloutStatusSchema },
  /** Nodes of a Swarm endpoint, live (leader and manager reachability included). */
  'swarm:nodes': { params: z.object({ endpoint: endpointName }).strict(), event: swarmNodeDeltaSchema },
  'swarm:services': { params: z.object({ endpoint: endpointName }).strict(), event: swarmServiceDeltaSchema },
  /** Tasks of a Swarm endpoint, or of one service. */
  'swarm:tasks': {
    params: z.object({ endpoint: endpointName, serviceId: z.string().min(1).max(128).optional() }).strict(),
    event: swarmTaskDeltaSchema,
  },
  /** A service's or a task's log, demultiplexed into lines. */
  'swarm:logs': {
    params: z
      .object({
        endpoint: endpointName,
        service: z.string().min(1).max(255).optional(),
        task: z.string().min(1).max(128).optional(),
        follow: z.boolean(),
        tail: z.number().int().min(1).max(10_000).optional(),
      })
      .strict()
      .refine((p) => (p.service === undefined) !== (p.task === undefined), 'give either service or task'),
    event: logChunkSchema,
  },
  /** The readiness scorecard, recomputed every few seconds and sent when it changes. */
  'readiness:live': { params: stackOnTargetSchema, event: readinessReportSchema },
  /**
   * A terminal session: subscribing runs the command (a shell by default) with a terminal in a pod's
   * or task's container; unsubscribing, or the connection going away, ends it.
   */
  'exec:session': { params: execStartSchema, event: execEventSchema },
  /** A backup, restore or drill: its progress now, then each change, until the state is no longer running. */
  'backups:progress': { params: operationRefSchema, event: backupProgressSchema },
  // Resource browser.
  ...resourceTopics,
  // Overview and notifications.
  ...overviewTopics,
  ...resourceActionTopics,
} as const;

export type Topics = typeof topics;
export type Topic = keyof Topics;
export type TopicParams<T extends Topic> = z.input<Topics[T]['params']>;
export type TopicEvent<T extends Topic> = z.infer<Topics[T]['event']>;

/**
 * One function per channel. Because the mapped type has no optional members, tsc fails to build
 * the handler object when any channel lacks a handler.
 */
export type Handlers = {
  [C in Channel]: (input: z.infer<Channels[C]['input']>) => Promise<ChannelOutput<C>>;
};

/** Starts a subscription; emit pushes one event; the returned function stops it. */
export type SubscriptionHandlers = {
  [T in Topic]: (params: z.infer<Topics[T]['params']>, emit: (event: TopicEvent<T>) => void) => () => void;
};

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(channels, name);
}

export function isTopic(name: string): name is Topic {
  return Object.prototype.hasOwnProperty.call(topics, name);
}
