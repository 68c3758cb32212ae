/**
 * Container registry credentials for private images on a swarm: which registry, which user. The
 * password or token stays in the main process (Homeport's encrypted secret store, or the user's
 * docker login); nothing here carries it back.
 */
import { z } from 'zod';

/** docker.io, ghcr.io, registry.nas.lan:5000: a host name or address with an optional port, lower case. */
export const REGISTRY_HOST =
  /^(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*|\[[0-9a-f:]+\])(?::\d{1,5})?$/;

export const registryHost = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'registry is required: its host, like ghcr.io or registry.nas.lan:5000')
  .max(253 + 6)
  .regex(REGISTRY_HOST, 'registry: a host name with an optional port, like ghcr.io or registry.nas.lan:5000');

/** A registry credential as the renderer sees it. */
export const registryCredentialSchema = z.object({
  /** The registry host the credential is for; docker.io for images named without one. */
  host: z.string(),
  username: z.string().optional(),
  /** 'saved' in Homeport; 'docker-config' from ~/.docker/config.json (a docker login), read only here. */
  source: z.enum(['saved', 'docker-config']),
  /** For docker-config entries kept by a credential helper: its name (docker-credential-<helper>). */
  helper: z.string().optional(),
});
export type RegistryCredential = z.infer<typeof registryCredentialSchema>;

export const registryListSchema = z.object({ registries: z.array(registryCredentialSchema) });

export const addRegistryInput = z
  .object({
    host: registryHost,
    username: z.string().trim().min(1, 'username is required').max(256),
    /** The password or access token: sent once, stored encrypted, never sent back. */
    secret: z
      .string()
      .min(1, 'secret is required: the password or access token')
      .max(4096)
      .refine((v) => !v.includes('\0') && !/[\r\n]/.test(v), 'secret must be one line without NUL bytes'),
  })
  .strict();
export type AddRegistryInput = z.infer<typeof addRegistryInput>;

export const removeRegistryInput = z.object({ host: registryHost }).strict();
