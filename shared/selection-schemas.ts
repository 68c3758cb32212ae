/** What the user chose to look at, remembered in the data directory across restarts. */
import { z } from 'zod';
import { contextName, savedName as endpointName } from './names';

export const selectionSchema = z
  .object({
    /** The cluster the live screens (Pods, Leaders, ...) show. */
    context: contextName.optional(),
    /** Where stacks go: Kubernetes or Docker Swarm. */
    targetKind: z.enum(['kubernetes', 'swarm']).optional(),
    /**
     * The namespace typed for stacks, as typed (checked when a stack is planned); empty means "the
     * stack's name".
     */
    targetNamespace: z.string().max(253).optional(),
    /** The Docker endpoint stacks go to. */
    endpoint: endpointName.optional(),
    /** The Docker endpoint the Swarm and Leaders screens show (their own picker). */
    swarmEndpoint: endpointName.optional(),
  })
  .strict();
export type Selection = z.infer<typeof selectionSchema>;
