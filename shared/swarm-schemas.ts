/** Schemas of Docker Swarm endpoints and their live state: compact summaries, not whole objects. */
import { z } from 'zod';
import { deltaSchema } from './kube-schemas';
import { hostKeySchema, sshFailureReasons } from './ssh-schemas';

/**
 * A saved Docker endpoint. TLS material is referenced by file path and read only by the main
 * process; nothing secret is stored here.
 */
export const dockerEndpointSchema = z.object({
  name: z.string(),
  /** unix:///var/run/docker.sock, tcp://host:2376 (TLS) or ssh://user@host[:port][/path/to/docker.sock]. */
  url: z.string(),
  tls: z.object({ caFile: z.string(), certFile: z.string(), keyFile: z.string() }).optional(),
  /** For ssh://: a private key file (else the SSH agent). */
  sshKeyFile: z.string().optional(),
});
export type DockerEndpoint = z.infer<typeof dockerEndpointSchema>;

/** The SSH reasons (an ssh:// endpoint fails as a NAS host does), plus what the engine's HTTP API adds. */
export const dockerFailureReasons = [...sshFailureReasons, 'tls', 'http'] as const;

export const endpointTestSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('connected'),
    endpoint: z.string(),
    version: z.string(),
    apiVersion: z.string(),
    os: z.string(),
    swarm: z.object({
      /** inactive, pending, active, error, locked */
      state: z.string(),
      isManager: z.boolean(),
      nodeId: z.string().optional(),
      nodes: z.number().int().optional(),
      managers: z.number().int().optional(),
    }),
    latencyMs: z.number(),
  }),
  z.object({
    status: z.literal('failed'),
    endpoint: z.string(),
    reason: z.enum(dockerFailureReasons),
    message: z.string(),
    /** For an SSH endpoint whose host key is not known yet: what the user is asked to accept. */
    hostKey: hostKeySchema.optional(),
  }),
]);
export type EndpointTest = z.infer<typeof endpointTestSchema>;

export const swarmNodeSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  role: z.enum(['manager', 'worker']),
  /** active, pause, drain */
  availability: z.string(),
  /** ready, down, disconnected, unknown */
  state: z.string(),
  address: z.string().optional(),
  engineVersion: z.string().optional(),
  /** For managers: reachable, unreachable, unknown. */
  managerReachability: z.string().optional(),
  /** This manager is the Raft leader. */
  leader: z.boolean(),
});
export type SwarmNode = z.infer<typeof swarmNodeSchema>;

export const swarmServiceSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** com.docker.stack.namespace, when the service belongs to a stack. */
  stack: z.string().optional(),
  mode: z.enum(['replicated', 'global', 'other']),
  running: z.number().int(),
  desired: z.number().int(),
  image: z.string(),
  ports: z.array(z.object({ published: z.number().int(), target: z.number().int(), protocol: z.string() })),
  /** Rolling update state: updating, paused, completed, rollback_started, rollback_completed, ... */
  update: z.object({ state: z.string(), message: z.string().optional() }).optional(),
  updatedAt: z.string(),
});
export type SwarmService = z.infer<typeof swarmServiceSchema>;

export const swarmTaskSchema = z.object({
  id: z.string(),
  serviceId: z.string(),
  serviceName: z.string(),
  slot: z.number().int().optional(),
  nodeId: z.string().optional(),
  node: z.string().optional(),
  /** new, pending, assigned, preparing, starting, running, complete, failed, shutdown, rejected, orphaned */
  state: z.string(),
  desiredState: z.string(),
  message: z.string().optional(),
  error: z.string().optional(),
  image: z.string().optional(),
  updatedAt: z.string(),
});
export type SwarmTask = z.infer<typeof swarmTaskSchema>;

export const swarmNodeDeltaSchema = deltaSchema(swarmNodeSchema);
export type SwarmNodeDelta = z.infer<typeof swarmNodeDeltaSchema>;
export const swarmServiceDeltaSchema = deltaSchema(swarmServiceSchema);
export type SwarmServiceDelta = z.infer<typeof swarmServiceDeltaSchema>;
export const swarmTaskDeltaSchema = deltaSchema(swarmTaskSchema);
export type SwarmTaskDelta = z.infer<typeof swarmTaskDeltaSchema>;
