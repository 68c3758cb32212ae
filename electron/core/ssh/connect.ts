/**
 * SSH connections (Docker Swarm endpoints over ssh://, NAS hosts). The host key is verified during
 * key exchange, before authentication: when it is unknown or changed, no credential is sent.
 */
import type { Duplex } from 'node:stream';
import ssh2, {
  type Client as SshClient,
  type ClientChannel,
  type ConnectConfig,
  type ServerHostKeyAlgorithm,
  type SFTPWrapper,
} from 'ssh2';
import { errorMessage, HomeportError } from '../errors';
import {
  HostKeyChangedError,
  HostKeyUnknownError,
  SshAuthError,
  SshConfigError,
  SshError,
  SshKeyError,
  SshTimeoutError,
  SshUnreachableError,
  type SshErrorContext,
} from './errors';
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
  /**
   * Decides whether the host's key is trusted (normally the data directory's SshTrust); its known
   * key types for the host are asked for first, as OpenSSH does.
   */
  hostKeys: Pick<HostKeyStore, 'check'> & Partial<Pick<HostKeyStore, 'knownKeyTypes'>>;
  /** Connect, key exchange and authentication together; default 20 s. */
  timeoutMs?: number;
  /** Whose connection this is, named first in every error: "NAS host 'nas'". */
  label?: string;
  /** What to check when the host refuses the credentials. */
  authHint?: string;
  /** How the user gives the passphrase of an encrypted key; default: "enter its passphrase". */
  passphraseHint?: string;
  /** An open stream to the host (a channel forwarded by a jump host) instead of a TCP connection. */
  sock?: Duplex;
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
  /** The host's SFTP subsystem over this connection (so the host key was checked as for exec). */
  sftp(): Promise<SFTPWrapper>;
  close(): Promise<void>;
  /** Settles when the connection has closed, for whatever reason. */
  readonly closed: Promise<void>;
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

function checkPrivateKey(
  auth: Extract<SshAuth, { kind: 'key' }>,
  context: SshErrorContext,
  passphraseHint = 'enter its passphrase',
): void {
  const parsed = utils.parseKey(auth.privateKey, auth.passphrase);
  if (!(parsed instanceof Error)) return;
  // ssh2 reports key problems only as text; nothing else tells an encrypted key from a broken one.
  const msg = parsed.message;
  if (/no passphrase given/i.test(msg)) {
    throw new SshKeyError(`The SSH private key is encrypted: ${passphraseHint}.`, context);
  }
  if (auth.passphrase !== undefined && /passphrase|integrity check failed|decrypt/i.test(msg)) {
    throw new SshKeyError(
      'The passphrase for the SSH private key is wrong: the key could not be decrypted with it.',
      context,
    );
  }
  throw new SshKeyError(`The SSH private key could not be read: ${msg}.`, context);
}

/** ssh2's host key algorithms for each known_hosts key type, strongest first. */
const HOST_KEY_ALGORITHMS: Record<string, ServerHostKeyAlgorithm[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};
const ALGORITHM_ORDER = Object.values(HOST_KEY_ALGORITHMS).flat();

/**
 * The host key algorithms to offer first: those of the key types already known for the host, in
 * ssh2's order. Otherwise ssh2 asks for ed25519 first, and a host known only by its RSA or ECDSA key
 * would present an ed25519 key nobody has seen, and look unknown.
 */
export function preferredHostKeyAlgorithms(knownKeyTypes: readonly string[]): ServerHostKeyAlgorithm[] {
  const wanted = new Set(knownKeyTypes.flatMap((t) => HOST_KEY_ALGORITHMS[t] ?? []));
  return ALGORITHM_ORDER.filter((a) => wanted.has(a));
}

export async function connectSsh(opts: SshConnectOptions): Promise<SshSession> {
  const { host, port, username, auth, hostKeys } = opts;
  const context: SshErrorContext = opts.label ? { label: opts.label } : {};
  if (auth.kind === 'key') checkPrivateKey(auth, context, opts.passphraseHint);
  // An unreadable known_hosts file is reported by the check during key exchange.
  const known = await (hostKeys.knownKeyTypes?.(host, port) ?? Promise.resolve([])).catch(() => []);
  const preferred = preferredHostKeyAlgorithms(known);

  const config: ConnectConfig = {
    host,
    port,
    username,
    readyTimeout: opts.timeoutMs ?? 20_000,
    keepaliveInterval: 15_000,
    tryKeyboard: false,
    // The known types move to the front; ssh2's other algorithms stay after them, in its order.
    ...(preferred.length > 0
      ? { algorithms: { serverHostKey: { remove: preferred, prepend: preferred, append: [] } } }
      : {}),
  };
  if (opts.sock) config.sock = opts.sock;
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
    let hostKeyError: SshError | undefined;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(err);
    };

    config.hostVerifier = (key: Buffer, verify: (valid: boolean) => void) => {
      void verifyHostKey(hostKeys, host, port, key, context).then((err) => {
        hostKeyError = err;
        verify(err === undefined);
      });
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
      resolve(makeSession(client, closed, `${host}:${port}`));
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (settled) return;
      if (hostKeyError) return fail(hostKeyError);
      if (err.level === 'client-authentication') {
        return fail(new SshAuthError(username, auth.kind, host, port, { ...context, hint: opts.authHint }));
      }
      if (err.level === 'client-timeout' || err.code === 'ETIMEDOUT') {
        const ms = config.readyTimeout ?? 0;
        const what = err.code === 'ETIMEDOUT' ? 'the TCP connection timed out' : `no SSH handshake within ${ms} ms`;
        return fail(
          new SshTimeoutError(
            `The SSH host ${host}:${port} did not answer: ${what}. Check the address and port, and that sshd is running.`,
            ms,
            context,
          ),
        );
      }
      if (err.level === 'agent') {
        const socket = (auth as { socket: string }).socket;
        return fail(new SshKeyError(`The SSH agent at ${socket} failed: ${err.message}.`, context));
      }
      if (err.level === 'client-socket' || err.code) {
        return fail(new SshUnreachableError(host, port, socketReason(err), context));
      }
      fail(new SshUnreachableError(host, port, err.message, context));
    });
    client.once('close', () => {
      fail(
        hostKeyError ?? new SshUnreachableError(host, port, 'the connection closed during the SSH handshake', context),
      );
    });

    try {
      client.connect(config);
    } catch (err) {
      fail(
        err instanceof HomeportError
          ? err
          : new SshKeyError(`Could not start the SSH connection: ${String(err)}`, context),
      );
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
    case 'ECONNRESET':
      return 'the connection was reset';
    default:
      return err.message;
  }
}

/** Undefined when the key is trusted; otherwise the error to report. */
async function verifyHostKey(
  hostKeys: Pick<HostKeyStore, 'check'>,
  host: string,
  port: number,
  key: Buffer,
  context: SshErrorContext,
): Promise<SshError | undefined> {
  let result: HostKeyCheck;
  try {
    result = await hostKeys.check(host, port, key);
  } catch (err) {
    // An unreadable known_hosts file: the user fixes it on this machine.
    return new SshConfigError(`Could not check the SSH host key of ${host}:${port}: ${errorMessage(err)}`, context);
  }
  switch (result.verdict) {
    case 'match':
      return undefined;
    case 'unknown':
      return new HostKeyUnknownError(host, port, keyTypeOf(key), fingerprintSha256(key), Buffer.from(key), context);
    case 'changed':
    case 'revoked':
      return new HostKeyChangedError(
        {
          host,
          port,
          keyType: result.keyType,
          expected: result.expected ?? [],
          received: result.fingerprint,
          receivedKey: Buffer.from(key),
          source: result.source,
          revoked: result.verdict === 'revoked',
          ownFile: result.ownFile === true,
        },
        context,
      );
  }
}

function makeSession(client: SshClient, closed: Promise<void>, where: string): SshSession {
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
            const ms = execOpts.timeoutMs ?? 0;
            reject(new SshTimeoutError(`"${argv[0]}" over SSH on ${where} did not finish within ${ms} ms.`, ms));
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

    async sftp() {
      if (isClosed) throw notOpen();
      return new Promise<SFTPWrapper>((resolve, reject) => {
        client.sftp((err, sftp) => {
          if (err) {
            reject(
              new HomeportError(
                'UNAVAILABLE',
                `Could not start SFTP on ${where}: ${err.message}; enable the SFTP subsystem in the host's sshd_config (Subsystem sftp internal-sftp)`,
              ),
            );
          } else resolve(sftp);
        });
      });
    },

    async close() {
      if (!isClosed) client.end();
      await closed;
    },
  };
}
