/**
 * Schemas of the Deploy screen's values form: the values of the revision that is live on a target,
 * which the form starts from, and the marker a stack's values schema puts on fields that only one
 * kind of target reads.
 */
import { z } from 'zod';
import { stackOnTargetSchema } from './target-schemas';

/**
 * JSON Schema keyword a values schema sets (with zod's `.meta()`) on a field or group that only one
 * kind of target reads: the form hides it for the other kind. Fields without it apply to both.
 */
export const TARGET_ONLY_KEY = 'x-homeport-target';
export type TargetOnly = 'kubernetes' | 'swarm';

/** `.meta()` of a field only Kubernetes reads (an Ingress, an autoscaler, a StorageClass). */
export const kubernetesOnly = { [TARGET_ONLY_KEY]: 'kubernetes' } as const satisfies Record<string, TargetOnly>;
/** `.meta()` of a field only Docker Swarm reads (ports published on the nodes). */
export const swarmOnly = { [TARGET_ONLY_KEY]: 'swarm' } as const satisfies Record<string, TargetOnly>;

/**
 * The values of the live revision (the newest Homeport recorded) of a stack on a target, as the
 * form edits them: references (a saved NAS export, an S3 profile) rather than what they resolved
 * to. They hold no secret value: Secrets keep those, the values only name them.
 */
export const liveValuesSchema = z.object({
  live: z
    .object({
      revision: z.number().int(),
      appliedAt: z.string(),
      values: z.record(z.string(), z.unknown()),
    })
    .nullable(),
});
export type LiveValues = z.infer<typeof liveValuesSchema>;

/** The form's channels, spread into the contract's channels. */
export const deployFormChannels = {
  /** The values of the newest revision of the stack on the target; `live: null` when none is recorded. */
  'deploy:liveValues': { input: stackOnTargetSchema, output: liveValuesSchema },
};
