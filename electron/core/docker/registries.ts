/**
 * Registry credentials for private images on a swarm. Saved ones live in
 * <dataDir>/docker-registries.json (host and user name, 0600) with the password or token only in
 * the encrypted secret store under `registry/<host>/secret`; the user's docker login
 * (~/.docker/config.json and its credential helpers) is read, never written. A saved credential
 * wins over docker's for the same registry. Secrets leave this module only as X-Registry-Auth
 * headers for the engine.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { addRegistryInput, registryHost, type RegistryCredential } from '@shared/registry-schemas';
import { errorMessage, HomeportError } from '../errors';
import type { SecretStore } from '../secrets/secret-store';
import { JsonStore } from '../storage/json-store';
import {
  decodeBasicAuth,
  dockerConfigAuth,
  encodeRegistryAuth,
  readDockerConfig,
  registryOfImage,
  serverAddressOf,
  type RegistryAuth,
} from './registry-auth';

const storeSchema = z.object({ registries: z.array(z.object({ host: z.string(), username: z.string() })) });

export const registrySecretId = (host: string) => `registry/${host}/secret`;

function checkHost(host: string): string {
  const parsed = registryHost.safeParse(host);
  if (!parsed.success) throw new HomeportError('INVALID_INPUT', `'host': ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export function createRegistries(opts: { dataDir: string; secrets: SecretStore; env?: NodeJS.ProcessEnv }) {
  const env = opts.env ?? process.env;
  const { secrets } = opts;
  const store = new JsonStore(join(opts.dataDir, 'docker-registries.json'), storeSchema, () => ({ registries: [] }));

  /** Saved credentials first, then the docker login's registries Homeport has none for. */
  async function list(): Promise<RegistryCredential[]> {
    const saved = (await store.read()).registries.map((r) => ({ ...r, source: 'saved' as const }));
    const config = await readDockerConfig(env).catch(() => undefined);
    if (!config) return saved;
    const known = new Set(saved.map((r) => r.host));
    const fromConfig: RegistryCredential[] = [];
    const hosts = new Set([...Object.keys(config.auths), ...Object.keys(config.credHelpers)]);
    for (const host of [...hosts].sort()) {
      if (known.has(host)) continue;
      const helper = config.credHelpers[host] ?? (config.auths[host]?.auth ? undefined : config.credsStore);
      const auth = config.auths[host]?.auth;
      let username: string | undefined;
      try {
        if (!helper && auth) username = decodeBasicAuth(auth, config.file, host).username;
      } catch {
        // A malformed entry is listed without its user; using it says what is wrong.
      }
      if (!helper && !auth && !config.auths[host]?.identitytoken) continue;
      fromConfig.push({
        host,
        source: 'docker-config',
        ...(username ? { username } : {}),
        ...(helper ? { helper } : {}),
      });
    }
    return [...saved, ...fromConfig];
  }

  async function add(input: { host: string; username: string; secret: string }): Promise<void> {
    const parsed = addRegistryInput.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HomeportError('INVALID_INPUT', `'${issue?.path.join('.') || 'input'}': ${issue?.message}`);
    }
    const { host, username, secret } = parsed.data;
    await store.update((s) => {
      if (s.registries.some((r) => r.host === host)) {
        throw new HomeportError(
          'CONFLICT',
          `'host': a credential for ${host} is saved already; remove it first to replace it`,
        );
      }
      return { registries: [...s.registries, { host, username }] };
    });
    try {
      await secrets.set(registrySecretId(host), secret);
    } catch (err) {
      await store.update((s) => ({ registries: s.registries.filter((r) => r.host !== host) })).catch(() => {});
      throw err;
    }
  }

  async function remove(rawHost: string): Promise<void> {
    const host = checkHost(rawHost);
    await store.update((s) => {
      if (!s.registries.some((r) => r.host === host)) {
        throw new HomeportError(
          'NOT_FOUND',
          `No registry credential for ${host} is saved in Homeport (one from ~/.docker/config.json is removed with docker logout ${host})`,
        );
      }
      return { registries: s.registries.filter((r) => r.host !== host) };
    });
    await secrets.delete(registrySecretId(host));
  }

  /** The credential for a registry host: Homeport's saved one, else the docker login's. */
  async function credentialFor(host: string): Promise<RegistryAuth | undefined> {
    const saved = (await store.read()).registries.find((r) => r.host === host);
    if (saved) {
      const password = await secrets.get(registrySecretId(host));
      if (password === undefined) {
        throw new HomeportError(
          'NOT_FOUND',
          `The registry credential for ${host} has no stored password; remove it and add it again`,
        );
      }
      return { username: saved.username, password, serveraddress: serverAddressOf(host) };
    }
    const config = await readDockerConfig(env);
    return config ? dockerConfigAuth(config, host, env) : undefined;
  }

  /** The X-Registry-Auth header for pulling `image`, or undefined when no credential is known for its registry. */
  async function authHeader(image: string): Promise<string | undefined> {
    const host = registryOfImage(image);
    try {
      const auth = await credentialFor(host);
      return auth ? encodeRegistryAuth(auth) : undefined;
    } catch (err) {
      if (err instanceof HomeportError) {
        throw new HomeportError(err.code, `Registry credential for ${host} (image ${image}): ${err.message}`);
      }
      throw new HomeportError('INTERNAL', `Registry credential for ${host} (image ${image}): ${errorMessage(err)}`);
    }
  }

  return { list, add, remove, authHeader };
}

export type Registries = ReturnType<typeof createRegistries>;
