/**
 * Port-forwards from 127.0.0.1 to a pod or a Service of a cluster: what the renderer and the CLI
 * ask for and what they are shown. Forwards listen on the loopback address only.
 */
import { z } from 'zod';
import { contextName, k8sName, namespaceName } from './names';

/** A port name as Kubernetes allows it (IANA_SVC_NAME): lower case, digits and '-', a letter, 15 characters at most. */
const PORT_NAME = /^(?=.*[a-z])[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,14}$/;

export const remotePortSchema = z.union([
  z.number().int().min(1, 'remotePort: use 1-65535').max(65535, 'remotePort: use 1-65535'),
  z
    .string()
    .regex(
      PORT_NAME,
      'remotePort: a port number (1-65535) or a port name like http (lower case, at most 15 characters)',
    ),
]);

export const localPortSchema = z
  .number()
  .int()
  .min(0, 'localPort: use 0-65535 (0 picks a free port)')
  .max(65535, 'localPort: use 0-65535 (0 picks a free port)');

export const forwardTargetSchema = z.object({ kind: z.enum(['pod', 'service']), name: k8sName }).strict();
export type ForwardTargetRef = z.infer<typeof forwardTargetSchema>;

export const portForwardStartSchema = z
  .object({
    context: contextName,
    namespace: namespaceName,
    target: forwardTargetSchema,
    /** The pod's port, or the Service's port, by number or name. */
    remotePort: remotePortSchema,
    /** 0 or omitted: a free port. */
    localPort: localPortSchema.optional(),
  })
  .strict();
export type PortForwardStart = z.infer<typeof portForwardStartSchema>;

export const portForwardSchema = z.object({
  id: z.string(),
  context: z.string(),
  namespace: z.string(),
  target: z.object({ kind: z.enum(['pod', 'service']), name: z.string() }),
  remotePort: z.union([z.number(), z.string()]),
  localPort: z.number(),
  /** http://127.0.0.1:PORT */
  url: z.string(),
  /** The pod new connections go to now, and its port. */
  pod: z.string().optional(),
  podPort: z.number().optional(),
  connections: z.number(),
  startedAt: z.string(),
  lastError: z.string().optional(),
});
export type PortForward = z.infer<typeof portForwardSchema>;

export const portForwardListSchema = z.object({ forwards: z.array(portForwardSchema) });

export const portForwardStopSchema = z.object({ id: z.string().min(1).max(64) }).strict();

/** What a pod offers to forward: its declared container ports and the Services that select it. */
export const forwardOptionsSchema = z.object({
  ports: z.array(z.object({ container: z.string(), name: z.string().optional(), port: z.number() })),
  services: z.array(
    z.object({
      name: z.string(),
      ports: z.array(z.object({ name: z.string().optional(), port: z.number() })),
    }),
  ),
});
export type ForwardOptions = z.infer<typeof forwardOptionsSchema>;
