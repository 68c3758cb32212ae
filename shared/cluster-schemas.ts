/** Schemas of kubeconfig contexts and their connections, and the kubeconfig path the user adds. */
import { z } from 'zod';
import { contextName, type Problem } from './names';

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
  /** True for Homeport's sandbox cluster (either runtime), which the UI labels as such. */
  simulated: z.boolean(),
  /** What runs the sandbox's pods: simulated, or real containers on a Docker engine. */
  sandboxRuntime: z.enum(['simulated', 'docker']).optional(),
  /** Problems that will stop a connection, e.g. a context naming a cluster that does not exist. */
  problems: z.array(z.string()),
});
export type ContextSummary = z.infer<typeof contextSummarySchema>;
export type SandboxRuntime = NonNullable<ContextSummary['sandboxRuntime']>;

/**
 * How the UI names a sandbox context (undefined for any other): its pods are simulated, or real
 * containers that exec and port-forward reach.
 */
export function sandboxLabel(c: Pick<ContextSummary, 'simulated' | 'sandboxRuntime'>): string | undefined {
  if (!c.simulated) return undefined;
  return c.sandboxRuntime === 'docker' ? 'sandbox (Docker runtime)' : 'simulated';
}

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

/** A kubeconfig file: a full path, or one under the home directory written with ~ (as kubectl users do). */
export function kubeconfigPathProblem(v: string): Problem {
  if (v === '') return 'path is required: give the full path of a kubeconfig file';
  if (v.length > 4096) return 'is longer than 4096 characters';
  if (v.includes('\0')) return 'path must not contain a NUL byte';
  const absolute = v.startsWith('/') || /^[A-Za-z]:[\\/]/.test(v) || v === '~' || v.startsWith('~/');
  if (!absolute) return `'${v}' is relative; give the full path, e.g. ~/.kube/config`;
  return undefined;
}

export const kubeconfigPath = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const message = kubeconfigPathProblem(v);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });

export const kubeconfigPathInputSchema = z.object({ path: kubeconfigPath }).strict();
export const contextRefSchema = z.object({ context: contextName }).strict();
export const connectionTestInputSchema = contextRefSchema
  .extend({ timeoutMs: z.number().int().min(100).max(60_000).optional() })
  .strict();
