/**
 * Where a stack is deployed: one union for every kind of target. Channels and topics that act on a
 * deployed stack take `{ target, stack }`; a new kind of target adds its member here.
 */
import { z } from 'zod';
import { contextName, namespaceName, savedName, stackName } from './names';

export const kubernetesTargetSchema = z
  .object({ kind: z.literal('kubernetes'), context: contextName, namespace: namespaceName })
  .strict();
export const swarmTargetSchema = z.object({ kind: z.literal('swarm'), endpoint: savedName }).strict();

export const targetSchema = z.discriminatedUnion('kind', [kubernetesTargetSchema, swarmTargetSchema]);
export type Target = z.infer<typeof targetSchema>;
export type TargetKind = Target['kind'];
export type KubernetesTarget = z.infer<typeof kubernetesTargetSchema>;
export type SwarmTarget = z.infer<typeof swarmTargetSchema>;

/** A stack on a target. */
export const stackOnTargetSchema = z.object({ target: targetSchema, stack: stackName }).strict();
export type StackOnTarget = z.infer<typeof stackOnTargetSchema>;

/** The target in the user's words: "namespace media of context home" / "swarm endpoint nas". */
export function describeTarget(t: Target): string {
  return t.kind === 'kubernetes'
    ? `namespace ${t.namespace} of context '${t.context}'`
    : `swarm endpoint '${t.endpoint}'`;
}
