/** Inputs and results of the Swarm screen's service actions: scale, restart (force update), remove. */
import { z } from 'zod';
import { savedName } from './names';

export const serviceRefSchema = z
  .object({
    endpoint: savedName,
    /** The service's ID or name. */
    service: z.string().trim().min(1, 'pick a service').max(255),
  })
  .strict();

export const scaleServiceSchema = serviceRefSchema
  .extend({
    replicas: z
      .number({ message: 'enter a whole number of replicas' })
      .int('enter a whole number of replicas')
      .min(0, 'use 0 or more (0 stops every task)')
      .max(1000, 'use at most 1000'),
  })
  .strict();
