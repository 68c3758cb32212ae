/**
 * The errors an SSH connection fails with, for NAS hosts and Docker ssh:// endpoints alike. Each
 * carries the contract's failure reason (shared/ssh-schemas.ts), so callers classify by type, never
 * by message text.
 */
import type { HostKey, SshFailureReason } from '@shared/ssh-schemas';
import { HomeportError } from '../errors';

const codes: Record<SshFailureReason, HomeportError['code']> = {
  config: 'INVALID_INPUT',
  auth: 'UNAUTHORIZED',
  'host-key-changed': 'FORBIDDEN',
  'host-key-unknown': 'CONFLICT',
  unreachable: 'UNAVAILABLE',
  timeout: 'UNAVAILABLE',
};

export interface SshErrorContext {
  /** Whose connection failed, put before the message: "NAS host 'nas'", "Endpoint 'swarm'". */
  label?: string;
}

/** A failed SSH connection; `reason` says what to fix. */
export class SshError extends HomeportError {
  constructor(
    readonly reason: SshFailureReason,
    message: string,
    context: SshErrorContext = {},
    /** For an unknown host key: what the user is asked to accept. */
    readonly hostKey?: HostKey,
  ) {
    super(codes[reason], context.label ? `${context.label}: ${message}` : message);
    this.name = 'SshError';
  }

  /** The failure as the contract reports it (nas:probe, docker:testEndpoint). */
  toFailure(): { reason: SshFailureReason; message: string; hostKey?: HostKey } {
    return { reason: this.reason, message: this.message, ...(this.hostKey ? { hostKey: this.hostKey } : {}) };
  }
}

/** The host presented a key no known_hosts file lists: ask the user, then trust it by its fingerprint. */
export class HostKeyUnknownError extends SshError {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly keyType: string,
    readonly fingerprint: string,
    readonly key: Buffer,
    context: SshErrorContext = {},
  ) {
    super(
      'host-key-unknown',
      `The SSH host ${host}:${port} is not known yet. Its ${keyType} key fingerprint is ${fingerprint}. ` +
        'Check it against the host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) and accept it to connect. Nothing was sent to the host.',
      context,
      { fingerprint, keyType },
    );
    this.name = 'HostKeyUnknownError';
  }
}

/** The host presented a key different from the one recorded for it (or one marked @revoked). */
export class HostKeyChangedError extends SshError {
  readonly host: string;
  readonly port: number;
  readonly keyType: string;
  /** The fingerprints recorded for the host. */
  readonly expected: string[];
  /** The fingerprint of the key the host presented. */
  readonly received: string;
  /** The key the host presented: never trusted as an unknown key, only by a confirmed replacement. */
  readonly receivedKey: Buffer;
  /** The known_hosts file that holds the conflicting entry. */
  readonly source: string | undefined;
  readonly revoked: boolean;

  constructor(
    info: {
      host: string;
      port: number;
      keyType: string;
      expected: string[];
      received: string;
      receivedKey: Buffer;
      source?: string;
      revoked?: boolean;
      /** The conflicting entry is in Homeport's own known_hosts file, which it may rewrite. */
      ownFile?: boolean;
    },
    context: SshErrorContext = {},
  ) {
    const { host, port, keyType, expected, received, source } = info;
    const file = source ?? 'known_hosts';
    const replaceable = !info.revoked && info.ownFile === true;
    super(
      'host-key-changed',
      info.revoked
        ? `WARNING: the SSH host ${host}:${port} presented the ${keyType} key ${received}, which ${file} marks as revoked. ` +
            'Homeport refused to connect and sent nothing (no user name, no credentials).'
        : `WARNING: the SSH host key of ${host}:${port} has changed. Someone could be intercepting the connection ` +
            `(man-in-the-middle attack), or the host was reinstalled. Expected ${keyType} key ` +
            `${expected.length > 0 ? expected.join(' or ') : `(see ${file})`}, received ${received}. ` +
            'Homeport refused to connect and sent nothing (no user name, no credentials). ' +
            (replaceable
              ? 'If the change is expected, check the new fingerprint on the host itself (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), ' +
                'then replace the trusted key with it.'
              : `If the change is expected, check the new fingerprint on the host, remove the old entry ` +
                `(ssh-keygen -R "${port === 22 ? host : `[${host}]:${port}`}" -f ${file}), then connect again to be asked about the new key.`),
      context,
      info.revoked
        ? { fingerprint: received, keyType, replaceable: false }
        : { fingerprint: received, keyType, previous: expected, replaceable },
    );
    this.name = 'HostKeyChangedError';
    this.host = host;
    this.port = port;
    this.keyType = keyType;
    this.expected = expected;
    this.received = received;
    this.receivedKey = info.receivedKey;
    this.source = source;
    this.revoked = info.revoked ?? false;
  }
}

export type SshAuthMethod = 'key' | 'agent' | 'password';

export class SshAuthError extends SshError {
  constructor(
    readonly username: string,
    readonly method: SshAuthMethod,
    host: string,
    port: number,
    context: SshErrorContext & { hint?: string } = {},
  ) {
    const how = { key: 'the private key', agent: 'the keys in the SSH agent', password: 'the password' }[method];
    super(
      'auth',
      `SSH authentication as "${username}" on ${host}:${port} failed: the host did not accept ${how}.` +
        (context.hint ? ` ${context.hint}` : ''),
      context,
    );
    this.name = 'SshAuthError';
  }
}

export class SshUnreachableError extends SshError {
  constructor(
    readonly host: string,
    readonly port: number,
    detail: string,
    context: SshErrorContext = {},
  ) {
    super('unreachable', `Could not reach the SSH host ${host}:${port}: ${detail}.`, context);
    this.name = 'SshUnreachableError';
  }
}

/** Raised where a time limit runs out (handshake, a remote command, a whole probe). */
export class SshTimeoutError extends SshError {
  constructor(
    message: string,
    readonly timeoutMs: number,
    context: SshErrorContext = {},
  ) {
    super('timeout', message, context);
    this.name = 'SshTimeoutError';
  }
}

/** The connection is set up wrong on this side: a key file, the agent, a stored password, a known_hosts file. */
export class SshConfigError extends SshError {
  constructor(message: string, context: SshErrorContext = {}) {
    super('config', message, context);
    this.name = 'SshConfigError';
  }
}

/** The private key (or the agent holding it) cannot be used. */
export class SshKeyError extends SshConfigError {
  constructor(message: string, context: SshErrorContext = {}) {
    super(message, context);
    this.name = 'SshKeyError';
  }
}
