/**
 * ssh:// endpoints: one SSH session per client, verified against Homeport's known hosts before any
 * credential is sent, and a fresh channel to the remote Docker socket for every HTTP connection.
 */
import { readFile } from 'node:fs/promises';
import { errorMessage } from '../errors';
import {
  connectSsh,
  HostKeyChangedError,
  HostKeyUnknownError,
  SshAuthError,
  SshKeyError,
  SshUnreachableError,
  type SshAuth,
} from '../ssh/connect';
import type { DockerEndpoint } from '@shared/swarm-schemas';
import type { HostKeyStore } from '../ssh/host-keys';
import type { DockerTransport } from './client';
import { DockerEndpointError } from './endpoint-error';
import type { EndpointAddress } from './endpoint-url';

/** What an SSH transport needs: how to reach the host and which keys to trust. */
export interface SshTransportRequest {
  endpoint: DockerEndpoint;
  address: Extract<EndpointAddress, { kind: 'ssh' }>;
  hostKeys: HostKeyStore;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Called when the host presented a key no known_hosts file lists, before the error is thrown. */
  onUnknownHostKey(key: { host: string; port: number; key: Buffer; fingerprint: string; keyType: string }): void;
}

async function authOf(req: SshTransportRequest): Promise<SshAuth> {
  const name = req.endpoint.name;
  const keyFile = req.endpoint.sshKeyFile;
  if (keyFile) {
    let privateKey: Buffer;
    try {
      privateKey = await readFile(keyFile);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const what = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : errorMessage(err);
      throw new DockerEndpointError(
        'config',
        `Endpoint '${name}': 'sshKeyFile' ${keyFile} ${what}; point it at your private key or use the SSH agent`,
      );
    }
    const passphrase = req.env.HOMEPORT_SSH_PASSPHRASE;
    return { kind: 'key', privateKey, ...(passphrase ? { passphrase } : {}) };
  }
  const agent = req.env.SSH_AUTH_SOCK;
  if (agent) return { kind: 'agent', socket: agent };
  throw new DockerEndpointError(
    'config',
    `Endpoint '${name}': no SSH key to log in with; set 'sshKeyFile' to a private key, or start an SSH agent (SSH_AUTH_SOCK) holding one`,
  );
}

/** Connects the endpoint's SSH session and returns a transport forwarding its Docker socket. */
export async function openSshTransport(req: SshTransportRequest): Promise<DockerTransport> {
  const { endpoint, address } = req;
  const auth = await authOf(req);
  const prefix = `Endpoint '${endpoint.name}'`;
  let session;
  try {
    session = await connectSsh({
      host: address.host,
      port: address.port,
      username: address.user,
      auth,
      hostKeys: req.hostKeys,
      timeoutMs: req.timeoutMs,
    });
  } catch (err) {
    if (err instanceof HostKeyUnknownError) {
      req.onUnknownHostKey({
        host: err.host,
        port: err.port,
        key: err.key,
        fingerprint: err.fingerprint,
        keyType: err.keyType,
      });
      throw new DockerEndpointError('host-key', `${prefix}: ${err.message}`, {
        fingerprint: err.fingerprint,
        keyType: err.keyType,
      });
    }
    if (err instanceof HostKeyChangedError) throw new DockerEndpointError('host-key', `${prefix}: ${err.message}`);
    if (err instanceof SshAuthError) {
      throw new DockerEndpointError(
        'auth',
        `${prefix}: ${err.message} Check that the key is in ~${address.user}/.ssh/authorized_keys on the host.`,
      );
    }
    if (err instanceof SshKeyError) {
      throw new DockerEndpointError(
        'config',
        `${prefix}: ${err.message}${endpoint.sshKeyFile ? ' (set HOMEPORT_SSH_PASSPHRASE for an encrypted key)' : ''}`,
      );
    }
    if (err instanceof SshUnreachableError) {
      const timeout = /within \d+ ms|timed out/.test(err.message);
      throw new DockerEndpointError(timeout ? 'timeout' : 'unreachable', `${prefix}: ${err.message}`);
    }
    throw new DockerEndpointError('unreachable', `${prefix}: ${errorMessage(err)}`);
  }
  const ssh = session;
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
