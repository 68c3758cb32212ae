/**
 * Docker contexts (docker context create/use) as read-only endpoints, the way the docker CLI stores
 * them: ~/.docker/contexts/meta/<sha256(name)>/meta.json names the engine (Endpoints.docker.Host,
 * SkipTLSVerify), and ~/.docker/contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem holds its TLS
 * material. Each is listed as `context-<name>`; Homeport never writes them.
 */
import { createHash } from 'node:crypto';
import { access, readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DockerEndpoint } from '@shared/swarm-schemas';
import { DNS_LABEL } from '@shared/names';

export const CONTEXT_PREFIX = 'context-';
const MAX_META_BYTES = 256 * 1024;

export interface ContextEndpoint extends DockerEndpoint {
  /** The docker context's own name. */
  context: string;
  /** Why Homeport will not connect as the context says (shown when the endpoint is used). */
  problem?: string;
}

/** $DOCKER_CONFIG or ~/.docker. */
export function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG?.trim() || join(env.HOME ?? homedir(), '.docker');
}

/**
 * The endpoint name of a context: `context-<name>` when that is a valid name, else the name made
 * valid (lower case, other characters as '-') with a short hash of the original, so two contexts
 * never share a name.
 */
export function contextEndpointName(context: string): string {
  const plain = `${CONTEXT_PREFIX}${context}`;
  if (DNS_LABEL.test(plain)) return plain;
  const hash = createHash('sha256').update(context).digest('hex').slice(0, 6);
  const cleaned = context
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63 - CONTEXT_PREFIX.length - hash.length - 1)
    .replace(/-+$/, '');
  return `${CONTEXT_PREFIX}${cleaned ? `${cleaned}-` : ''}${hash}`;
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** The contexts of the docker CLI that name a Docker engine; unreadable ones are skipped. */
export async function readDockerContexts(env: NodeJS.ProcessEnv): Promise<ContextEndpoint[]> {
  const base = join(dockerConfigDir(env), 'contexts');
  const dirs = await readdir(join(base, 'meta')).catch(() => [] as string[]);
  const out: ContextEndpoint[] = [];
  for (const dir of dirs.sort()) {
    if (!/^[0-9a-f]{64}$/.test(dir)) continue;
    const text = await readFile(join(base, 'meta', dir, 'meta.json'), 'utf8').catch(() => undefined);
    if (text === undefined || text.length > MAX_META_BYTES) continue;
    let meta: { Name?: unknown; Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
    try {
      meta = JSON.parse(text) as typeof meta;
    } catch {
      continue;
    }
    const name = meta.Name;
    const docker = meta.Endpoints?.docker;
    if (typeof name !== 'string' || name === '' || typeof docker?.Host !== 'string' || docker.Host === '') continue;
    // The docker CLI finds a context's files by the hash of its name; a directory that does not match is stale.
    if (createHash('sha256').update(name).digest('hex') !== dir) continue;
    const endpoint: ContextEndpoint = { name: contextEndpointName(name), url: docker.Host, context: name };
    const problems: string[] = [];
    const tlsDir = join(base, 'tls', dir, 'docker');
    const files = {
      caFile: join(tlsDir, 'ca.pem'),
      certFile: join(tlsDir, 'cert.pem'),
      keyFile: join(tlsDir, 'key.pem'),
    };
    const present = await Promise.all(Object.values(files).map(exists));
    if (present.every(Boolean)) endpoint.tls = files;
    else if (present.some(Boolean)) {
      problems.push(
        `its TLS material in ${tlsDir} lacks ${['ca.pem', 'cert.pem', 'key.pem'].filter((_, i) => !present[i]).join(' and ')}; Homeport connects with the CA, client certificate and key together`,
      );
    }
    if (docker.SkipTLSVerify === true) {
      problems.push(
        `it skips TLS verification (SkipTLSVerify), and Homeport always verifies the engine's certificate; give the context the engine's CA (docker context update ${name} --docker "host=${docker.Host},ca=...,cert=...,key=...")`,
      );
    }
    if (problems.length > 0) endpoint.problem = `docker context '${name}': ${problems.join('; ')}`;
    out.push(endpoint);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
