/** Inputs of the Docker endpoint channels: what the contract, the endpoint service and the CLI accept. */
import { z } from 'zod';
import { absolutePath, savedName, storedName } from './names';
import { dockerEndpointSchema } from './swarm-schemas';

/** A new Docker endpoint as the user types it; the URL is parsed in full by the endpoint service. */
export const dockerEndpointInputSchema = z
  .object({
    name: savedName,
    url: z.string().trim().min(1, 'enter unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host').max(2048),
    tls: z.object({ caFile: absolutePath, certFile: absolutePath, keyFile: absolutePath }).strict().optional(),
    /** For ssh://: a private key file (else the SSH agent). */
    sshKeyFile: absolutePath.optional(),
  })
  .strict();
export type DockerEndpointInput = z.input<typeof dockerEndpointInputSchema>;

/** A saved endpoint named in a request ('env' stands for $DOCKER_HOST). */
export const endpointRefSchema = z.object({ name: savedName }).strict();
/** Remove takes any saved name, so an endpoint saved under an older rule can still go. */
export const endpointRemoveSchema = z.object({ name: storedName }).strict();

export const endpointListSchema = z.object({
  endpoints: z.array(
    dockerEndpointSchema.extend({
      /** 'saved' in Homeport, or 'env' from $DOCKER_HOST (read only here). */
      source: z.enum(['saved', 'env', 'context']),
    }),
  ),
});
export type EndpointList = z.infer<typeof endpointListSchema>;
