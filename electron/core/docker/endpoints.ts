/**
 * The Docker endpoints Homeport knows: the ones saved in <dataDir>/docker-endpoints.json (0600) and,
 * read only, $DOCKER_HOST as 'env' and the docker CLI's contexts as 'context-<name>'. Opens clients to them and tests them, classifying failures so
 * the UI can say what to fix.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { dockerEndpointSchema, type DockerEndpoint, type EndpointTest } from '@shared/swarm-schemas';
import { storedName } from '@shared/names';
import { checkField, errorMessage, HomeportError } from '../errors';
import { SshError } from '../ssh/errors';
import type { SshTrust } from '../ssh/trust';
import { JsonStore } from '../storage/json-store';
import { readUserText } from '../storage/user-file';
import { createDockerClient, DockerRequestError, type DockerClient, type DockerTransport } from './client';
import { DockerEndpointError } from './endpoint-error';
import { parseEndpointUrl, validateEndpoint, type EndpointAddress } from './endpoint-url';
import { CONTEXT_PREFIX, readDockerContexts } from './contexts';
import { acceptEndpointHostKey, openSshTransport, replaceEndpointHostKey } from './ssh-transport';
import { createDeadline } from '../deadline';

// Re-exported: callers know the error as part of the endpoints service.
export { DockerEndpointError, type DockerEndpointFailure } from './endpoint-error';

export const ENV_ENDPOINT = 'env';

export type ListedEndpoint = DockerEndpoint & {
  /** 'saved' in Homeport, 'env' from $DOCKER_HOST, or 'context' from a docker context (listed, not removable). */
  source: 'saved' | 'env' | 'context';
  /** For a context: why Homeport will not connect as it says (not sent to the renderer). */
  problem?: string;
};

export interface DockerEndpointsOptions {
  dataDir: string;
  /** The data directory's SSH trust (for ssh:// endpoints), shared with the NAS hosts. */
  trust: SshTrust;
  env?: NodeJS.ProcessEnv;
}

const storeSchema = z.object({ endpoints: z.array(dockerEndpointSchema) });

/** $DOCKER_HOST (with $DOCKER_TLS_VERIFY / $DOCKER_CERT_PATH) as the read-only endpoint 'env'. */
export function envEndpoint(env: NodeJS.ProcessEnv): DockerEndpoint | undefined {
  const url = env.DOCKER_HOST?.trim();
  if (!url) return undefined;
  const endpoint: DockerEndpoint = { name: ENV_ENDPOINT, url };
  const verify = env.DOCKER_TLS_VERIFY;
  if (url.startsWith('tcp://') && verify !== undefined && verify !== '' && verify !== '0') {
    const dir = env.DOCKER_CERT_PATH?.trim() || join(env.HOME ?? homedir(), '.docker');
    endpoint.tls = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
  }
  return endpoint;
}

async function readTlsFile(endpoint: DockerEndpoint, field: string, file: string): Promise<string> {
  try {
    return await readUserText(file, { kind: 'pem', field: `Endpoint '${endpoint.name}': 'tls.${field}'` });
  } catch (err) {
    throw new DockerEndpointError(
      'config',
      `${errorMessage(err)}. Point it at the right file (docker's ca.pem, cert.pem, key.pem) or fix its permissions.`,
    );
  }
}

export function createDockerEndpoints(opts: DockerEndpointsOptions) {
  const env = opts.env ?? process.env;
  const { trust } = opts;
  const store = new JsonStore(join(opts.dataDir, 'docker-endpoints.json'), storeSchema, () => ({ endpoints: [] }));
  /** The Engine API version negotiated per endpoint (by name and URL), so only the first client pings. */
  const apiVersions = new Map<string, string>();

  async function list(): Promise<ListedEndpoint[]> {
    const saved = (await store.read()).endpoints.map((e) => ({ ...e, source: 'saved' as const }));
    const contexts = (await readDockerContexts(env)).map(({ context: _context, ...e }) => ({
      ...e,
      source: 'context' as const,
    }));
    const fromEnv = envEndpoint(env);
    return [...(fromEnv ? [{ ...fromEnv, source: 'env' as const }] : []), ...contexts, ...saved];
  }

  async function get(name: string): Promise<ListedEndpoint> {
    const found = (await list()).find((e) => e.name === name);
    if (!found) {
      throw new HomeportError(
        'NOT_FOUND',
        name === ENV_ENDPOINT
          ? `Endpoint 'env' stands for $DOCKER_HOST, which is not set`
          : `No Docker endpoint named '${name}'; add it first`,
      );
    }
    return found;
  }

  async function add(input: DockerEndpoint): Promise<DockerEndpoint> {
    const { endpoint } = validateEndpoint(input);
    if (endpoint.name === ENV_ENDPOINT) {
      throw new HomeportError('CONFLICT', `'name': 'env' is reserved for $DOCKER_HOST; pick another name`);
    }
    if (endpoint.name.startsWith(CONTEXT_PREFIX)) {
      throw new HomeportError(
        'CONFLICT',
        `'name': names starting with '${CONTEXT_PREFIX}' are the docker contexts Homeport lists; pick another name`,
      );
    }
    await store.update((s) => {
      if (s.endpoints.some((e) => e.name === endpoint.name)) {
        throw new HomeportError(
          'CONFLICT',
          `'name': an endpoint named '${endpoint.name}' exists already; pick another name or remove it first`,
        );
      }
      return { endpoints: [...s.endpoints, endpoint] };
    });
    return endpoint;
  }

  async function remove(name: string): Promise<void> {
    if (name === ENV_ENDPOINT && envEndpoint(env)) {
      throw new HomeportError(
        'NOT_FOUND',
        `'name': 'env' comes from $DOCKER_HOST and is not saved in Homeport; change or unset it there`,
      );
    }
    // Any saved name, even one from before today's rule, can be removed.
    checkField(storedName, 'name', name);
    const context = (await list()).find((e) => e.name === name && e.source === 'context');
    if (context) {
      throw new HomeportError(
        'CONFLICT',
        `'name': '${name}' is a docker context, not saved in Homeport; remove it with docker context rm`,
      );
    }
    await store.update((s) => {
      if (!s.endpoints.some((e) => e.name === name)) {
        throw new HomeportError('NOT_FOUND', `No Docker endpoint named '${name}'`);
      }
      return { endpoints: s.endpoints.filter((e) => e.name !== name) };
    });
  }

  function addressOf(endpoint: DockerEndpoint): EndpointAddress {
    try {
      return endpoint.name === ENV_ENDPOINT
        ? parseEndpointUrl(endpoint.url, 'DOCKER_HOST')
        : parseEndpointUrl(endpoint.url);
    } catch (err) {
      throw new DockerEndpointError('config', `Endpoint '${endpoint.name}': ${errorMessage(err)}`);
    }
  }

  async function transportOf(endpoint: ListedEndpoint, timeoutMs?: number): Promise<DockerTransport> {
    if (endpoint.problem) throw new DockerEndpointError('config', `Endpoint '${endpoint.name}': ${endpoint.problem}`);
    const address = addressOf(endpoint);
    if (address.kind === 'unix') return { kind: 'unix', socketPath: address.socketPath };
    if (address.kind === 'tcp') {
      if (!endpoint.tls) {
        if (!address.loopback) {
          throw new DockerEndpointError(
            'config',
            `Endpoint '${endpoint.name}': ${endpoint.url} is not on this machine, so Homeport connects only with TLS; add the CA, client certificate and key files`,
          );
        }
        return { kind: 'tcp', host: address.host, port: address.port };
      }
      const ca = await readTlsFile(endpoint, 'caFile', endpoint.tls.caFile);
      const cert = await readTlsFile(endpoint, 'certFile', endpoint.tls.certFile);
      const key = await readTlsFile(endpoint, 'keyFile', endpoint.tls.keyFile);
      return { kind: 'tcp', host: address.host, port: address.port, tls: { ca, cert, key } };
    }
    return openSshTransport({ endpoint, address, trust, env, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  }

  /** A client for the endpoint; the caller closes it. */
  async function openClient(name: string, timeoutMs?: number): Promise<DockerClient> {
    const endpoint = await get(name);
    const transport = await transportOf(endpoint, timeoutMs);
    const key = `${endpoint.name}\n${endpoint.url}`;
    const apiVersion = apiVersions.get(key);
    return createDockerClient(transport, `${endpoint.url} (endpoint '${endpoint.name}')`, {
      ...(apiVersion !== undefined ? { apiVersion } : {}),
      onApiVersion: (v) => apiVersions.set(key, v),
    });
  }

  function classify(name: string, err: unknown): Extract<EndpointTest, { status: 'failed' }> {
    if (err instanceof SshError) return { status: 'failed', endpoint: name, ...err.toFailure() };
    if (err instanceof DockerEndpointError) {
      return { status: 'failed', endpoint: name, reason: err.reason, message: err.message };
    }
    if (err instanceof DockerRequestError) {
      const reason = err.status === 401 || err.status === 403 ? 'auth' : err.reason;
      const message = err.message.includes(`'${name}'`) ? err.message : `Endpoint '${name}': ${err.message}`;
      return { status: 'failed', endpoint: name, reason, message };
    }
    const message = `Endpoint '${name}': ${errorMessage(err)}`;
    if (err instanceof HomeportError && err.code === 'INVALID_INPUT') {
      return { status: 'failed', endpoint: name, reason: 'config', message };
    }
    return { status: 'failed', endpoint: name, reason: 'unreachable', message };
  }

  /** Connects, reads /version and /info, and says what the engine and its swarm are, or why it failed. */
  async function test(name: string, timeoutMs = 10_000): Promise<EndpointTest> {
    const endpoint = await get(name);
    const started = Date.now();
    let client: DockerClient | undefined;
    const deadline = createDeadline(
      timeoutMs,
      () =>
        new DockerRequestError(
          'timeout',
          `Endpoint '${name}' (${endpoint.url}) did not answer within ${timeoutMs} ms; check the address and that the host is up`,
        ),
    );
    try {
      // A client that arrives after the deadline is closed at once.
      client = await deadline.race(openClient(name, timeoutMs), (c) => c.close());
      const [version, info] = await deadline.race(
        Promise.all([
          client.request<{ Version?: string; ApiVersion?: string; Os?: string }>('/version', { timeoutMs }),
          client.request<{
            OperatingSystem?: string;
            Swarm?: {
              LocalNodeState?: string;
              ControlAvailable?: boolean;
              NodeID?: string;
              Nodes?: number;
              Managers?: number;
            };
          }>('/info', { timeoutMs }),
        ]),
      );
      const swarm = info.Swarm ?? {};
      const state = swarm.LocalNodeState || 'inactive';
      return {
        status: 'connected',
        endpoint: name,
        version: version.Version ?? 'unknown',
        apiVersion: version.ApiVersion ?? 'unknown',
        os: info.OperatingSystem || version.Os || 'unknown',
        swarm: {
          state,
          isManager: swarm.ControlAvailable === true,
          ...(swarm.NodeID ? { nodeId: swarm.NodeID } : {}),
          ...(state === 'active' && swarm.Nodes !== undefined ? { nodes: swarm.Nodes } : {}),
          ...(state === 'active' && swarm.Managers !== undefined ? { managers: swarm.Managers } : {}),
        },
        latencyMs: Date.now() - started,
      };
    } catch (err) {
      return classify(name, err);
    } finally {
      deadline.clear();
      client?.close();
    }
  }

  /** Trusts the SSH host key the last connection to this endpoint's host (or a jump host) was shown, if it is the one the user checked. */
  async function acceptHostKey(name: string, fingerprint: string): Promise<void> {
    const endpoint = await get(name);
    const address = addressOf(endpoint);
    if (address.kind !== 'ssh') {
      throw new HomeportError('INVALID_INPUT', `Endpoint '${name}' is not an ssh:// endpoint; it has no host key`);
    }
    await acceptEndpointHostKey(endpoint, address, trust, env, fingerprint);
  }

  /** Replaces the recorded SSH host key of the endpoint's host by the changed one it presents now, if it is the one the user confirmed. */
  async function replaceHostKey(name: string, fingerprint: string): Promise<string[]> {
    const endpoint = await get(name);
    const address = addressOf(endpoint);
    if (address.kind !== 'ssh') {
      throw new HomeportError('INVALID_INPUT', `Endpoint '${name}' is not an ssh:// endpoint; it has no host key`);
    }
    return replaceEndpointHostKey({ endpoint, address, trust, env, timeoutMs: 15_000 }, fingerprint);
  }

  return { list, get, add, remove, openClient, test, acceptHostKey, replaceHostKey };
}

export type DockerEndpoints = ReturnType<typeof createDockerEndpoints>;
