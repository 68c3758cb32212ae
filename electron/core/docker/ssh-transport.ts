/**
 * ssh:// endpoints: one SSH session per client, verified against the data directory's SSH trust
 * before any credential is sent, and a fresh channel to the remote Docker socket for every HTTP
 * connection. Connection failures are the SSH errors NAS hosts fail with (ssh/errors.ts).
 */
import type { DockerEndpoint } from '@shared/swarm-schemas';
import { errorMessage } from '../errors';
import { connectSsh, type SshAuth } from '../ssh/connect';
import { SshConfigError, type SshErrorContext } from '../ssh/errors';
import { readPrivateKeyFile } from '../ssh/key-file';
import type { SshTrust } from '../ssh/trust';
import type { DockerTransport } from './client';
import type { EndpointAddress } from './endpoint-url';

/** What an SSH transport needs: how to reach the host and which keys to trust. */
export interface SshTransportRequest {
  endpoint: DockerEndpoint;
  address: Extract<EndpointAddress, { kind: 'ssh' }>;
  trust: SshTrust;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

async function authOf(req: SshTransportRequest, context: SshErrorContext): Promise<SshAuth> {
  const keyFile = req.endpoint.sshKeyFile;
  if (keyFile) {
    const privateKey = await readPrivateKeyFile(keyFile, 'sshKeyFile', context);
    const passphrase = req.env.HOMEPORT_SSH_PASSPHRASE;
    return { kind: 'key', privateKey, ...(passphrase ? { passphrase } : {}) };
  }
  const agent = req.env.SSH_AUTH_SOCK;
  if (agent) return { kind: 'agent', socket: agent };
  throw new SshConfigError(
    `no SSH key to log in with; set 'sshKeyFile' to a private key, or start an SSH agent (SSH_AUTH_SOCK) holding one`,
    context,
  );
}

/** Connects the endpoint's SSH session and returns a transport forwarding its Docker socket. */
export async function openSshTransport(req: SshTransportRequest): Promise<DockerTransport> {
  const { endpoint, address } = req;
  const context = { label: `Endpoint '${endpoint.name}'` };
  const ssh = await connectSsh({
    host: address.host,
    port: address.port,
    username: address.user,
    auth: await authOf(req, context),
    hostKeys: req.trust,
    ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
    ...context,
    authHint: `Check that the key is in ~${address.user}/.ssh/authorized_keys on the host.`,
    passphraseHint: 'set HOMEPORT_SSH_PASSPHRASE to its passphrase',
  });
  return {
    kind: 'custom',
    connect: async () => {
      try {
        return await ssh.forwardUnixSocket(address.socketPath);
      } catch (err) {
        const e = new Error(
          `the SSH host did not open ${address.socketPath} (${errorMessage(err)}); check the socket path and that ${address.user} may use Docker there`,
        ) as NodeJS.ErrnoException;
        e.code = 'ESSHFORWARD';
        throw e;
      }
    },
    close: () => void ssh.close().catch(() => undefined),
  };
}
