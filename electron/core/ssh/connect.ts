/**
 * SSH connections (Docker Swarm endpoints over ssh://, NAS hosts). The host key is verified during
 * key exchange, before authentication: when it is unknown or changed, no credential is sent.
 */
import type { Duplex } from 'node:stream';
import ssh2, { type Client as SshClient, type ClientChannel, type ConnectConfig } from 'ssh2';
import { HomeportError } from '../errors';
import type { HostKeyCheck, HostKeyStore } from './host-keys';
import { fingerprintSha256, keyTypeOf } from './known-hosts';

// ssh2 is CommonJS: Node's ESM loader gives only its default export.
const { Client, utils } = ssh2;

export type SshAuth =
  | { kind: 'key'; privateKey: string | Buffer; passphrase?: string }
  | { kind: 'agent'; socket: string }
  | { kind: 'password'; password: string };

export interface SshConnectOptions {
  host: string;
  port: number;
  username: string;
  auth: SshAuth;
  hostKeys: HostKeyStore;
  /** Connect, key exchange and authentication together; default 20 s. */
  timeoutMs?: number;
}

export interface ExecResult {
  /** The exit status, or null when the command was ended by a signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  stdin?: string | Buffer;
  timeoutMs?: number;
}

export interface SshSession {
  /** Runs argv on the host; each argument is shell-quoted, so it reaches the command literally. */
  exec(argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** A stream to a unix socket on the host (e.g. /var/run/docker.sock). */
  forwardUnixSocket(path: string): Promise<Duplex>;
  /** A stream to host:port as reached from the SSH host. */
  forwardTcp(host: string, port: number): Promise<Duplex>;
  close(): Promise<void>;
  /** Settles when the connection has closed, for whatever reason. */
  readonly closed: Promise<void>;
}

/** The host presented a key no known_hosts file lists: ask the user, then `hostKeys.accept(host, port, key)`. */
export class HostKeyUnknownError extends HomeportError {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly keyType: string,
    readonly fingerprint: string,
    readonly key: Buffer,
  ) {
    super(
      'CONFLICT',
      `The SSH host ${host}:${port} is not known yet. Its ${keyType} key fingerprint is ${fingerprint}. ` +
        'Check it against the host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) and accept it to connect. Nothing was sent to the host.',
    );
    this.name = 'HostKeyUnknownError';
  }
}

/** The host presented a key different from the one recorded for it (or one marked @revoked). */
export class HostKeyChangedError extends HomeportError {
  readonly host: string;
  readonly port: number;
  readonly keyType: string;
  /** The fingerprints recorded for the host. */
  readonly expected: string[];
  /** The fingerprint of the key the host presented. */
  readonly received: string;
  /** The key the host presented, to `hostKeys.accept` once the user has confirmed the change. */
  readonly receivedKey: Buffer;
  /** The known_hosts file that holds the conflicting entry. */
  readonly source: string | undefined;
  readonly revoked: boolean;

  constructor(info: {
    host: string;
    port: number;
    keyType: string;
    expected: string[];
    received: string;
    receivedKey: Buffer;
    source?: string;
    revoked?: boolean;
  }) {
    const { host, port, keyType, expected, received, source } = info;
    const file = source ?? 'known_hosts';
    super(
      'FORBIDDEN',
      info.revoked
        ? `WARNING: the SSH host ${host}:${port} presented the ${keyType} key ${received}, which ${file} marks as revoked. ` +
            'Homeport refused to connect and sent nothing (no user name, no credentials).'
        : `WARNING: the SSH host key of ${host}:${port} has changed. Someone could be intercepting the connection ` +
            `(man-in-the-middle attack), or the host was reinstalled. Expected ${keyType} key ` +
            `${expected.length > 0 ? expected.join(' or ') : `(see ${file})`}, received ${received}. ` +
            'Homeport refused to connect and sent nothing (no user name, no credentials). ' +
            `If the change is expected, check the new fingerprint on the host, then remove the old entry ` +
            `(ssh-keygen -R "${port === 22 ? host : `[${host}]:${port}`}" -f ${file}) or accept the new key in Homeport.`,
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

export class SshAuthError extends HomeportError {
  constructor(
    readonly username: string,
    readonly method: SshAuth['kind'],
    host: string,
    port: number,
  ) {
    const how = { key: 'the private key', agent: 'the keys in the SSH agent', password: 'the password' }[method];
    super(
      'UNAUTHORIZED',
      `SSH authentication as "${username}" on ${host}:${port} failed: the host did not accept ${how}.`,
    );
    this.name = 'SshAuthError';
  }
}

export class SshUnreachableError extends HomeportError {
  constructor(
    readonly host: string,
    readonly port: number,
    reason: string,
  ) {
    super('UNAVAILABLE', `Could not reach the SSH host ${host}:${port}: ${reason}.`);
    this.name = 'SshUnreachableError';
  }
}

export class SshKeyError extends HomeportError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
    this.name = 'SshKeyError';
  }
}

/** Single-quotes one argument for a POSIX shell: `it's` -> `'it'\''s'`. NUL bytes are refused. */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new HomeportError('INVALID_INPUT', 'A command argument contains a NUL byte.');
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command line `exec` sends for argv. */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new HomeportError('INVALID_INPUT', 'No command to run.');
  return argv.map(shellQuote).join(' ');
}

function checkPrivateKey(auth: Extract<SshAuth, { kind: 'key' }>): void {
  const parsed = utils.parseKey(auth.privateKey, auth.passphrase);
  if (!(parsed instanceof Error)) return;
  const msg = parsed.message;
  if (/no passphrase given/i.test(msg)) {
    throw new SshKeyError('The SSH private key is encrypted: enter its passphrase.');
  }
  if (auth.passphrase !== undefined && /passphrase|integrity check failed|decrypt/i.test(msg)) {
    throw new SshKeyError('The passphrase for the SSH private key is wrong: the key could not be decrypted with it.');
  }
  throw new SshKeyError(`The SSH private key could not be read: ${msg}.`);
}

export async function connectSsh(opts: SshConnectOptions): Promise<SshSession> {
  const { host, port, username, auth, hostKeys } = opts;
  if (auth.kind === 'key') checkPrivateKey(auth);

  const config: ConnectConfig = {
    host,
    port,
    username,
    readyTimeout: opts.timeoutMs ?? 20_000,
    keepaliveInterval: 15_000,
    tryKeyboard: false,
  };
  if (auth.kind === 'key') {
    config.privateKey = auth.privateKey;
    if (auth.passphrase !== undefined) config.passphrase = auth.passphrase;
  } else if (auth.kind === 'agent') {
    config.agent = auth.socket;
  } else {
    config.password = auth.password;
    // Hosts that check passwords through PAM often offer only keyboard-interactive.
    config.tryKeyboard = true;
  }

  return new Promise<SshSession>((resolve, reject) => {
    const client = new Client();
    let hostKeyError: HomeportError | undefined;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(err);
    };

    config.hostVerifier = (key: Buffer, verify: (valid: boolean) => void) => {
      verifyHostKey(hostKeys, host, port, key).then(
        (err) => {
          hostKeyError = err;
          verify(err === undefined);
        },
        (err: unknown) => {
          hostKeyError = err instanceof HomeportError ? err : new HomeportError('INTERNAL', String(err));
          verify(false);
        },
      );
    };

    if (auth.kind === 'password') {
      client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
        finish(prompts.map(() => auth.password));
      });
    }

    const closed = new Promise<void>((resolveClosed) => client.once('close', () => resolveClosed()));

    client.once('ready', () => {
      if (settled) return;
      settled = true;
      resolve(makeSession(client, closed));
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (settled) return;
      if (hostKeyError) return fail(hostKeyError);
      if (err.level === 'client-authentication') return fail(new SshAuthError(username, auth.kind, host, port));
      if (err.level === 'client-timeout') {
        return fail(new SshUnreachableError(host, port, `no SSH handshake within ${config.readyTimeout} ms`));
      }
      if (err.level === 'agent') {
        return fail(new SshKeyError(`The SSH agent at ${(auth as { socket: string }).socket} failed: ${err.message}.`));
      }
      if (err.level === 'client-socket' || err.code) {
        return fail(new SshUnreachableError(host, port, socketReason(err)));
      }
      fail(new SshUnreachableError(host, port, err.message));
    });
    client.once('close', () => {
      fail(hostKeyError ?? new SshUnreachableError(host, port, 'the connection closed during the SSH handshake'));
    });

    try {
      client.connect(config);
    } catch (err) {
      fail(err instanceof HomeportError ? err : new SshKeyError(`Could not start the SSH connection: ${String(err)}`));
    }
  });
}

function socketReason(err: Error & { code?: string }): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is sshd running and listening on that port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to the host';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    case 'ECONNRESET':
      return 'the connection was reset';
    default:
      return err.message;
  }
}

/** Undefined when the key is trusted; otherwise the error to report. */
async function verifyHostKey(
  hostKeys: HostKeyStore,
  host: string,
  port: number,
  key: Buffer,
): Promise<HomeportError | undefined> {
  let result: HostKeyCheck;
  try {
    result = await hostKeys.check(host, port, key);
  } catch (err) {
    if (err instanceof HomeportError) return err;
    return new HomeportError('INTERNAL', `Could not check the SSH host key of ${host}:${port}: ${String(err)}`);
  }
  switch (result.verdict) {
    case 'match':
      return undefined;
    case 'unknown':
      return new HostKeyUnknownError(host, port, keyTypeOf(key), fingerprintSha256(key), Buffer.from(key));
    case 'changed':
    case 'revoked':
      return new HostKeyChangedError({
        host,
        port,
        keyType: result.keyType,
        expected: result.expected ?? [],
        received: result.fingerprint,
        receivedKey: Buffer.from(key),
        source: result.source,
        revoked: result.verdict === 'revoked',
      });
  }
}

function makeSession(client: SshClient, closed: Promise<void>): SshSession {
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  const notOpen = () => new HomeportError('UNAVAILABLE', 'The SSH connection is closed.');

  const channel = (open: (cb: (err: Error | undefined, ch: ClientChannel) => void) => void): Promise<ClientChannel> =>
    new Promise((resolve, reject) => {
      if (isClosed) return reject(notOpen());
      open((err, ch) => (err ? reject(err) : resolve(ch)));
    });

  return {
    closed,

    async exec(argv, execOpts = {}) {
      const command = shellCommand(argv);
      if (isClosed) throw notOpen();
      return new Promise<ExecResult>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        let stream: ClientChannel | undefined;
        let done = false;
        if (execOpts.timeoutMs !== undefined) {
          timer = setTimeout(() => {
            done = true;
            stream?.signal('KILL');
            stream?.close();
            reject(
              new HomeportError('UNAVAILABLE', `"${argv[0]}" over SSH did not finish within ${execOpts.timeoutMs} ms.`),
            );
          }, execOpts.timeoutMs);
        }
        client.exec(command, (err, ch) => {
          if (err) {
            clearTimeout(timer);
            if (!done)
              reject(new HomeportError('UNAVAILABLE', `Could not start "${argv[0]}" over SSH: ${err.message}`));
            return;
          }
          // Listeners go on in this callback: the output and exit status may arrive in the same packet batch.
          stream = ch;
          const out: Buffer[] = [];
          const errOut: Buffer[] = [];
          ch.on('data', (d: Buffer) => out.push(d));
          ch.stderr.on('data', (d: Buffer) => errOut.push(d));
          // ssh2 passes the exit status (or null and the signal) to 'close'.
          ch.on('close', (code?: number | null, signal?: string) => {
            clearTimeout(timer);
            if (done) return;
            done = true;
            resolve({
              code: typeof code === 'number' ? code : null,
              signal: signal ?? null,
              stdout: Buffer.concat(out).toString('utf8'),
              stderr: Buffer.concat(errOut).toString('utf8'),
            });
          });
          ch.end(execOpts.stdin);
        });
      });
    },

    forwardUnixSocket(path) {
      return channel((cb) => client.openssh_forwardOutStreamLocal(path, cb)).catch((err: Error) => {
        throw new HomeportError('UNAVAILABLE', `Could not open the unix socket ${path} over SSH: ${err.message}`);
      });
    },

    forwardTcp(host, port) {
      return channel((cb) => client.forwardOut('127.0.0.1', 0, host, port, cb)).catch((err: Error) => {
        throw new HomeportError('UNAVAILABLE', `Could not open ${host}:${port} over SSH: ${err.message}`);
      });
    },

    async close() {
      if (!isClosed) client.end();
      await closed;
    },
  };
}
