/**
 * The contract between the renderer and the main process: every channel (request/response) and
 * every subscription topic (server push), each with zod schemas. Both transports validate input
 * with these schemas before a handler runs, and parse output with them so that nothing a schema
 * does not name (a token, a key) can leave the main process.
 */
import { z } from 'zod';
import { contextName, k8sName, namespaceName, savedName as endpointName, stackName } from './names';
import {
  applyResultSchema,
  fieldIssueSchema,
  planSchema,
  revisionSchema,
  rolloutStatusSchema,
  stackInfoSchema,
  uninstallResultSchema,
} from './deploy-schemas';
import { leaseDeltaSchema, logChunkSchema, podDeltaSchema, podDetailSchema } from './kube-schemas';
import {
  dashboardSchema,
  metricRanges,
  metricsSourceSchema,
  prometheusSettingsSchema,
  readinessReportSchema,
} from './readiness-schemas';
import {
  nasHostSchema,
  nasProbeSchema,
  nfsExportSchema,
  s3BucketSchema,
  s3ProfileSchema,
  s3TestSchema,
  squashOptions,
} from './storage-schemas';
import {
  dockerEndpointSchema,
  endpointTestSchema,
  swarmNodeDeltaSchema,
  swarmServiceDeltaSchema,
  swarmTaskDeltaSchema,
} from './swarm-schemas';
import { addRegistryInput, registryListSchema, removeRegistryInput } from './registry-schemas';
import { stackOnTargetSchema } from './target-schemas';

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

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiError };

const authKinds = ['token', 'client-certificate', 'basic', 'exec', 'auth-provider', 'none'] as const;

export const kubeconfigSourceSchema = z.object({
  path: z.string(),
  origin: z.enum(['KUBECONFIG', 'default', 'added', 'sandbox']),
  exists: z.boolean(),
  /** Why the file could not be read or parsed, if it could not. */
  error: z.string().optional(),
});
export type KubeconfigSource = z.infer<typeof kubeconfigSourceSchema>;

export const execCommandSchema = z.object({
  command: z.string(),
  args: z.array(z.string()),
  /** Names only: env values may hold secrets. */
  envNames: z.array(z.string()),
  allowed: z.boolean(),
});
export type ExecCommand = z.infer<typeof execCommandSchema>;

export const contextSummarySchema = z.object({
  name: z.string(),
  cluster: z.string(),
  server: z.string(),
  user: z.string(),
  namespace: z.string(),
  current: z.boolean(),
  authKind: z.enum(authKinds),
  exec: execCommandSchema.optional(),
  /** The kubeconfig file that defined this context. */
  source: z.string(),
  /** True for Homeport's simulated sandbox cluster, which the UI labels as such. */
  simulated: z.boolean(),
  /** Problems that will stop a connection, e.g. a context naming a cluster that does not exist. */
  problems: z.array(z.string()),
});
export type ContextSummary = z.infer<typeof contextSummarySchema>;

export const contextListSchema = z.object({
  contexts: z.array(contextSummarySchema),
  sources: z.array(kubeconfigSourceSchema),
  currentContext: z.string().optional(),
});
export type ContextList = z.infer<typeof contextListSchema>;

export const connectionFailureReasons = [
  'unreachable',
  'tls',
  'unauthorized',
  'timeout',
  'exec-consent-required',
  'exec-failed',
  'config',
  'http',
] as const;
export type ConnectionFailureReason = (typeof connectionFailureReasons)[number];

export const connectionTestSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('connected'),
    context: z.string(),
    server: z.string(),
    gitVersion: z.string(),
    platform: z.string(),
    distribution: z.enum(['k3s', 'kubernetes']),
    latencyMs: z.number(),
  }),
  z.object({
    status: z.literal('failed'),
    context: z.string(),
    server: z.string(),
    reason: z.enum(connectionFailureReasons),
    message: z.string(),
    /** Present when reason is exec-consent-required: the command the user is asked to allow. */
    exec: execCommandSchema.optional(),
  }),
]);
export type ConnectionTest = z.infer<typeof connectionTestSchema>;

const filePath = z
  .string()
  .trim()
  .min(1, 'path is required: give the full path of a kubeconfig file')
  .max(4096)
  .refine((p) => !p.includes('\0'), 'path must not contain a NUL byte');

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
const absolutePath = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} is required`)
    .max(4096)
    .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), `${what}: give the full path of the file`)
    .refine((p) => !p.includes('\0'), `${what}: must not contain a NUL byte`);
/** A new Docker endpoint as the user types it; the URL is checked in full by the endpoint service. */
const endpointInput = z
  .object({
    name: endpointName,
    url: z
      .string()
      .trim()
      .min(1, 'url is required: unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host')
      .max(2048),
    tls: z
      .object({
        caFile: absolutePath('tls.caFile'),
        certFile: absolutePath('tls.certFile'),
        keyFile: absolutePath('tls.keyFile'),
      })
      .strict()
      .optional(),
    sshKeyFile: absolutePath('sshKeyFile').optional(),
  })
  .strict();
/** A password or passphrase typed by the user: sent once to the main process, never sent back. */
const typedSecret = (what: string) =>
  z
    .string()
    .min(1, `${what} is empty: leave the field out instead`)
    .max(4096)
    .refine((v) => !v.includes('\0'), `${what} must not contain a NUL byte`);
const nasHostInput = z
  .object({
    name: endpointName,
    address: z.string().trim().min(1, "address is required: the NAS's host name or IP address").max(253),
    port: z.number().int().min(1, 'port: use 1-65535').max(65535, 'port: use 1-65535').optional(),
    user: z.string().trim().min(1, 'user is required: the SSH user on the NAS').max(64),
    auth: z.enum(['key', 'agent', 'password']),
    keyFile: absolutePath('keyFile').optional(),
    /** The key's passphrase, or the password. */
    secret: typedSecret('secret').optional(),
  })
  .strict();
const nasRef = z.object({ host: endpointName }).strict();
const exportName = z
  .string()
  .min(1, 'name is required')
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'name: lower-case letters, digits and -, like "media"');
const exportInput = z
  .object({
    host: endpointName,
    name: exportName,
    path: z.string().min(1, 'path is required: the directory to export, e.g. /srv/media').max(4096),
    clients: z
      .array(z.string().min(1).max(255))
      .min(1, 'clients: give at least one address or CIDR (your cluster nodes)'),
    readOnly: z.boolean(),
    squash: z.enum(squashOptions),
    owner: z.string().max(64).optional(),
    mode: z
      .string()
      .regex(/^0?[0-7]{3}$/, "mode: an octal permission like '0755'")
      .optional(),
  })
  .strict();
const s3ProfileInput = z
  .object({
    name: endpointName,
    endpoint: z.string().trim().min(1, 'endpoint is required, like https://s3.nas.lan:9000').max(2048),
    region: z.string().trim().min(1).max(64).optional(),
    pathStyle: z.boolean().optional(),
    accessKeyId: z.string().trim().min(1, 'accessKeyId is required').max(256),
    secretAccessKey: typedSecret('secretAccessKey'),
    caFile: absolutePath('caFile').optional(),
  })
  .strict();
const bucketRef = z.object({ profile: endpointName, bucket: z.string().min(1).max(63) }).strict();
const endpointListSchema = z.object({
  endpoints: z.array(
    dockerEndpointSchema.extend({
      /** 'saved' in Homeport, 'env' from $DOCKER_HOST, or 'context' from a docker context (read only here). */
      source: z.enum(['saved', 'env', 'context']),
    }),
  ),
});
const deployInput = stackOnTargetSchema.extend({ values: stackValues }).strict();

function channel<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const channels = {
  'app:info': channel(empty, appInfoSchema),
  'clusters:listContexts': channel(empty, contextListSchema),
  'clusters:addKubeconfig': channel(z.object({ path: filePath }).strict(), contextListSchema),
  'clusters:removeKubeconfig': channel(z.object({ path: filePath }).strict(), contextListSchema),
  'clusters:testConnection': channel(
    z
      .object({
        context: contextName,
        timeoutMs: z.number().int().min(100).max(60_000).optional(),
      })
      .strict(),
    connectionTestSchema,
  ),
  'clusters:allowExec': channel(z.object({ context: contextName }).strict(), contextListSchema),
  'clusters:revokeExec': channel(z.object({ context: contextName }).strict(), contextListSchema),
  'kube:listNamespaces': channel(
    z.object({ context: contextName }).strict(),
    z.object({ namespaces: z.array(z.string()) }),
  ),
  'kube:getPod': channel(podRef, podDetailSchema),
  'kube:deletePod': channel(podRef, z.object({ deleted: z.literal(true) })),
  'stacks:list': channel(empty, z.object({ stacks: z.array(stackInfoSchema) })),
  /** Checks values against the stack's schema; an empty issues list means they are good. */
  'stacks:validate': channel(
    z.object({ stack: stackName, values: stackValues }).strict(),
    z.object({ issues: z.array(fieldIssueSchema) }),
  ),
  /** What an apply of the values would change on the target, object by object. */
  'deploy:plan': channel(deployInput, planSchema),
  'deploy:apply': channel(deployInput.extend({ prune: z.boolean() }).strict(), applyResultSchema),
  'deploy:revisions': channel(stackOnTargetSchema, z.object({ revisions: z.array(revisionSchema) })),
  /** Re-applies a recorded revision (its references resolved again) as a new revision. */
  'deploy:rollback': channel(
    stackOnTargetSchema.extend({ revision: z.number().int().min(1, 'revision: revisions start at 1') }).strict(),
    applyResultSchema,
  ),
  /** One workload back to the previous spec the target keeps for it (Swarm services). */
  'deploy:rollbackWorkload': channel(
    stackOnTargetSchema.extend({ workload: z.string().min(1).max(255) }).strict(),
    z.object({ rolledBack: z.literal(true) }),
  ),
  /** Removes the stack; claims / volumes (its data) only with deleteData. */
  'deploy:uninstall': channel(stackOnTargetSchema.extend({ deleteData: z.boolean() }).strict(), uninstallResultSchema),
  'docker:listEndpoints': channel(empty, endpointListSchema),
  'docker:addEndpoint': channel(endpointInput, endpointListSchema),
  'docker:removeEndpoint': channel(z.object({ name: endpointName }).strict(), endpointListSchema),
  'docker:testEndpoint': channel(
    z.object({ name: endpointName, timeoutMs: z.number().int().min(100).max(60_000).optional() }).strict(),
    endpointTestSchema,
  ),
  /** Trusts the SSH host key the last test of this endpoint was shown, then tests again. */
  'docker:acceptHostKey': channel(
    z.object({ name: endpointName, fingerprint: z.string().min(1) }).strict(),
    endpointTestSchema,
  ),
  /** Registry credentials for private images: saved in Homeport, or from the user's docker login. No secret. */
  'docker:listRegistries': channel(empty, registryListSchema),
  'docker:addRegistry': channel(addRegistryInput, registryListSchema),
  'docker:removeRegistry': channel(removeRegistryInput, registryListSchema),
  'nas:list': channel(empty, z.object({ hosts: z.array(nasHostSchema) })),
  'nas:add': channel(nasHostInput, z.object({ hosts: z.array(nasHostSchema) })),
  'nas:remove': channel(z.object({ name: endpointName }).strict(), z.object({ hosts: z.array(nasHostSchema) })),
  /** Connects (host key verified first) and reports OS, NFS tools, privilege and free space. */
  'nas:probe': channel(z.object({ name: endpointName }).strict(), nasProbeSchema),
  /** Trusts the host key the last probe was shown (by its fingerprint), then probes again. */
  'nas:acceptHostKey': channel(
    z.object({ name: endpointName, fingerprint: z.string().min(1) }).strict(),
    nasProbeSchema,
  ),
  'nas:listExports': channel(nasRef, z.object({ exports: z.array(nfsExportSchema) })),
  'nas:createExport': channel(
    exportInput,
    z.object({
      export: nfsExportSchema,
      changed: z.boolean(),
      /** What exportfs said when the export is not active. */
      message: z.string().optional(),
    }),
  ),
  'nas:removeExport': channel(
    nasRef.extend({ name: exportName }).strict(),
    z.object({ exports: z.array(nfsExportSchema) }),
  ),
  's3:list': channel(empty, z.object({ profiles: z.array(s3ProfileSchema) })),
  's3:add': channel(s3ProfileInput, z.object({ profiles: z.array(s3ProfileSchema) })),
  's3:remove': channel(z.object({ name: endpointName }).strict(), z.object({ profiles: z.array(s3ProfileSchema) })),
  's3:test': channel(z.object({ name: endpointName }).strict(), s3TestSchema),
  's3:listBuckets': channel(
    z.object({ profile: endpointName }).strict(),
    z.object({ buckets: z.array(s3BucketSchema) }),
  ),
  's3:createBucket': channel(bucketRef.extend({ private: z.boolean() }).strict(), z.object({ created: z.boolean() })),
  's3:deleteBucket': channel(bucketRef, z.object({ deleted: z.literal(true) })),
  's3:makePrivate': channel(bucketRef, z.object({ done: z.literal(true) })),
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
  'metrics:getSettings': channel(z.object({ context: contextName }).strict(), prometheusSettingsSchema),
  'metrics:setSettings': channel(
    z
      .object({
        context: contextName,
        url: z
          .string()
          .trim()
          .max(2048)
          .refine(
            (u) => u === '' || /^https?:\/\//.test(u),
            'url: give http(s)://host:port of Prometheus, or leave it empty',
          )
          .optional(),
        auth: z.enum(['none', 'basic', 'bearer']),
        username: z.string().max(256).optional(),
        /** The password (basic) or token (bearer): sent once, never sent back. */
        secret: typedSecret('secret').optional(),
        caFile: absolutePath('caFile').optional(),
      })
      .strict(),
    prometheusSettingsSchema,
  ),
  'metrics:source': channel(z.object({ context: contextName }).strict(), metricsSourceSchema),
  'metrics:dashboard': channel(stackRef.extend({ range: z.enum(metricRanges) }).strict(), dashboardSchema),
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

/** Renders zod issues as one sentence naming each field, for the user to act on. */
export function describeIssues(error: z.ZodError, what: string): string {
  const parts = error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'input';
    if (issue.code === 'unrecognized_keys') {
      return `${issue.keys.map((k) => `'${k}'`).join(', ')}: unknown field, remove it`;
    }
    return `'${field}': ${issue.message}`;
  });
  return `Invalid input for ${what}: ${parts.join('; ')}`;
}
