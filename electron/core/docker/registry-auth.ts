/**
 * Registry credentials as the docker CLI finds them: the registry host an image names (docker.io
 * for bare names), the user's ~/.docker/config.json (`auths` entries, `credHelpers` per registry,
 * `credsStore` for the rest) and credential helpers run as `docker-credential-<name> get` with the
 * server address on stdin. The result becomes the X-Registry-Auth header the engine passes to the
 * nodes that pull the image.
 */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { errorMessage, HomeportError } from '../errors';

export const DOCKER_HUB = 'docker.io';
/** The server address docker login, config.json and credential helpers use for Docker Hub. */
export const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';

/** A credential for one registry; either a user name and password, or an identity (refresh) token. */
export type RegistryAuth =
  { username: string; password: string; serveraddress: string } | { identitytoken: string; serveraddress: string };

/**
 * The registry host of an image reference, as the engine resolves it: the first path component
 * when it has a '.' or ':' or is 'localhost', else Docker Hub.
 */
export function registryOfImage(image: string): string {
  const name = image.split('@')[0]!;
  const slash = name.indexOf('/');
  if (slash < 0) return DOCKER_HUB;
  const first = name.slice(0, slash);
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') return DOCKER_HUB;
  return normalizeRegistryHost(first);
}

/** docker login's host names for a registry: scheme and path dropped, Docker Hub's aliases merged. */
export function normalizeRegistryHost(raw: string): string {
  let host = raw.trim().toLowerCase();
  host = host.replace(/^https?:\/\//, '').split('/')[0]!;
  if (host === 'index.docker.io' || host === 'registry-1.docker.io' || host === 'registry.hub.docker.com') {
    return DOCKER_HUB;
  }
  return host;
}

/** The server address to name in the header and to give a credential helper. */
export const serverAddressOf = (host: string) => (host === DOCKER_HUB ? DOCKER_HUB_SERVER : host);

/** X-Registry-Auth: base64url (with padding, as the engine decodes it) of the JSON credential. */
export function encodeRegistryAuth(auth: RegistryAuth): string {
  return Buffer.from(JSON.stringify(auth), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

export interface DockerConfig {
  file: string;
  auths: Record<string, { auth?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers: Record<string, string>;
}

const MAX_CONFIG_BYTES = 1024 * 1024;

/** $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
export function dockerConfigFile(env: NodeJS.ProcessEnv): string {
  const dir = env.DOCKER_CONFIG?.trim() || join(env.HOME ?? homedir(), '.docker');
  return join(dir, 'config.json');
}

/** Reads the docker CLI's config; undefined when there is none. */
export async function readDockerConfig(env: NodeJS.ProcessEnv): Promise<DockerConfig | undefined> {
  const file = dockerConfigFile(env);
  let text: string;
  try {
    const handle = await open(file, 'r');
    try {
      const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      if (bytesRead > MAX_CONFIG_BYTES) {
        throw new HomeportError(
          'INVALID_INPUT',
          `${file} is larger than 1 MiB; it is not a docker config Homeport reads`,
        );
      }
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (err instanceof HomeportError) throw err;
    throw new HomeportError('INVALID_INPUT', `Cannot read ${file}: ${errorMessage(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HomeportError('INVALID_INPUT', `${file} is not valid JSON; fix it (docker login rewrites it)`);
  }
  const obj = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const record = (v: unknown) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
  const auths: DockerConfig['auths'] = {};
  for (const [key, entry] of Object.entries(record(obj.auths))) {
    const e = record(entry);
    auths[normalizeRegistryHost(key)] = {
      ...(typeof e.auth === 'string' && e.auth !== '' ? { auth: e.auth } : {}),
      ...(typeof e.identitytoken === 'string' && e.identitytoken !== '' ? { identitytoken: e.identitytoken } : {}),
    };
  }
  const credHelpers: Record<string, string> = {};
  for (const [key, helper] of Object.entries(record(obj.credHelpers))) {
    if (typeof helper === 'string' && helper !== '') credHelpers[normalizeRegistryHost(key)] = helper;
  }
  return {
    file,
    auths,
    credHelpers,
    ...(typeof obj.credsStore === 'string' && obj.credsStore !== '' ? { credsStore: obj.credsStore } : {}),
  };
}

/** `auth` is base64 of "user:password". */
export function decodeBasicAuth(auth: string, file: string, host: string): { username: string; password: string } {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) {
    throw new HomeportError(
      'INVALID_INPUT',
      `${file}: the 'auth' of ${host} is not base64 of user:password; log in again (docker login ${host})`,
    );
  }
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The credential helper program is not installed. */
export class CredentialHelperMissingError extends HomeportError {
  constructor(readonly helper: string) {
    super(
      'UNAVAILABLE',
      `The docker config names the credential helper '${helper}', but docker-credential-${helper} is not on PATH; install it or run docker login again`,
    );
    this.name = 'CredentialHelperMissingError';
  }
}

const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const HELPER_TIMEOUT_MS = 20_000;
const MAX_HELPER_OUTPUT = 64 * 1024;

/**
 * Asks `docker-credential-<helper> get` for the registry's credential, the way the docker CLI does.
 * Undefined when the helper has none for it.
 */
export async function runCredentialHelper(
  helper: string,
  host: string,
  env: NodeJS.ProcessEnv,
): Promise<RegistryAuth | undefined> {
  if (!HELPER_NAME.test(helper)) {
    throw new HomeportError('INVALID_INPUT', `"${helper}" is not a credential helper name Homeport runs`);
  }
  const program = `docker-credential-${helper}`;
  const serverAddress = serverAddressOf(host);
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new HomeportError('UNAVAILABLE', `${program} did not answer within ${HELPER_TIMEOUT_MS / 1000} s`));
      }, HELPER_TIMEOUT_MS);
      const keep = (into: Buffer[]) => (c: Buffer) => {
        size += c.length;
        if (size > MAX_HELPER_OUTPUT) child.kill('SIGKILL');
        else into.push(c);
      };
      child.stdout.on('data', keep(out));
      child.stderr.on('data', keep(err));
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          e.code === 'ENOENT'
            ? new CredentialHelperMissingError(helper)
            : new HomeportError('UNAVAILABLE', `Could not run ${program}: ${e.message}`),
        );
      });
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({
          code: status,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(serverAddress);
    },
  );
  if (code !== 0) {
    const said = `${stdout} ${stderr}`.trim();
    if (/credentials not found/i.test(said)) return undefined;
    throw new HomeportError(
      'UNAVAILABLE',
      `${program} get failed for ${serverAddress} (exit ${code ?? 'signal'})${said ? `: ${said.slice(0, 300)}` : ''}`,
    );
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    throw new HomeportError('UNAVAILABLE', `${program} get answered something that is not JSON`);
  }
  const secret = typeof parsed.Secret === 'string' ? parsed.Secret : '';
  const username = typeof parsed.Username === 'string' ? parsed.Username : '';
  if (secret === '') return undefined;
  // Helpers store identity tokens under the user name "<token>", as docker login does.
  if (username === '<token>') return { identitytoken: secret, serveraddress: serverAddress };
  return { username, password: secret, serveraddress: serverAddress };
}

/** The credential the docker config holds for a registry host, if any. */
export async function dockerConfigAuth(
  config: DockerConfig,
  host: string,
  env: NodeJS.ProcessEnv,
): Promise<RegistryAuth | undefined> {
  const serveraddress = serverAddressOf(host);
  const helper = config.credHelpers[host];
  if (helper) return runCredentialHelper(helper, host, env);
  if (config.credsStore) {
    // A default store left behind by an uninstalled Docker Desktop must not stop public images.
    const stored = await runCredentialHelper(config.credsStore, host, env).catch((err: unknown) => {
      if (err instanceof CredentialHelperMissingError) return undefined;
      throw err;
    });
    if (stored) return stored;
  }
  const entry = config.auths[host];
  if (entry?.identitytoken) return { identitytoken: entry.identitytoken, serveraddress };
  if (entry?.auth) return { ...decodeBasicAuth(entry.auth, config.file, host), serveraddress };
  return undefined;
}
