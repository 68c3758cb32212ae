/**
 * Test helper: a real OpenSSH server on 127.0.0.1 with its own config, host key and client keys,
 * logging in the user `homeport-test` (created if missing, with passwordless sudo). Needs root and
 * Debian's openssh-server; without them it throws and says what to install, so tests fail loudly.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SSHD = '/usr/sbin/sshd';
export const SSH_KEYGEN = '/usr/bin/ssh-keygen';
export const TEST_USER = 'homeport-test';

/** Host key types the server can hold (ssh-keygen -t). */
export type HostKeyKind = 'ed25519' | 'rsa' | 'ecdsa';

export interface TestSshd {
  host: string;
  port: number;
  user: string;
  /** Unencrypted OpenSSH private key authorised for `user`. */
  privateKey: string;
  /** Another authorised key, encrypted with `passphrase`. */
  encryptedKey: string;
  passphrase: string;
  /** The current host key's fingerprint from `ssh-keygen -lf`. */
  hostKeyFingerprint: string;
  /** The current host public key line: `ssh-ed25519 AAAA... comment`. */
  hostPublicKey: string;
  /** Every host key the server holds, in its HostKey order (the first is hostPublicKey). */
  hostKeys: { kind: HostKeyKind; fingerprint: string; publicKey: string }[];
  /** A temp directory owned by the server (readable by `user`), removed by close(). */
  dir: string;
  /** What sshd has logged so far (LogLevel DEBUG1). */
  logs(): string;
  /** Generates a new first host key and restarts sshd on the same port. */
  rotateHostKey(): Promise<void>;
  close(): Promise<void>;
}

export interface SshdOptions {
  /** Host keys, one per kind, in this order; default ed25519 only. */
  hostKeyKinds?: HostKeyKind[];
  /** More sshd_config lines. */
  extraConfig?: string[];
}

export async function startSshd(opts: SshdOptions = {}): Promise<TestSshd> {
  const kinds = opts.hostKeyKinds ?? ['ed25519'];
  if (!existsSync(SSHD)) {
    throw new Error(
      `${SSHD} is missing: the SSH tests need a real OpenSSH server. Install it with: apt-get install -y openssh-server openssh-client`,
    );
  }
  if (!existsSync(SSH_KEYGEN)) {
    throw new Error(`${SSH_KEYGEN} is missing. Install it with: apt-get install -y openssh-client`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error('The SSH tests start sshd and create the user homeport-test, so they must run as root.');
  }

  await ensureTestUser();
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });

  const dir = await mkdtemp(join(tmpdir(), 'homeport-sshd-'));
  // sshd reads authorized_keys as the user, so the directory must be traversable by it.
  await chmod(dir, 0o755);
  const hostKeyPaths = kinds.map((kind) => join(dir, `ssh_host_${kind}_key`));
  const hostKeyPath = hostKeyPaths[0]!;
  const passphrase = 'correct horse battery staple';
  await keygen(join(dir, 'client'), '');
  await keygen(join(dir, 'client-encrypted'), passphrase);
  for (const [i, path] of hostKeyPaths.entries()) await keygen(path, '', kinds[i]);
  const authorized = [
    await readFile(join(dir, 'client.pub'), 'utf8'),
    await readFile(join(dir, 'client-encrypted.pub'), 'utf8'),
  ].join('');
  await writeFile(join(dir, 'authorized_keys'), authorized, { mode: 0o644 });

  const port = await freePort();
  const configPath = join(dir, 'sshd_config');
  await writeFile(
    configPath,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      ...hostKeyPaths.map((p) => `HostKey ${p}`),
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'UsePAM no',
      'StrictModes no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'AllowStreamLocalForwarding yes',
      'AllowTcpForwarding yes',
      `AllowUsers ${TEST_USER}`,
      'LogLevel DEBUG1',
      ...(opts.extraConfig ?? []),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );

  let log = '';
  let child: ChildProcess | undefined;

  const start = async () => {
    const proc = spawn(SSHD, ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    const from = log.length; // after a restart, the earlier "Server listening" line does not count
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill('SIGTERM');
        reject(new Error(`sshd did not start listening on 127.0.0.1:${port} within 10 s:\n${log}`));
      }, 10_000);
      proc.stderr!.setEncoding('utf8');
      proc.stderr!.on('data', (chunk: string) => {
        log += chunk;
        if (log.slice(from).includes(`Server listening on 127.0.0.1 port ${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`sshd exited (${code ?? signal}) before listening:\n${log}`));
      });
      proc.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  };

  const fingerprint = async (path = hostKeyPath) => {
    const { stdout } = await run(SSH_KEYGEN, ['-lf', `${path}.pub`]);
    return stdout.trim().split(/\s+/)[1]!;
  };
  const hostKeys = async () =>
    Promise.all(
      hostKeyPaths.map(async (path, i) => ({
        kind: kinds[i]!,
        fingerprint: await fingerprint(path),
        publicKey: (await readFile(`${path}.pub`, 'utf8')).trim(),
      })),
    );

  try {
    await start();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const sshd: TestSshd = {
    host: '127.0.0.1',
    port,
    user: TEST_USER,
    privateKey: await readFile(join(dir, 'client'), 'utf8'),
    encryptedKey: await readFile(join(dir, 'client-encrypted'), 'utf8'),
    passphrase,
    hostKeyFingerprint: await fingerprint(),
    hostPublicKey: (await readFile(`${hostKeyPath}.pub`, 'utf8')).trim(),
    hostKeys: await hostKeys(),
    dir,
    logs: () => log,
    async rotateHostKey() {
      await stop();
      await rm(hostKeyPath, { force: true });
      await rm(`${hostKeyPath}.pub`, { force: true });
      await keygen(hostKeyPath, '', kinds[0]);
      sshd.hostKeyFingerprint = await fingerprint();
      sshd.hostPublicKey = (await readFile(`${hostKeyPath}.pub`, 'utf8')).trim();
      sshd.hostKeys = await hostKeys();
      await start();
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return sshd;
}

async function keygen(path: string, passphrase: string, kind: HostKeyKind = 'ed25519'): Promise<void> {
  const size = kind === 'rsa' ? ['-b', '2048'] : kind === 'ecdsa' ? ['-b', '256'] : [];
  await run(SSH_KEYGEN, ['-q', '-t', kind, ...size, '-N', passphrase, '-C', 'homeport-test', '-f', path]);
}

async function userExists(): Promise<boolean> {
  try {
    await run('id', ['-u', TEST_USER]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates homeport-test (several test files may race here) with passwordless sudo; the PostgreSQL
 * fixture runs its server as this user too (initdb refuses root).
 */
export async function ensureTestUser(): Promise<void> {
  if (!(await userExists())) {
    try {
      await run('useradd', ['-m', '-s', '/bin/sh', TEST_USER]);
    } catch (err) {
      if (!(await userExists()))
        throw new Error(`Could not create the user ${TEST_USER}: ${String(err)}`, { cause: err });
    }
  }
  // A "!" password means locked, and sshd (without PAM) refuses locked accounts even for keys;
  // "*" is an account with no usable password.
  const { stdout } = await run('getent', ['shadow', TEST_USER]).catch(() => ({ stdout: '' }));
  if (stdout.split(':')[1] !== '*') await run('usermod', ['-p', '*', TEST_USER]);

  if (!existsSync('/usr/bin/sudo')) {
    throw new Error('sudo is missing: the SSH tests check sudo on the host. Install it with: apt-get install -y sudo');
  }
  const sudoers = `${TEST_USER} ALL=(ALL) NOPASSWD:ALL\n`;
  const sudoersPath = `/etc/sudoers.d/${TEST_USER}`;
  const current = await readFile(sudoersPath, 'utf8').catch(() => '');
  if (current !== sudoers) {
    const tmp = `${sudoersPath}.${process.pid}.tmp`;
    await writeFile(tmp, sudoers, { mode: 0o440 });
    await chmod(tmp, 0o440);
    await rename(tmp, sudoersPath);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
