/**
 * ssh:// endpoints: one SSH session per client, verified against the data directory's SSH trust
 * before any credential is sent, and a fresh channel to the remote Docker socket for every HTTP
 * connection. The host is looked up in ~/.ssh/config as `ssh` would (what the URL says wins; the
 * config gives HostName, Port, User, IdentityFile and ProxyJump). Connection failures are the SSH
 * errors NAS hosts fail with (ssh/errors.ts).
 */
import type { DockerEndpoint } from '@shared/swarm-schemas';
import { errorMessage } from '../errors';
import type { SshAuth } from '../ssh/connect';
import { SshConfigError, type SshErrorContext } from '../ssh/errors';
import { localUserName } from '../ssh/ssh-config';
import {
  acceptShownOnPath,
  connectSshTarget,
  replaceChangedOnPath,
  readFirstIdentity,
  resolveSshTarget,
  type SshTarget,
} from '../ssh/target';
import type { SshTrust } from '../ssh/trust';
import type { DockerTransport } from './client';
import type { EndpointAddress } from './endpoint-url';

type SshAddress = Extract<EndpointAddress, { kind: 'ssh' }>;

/** What an SSH transport needs: how to reach the host and which keys to trust. */
export interface SshTransportRequest {
  endpoint: DockerEndpoint;
  address: SshAddress;
  trust: SshTrust;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const contextOf = (endpoint: DockerEndpoint): SshErrorContext => ({ label: `Endpoint '${endpoint.name}'` });

/** The endpoint's host after ~/.ssh/config: the host, port and user it really connects to, and its jump hosts. */
export function sshTargetOf(endpoint: DockerEndpoint, address: SshAddress, env: NodeJS.ProcessEnv) {
  return resolveSshTarget(
    {
      host: address.host,
      ...(address.user !== undefined ? { user: address.user } : {}),
      ...(address.explicitPort ? { port: address.port } : {}),
      ...(endpoint.sshKeyFile ? { keyFile: endpoint.sshKeyFile } : {}),
    },
    env,
    contextOf(endpoint),
  );
}

/** The key of the endpoint (or its IdentityFile in ~/.ssh/config), else the SSH agent. */
async function authOf(
  req: SshTransportRequest,
  identityFiles: string[],
  context: SshErrorContext,
  field = 'sshKeyFile',
): Promise<SshAuth> {
  const passphrase = req.env.HOMEPORT_SSH_PASSPHRASE;
  if (req.endpoint.sshKeyFile) {
    const privateKey = await readFirstIdentity([req.endpoint.sshKeyFile], field, context);
    if (!privateKey) throw new SshConfigError(`SSH key file ${req.endpoint.sshKeyFile} does not exist`, context);
    return { kind: 'key', privateKey, ...(passphrase ? { passphrase } : {}) };
  }
  // As ssh does, the agent's keys first.
  const agent = req.env.SSH_AUTH_SOCK;
  if (agent) return { kind: 'agent', socket: agent };
  const privateKey = await readFirstIdentity(identityFiles, 'IdentityFile', context);
  if (privateKey) return { kind: 'key', privateKey, ...(passphrase ? { passphrase } : {}) };
  throw new SshConfigError(
    `no SSH key to log in with; set the endpoint's SSH key file to a private key, give the host an IdentityFile in ~/.ssh/config, or start an SSH agent (SSH_AUTH_SOCK) holding one`,
    context,
  );
}

/** Connects the endpoint's SSH session and returns a transport forwarding its Docker socket. */
export async function openSshTransport(req: SshTransportRequest): Promise<DockerTransport> {
  const { endpoint, address } = req;
  const context = contextOf(endpoint);
  const target: SshTarget = await sshTargetOf(endpoint, address, req.env);
  const user = target.user ?? localUserName(req.env);
  const ssh = await connectSshTarget(
    { ...target, user },
    {
      auth: await authOf(req, target.identityFiles, context),
      jumpAuth: async (hop, hopContext) => {
        const key = await readFirstIdentity(hop.identityFiles, 'IdentityFile', hopContext);
        if (key) return { kind: 'key', privateKey: key };
        return authOf(req, target.identityFiles, hopContext);
      },
      hostKeys: req.trust,
      ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
      ...context,
      authHint: `Check that the key is in ~${user}/.ssh/authorized_keys on the host.`,
      passphraseHint: 'set HOMEPORT_SSH_PASSPHRASE to its passphrase',
    },
  );
  return {
    kind: 'custom',
    connect: async () => {
      try {
        return await ssh.forwardUnixSocket(address.socketPath);
      } catch (err) {
        const e = new Error(
          `the SSH host did not open ${address.socketPath} (${errorMessage(err)}); check the socket path and that ${user} may use Docker there`,
        ) as NodeJS.ErrnoException;
        e.code = 'ESSHFORWARD';
        throw e;
      }
    },
    close: () => void ssh.close().catch(() => undefined),
  };
}

/** Trusts the key the endpoint's host, or one of its jump hosts, showed in its last connection. */
export async function acceptEndpointHostKey(
  endpoint: DockerEndpoint,
  address: SshAddress,
  trust: SshTrust,
  env: NodeJS.ProcessEnv,
  fingerprint: string,
): Promise<void> {
  const target = await sshTargetOf(endpoint, address, env);
  await acceptShownOnPath(
    trust,
    target,
    { label: `Endpoint '${endpoint.name}'`, showAgain: 'test the endpoint' },
    fingerprint,
  );
}

/** Replaces the recorded key of the endpoint's host (or a jump host) by the changed key it presents now, if it is `fingerprint`. */
export async function replaceEndpointHostKey(req: SshTransportRequest, fingerprint: string): Promise<string[]> {
  return replaceChangedOnPath(
    req.trust,
    await sshTargetOf(req.endpoint, req.address, req.env),
    { label: `Endpoint '${req.endpoint.name}'`, showAgain: 'test the endpoint' },
    fingerprint,
    async () => {
      const transport = await openSshTransport(req);
      if (transport.kind === 'custom') transport.close?.();
    },
  );
}
