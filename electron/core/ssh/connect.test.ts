import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh, shellCommand, type SshConnectOptions } from './connect';
import {
  HostKeyChangedError,
  HostKeyUnknownError,
  SshAuthError,
  SshKeyError,
  SshTimeoutError,
  SshUnreachableError,
} from './errors';
import { createHostKeyStore, type HostKeyStore } from './host-keys';
import { startSshd, type TestSshd } from './testing/sshd';

const run = promisify(execFile);

let sshd: TestSshd;
let dir: string;

beforeAll(async () => {
  sshd = await startSshd();
  dir = await mkdtemp(join(tmpdir(), 'homeport-ssh-test-'));
}, 30_000);

afterAll(async () => {
  await sshd?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let storeCount = 0;
function freshStore(userKnownHosts?: string): HostKeyStore {
  return createHostKeyStore({ file: join(dir, `known_hosts.${++storeCount}`), userKnownHosts });
}

function opts(hostKeys: HostKeyStore, extra: Partial<SshConnectOptions> = {}): SshConnectOptions {
  return {
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    auth: { kind: 'key', privateKey: sshd.privateKey },
    hostKeys,
    ...extra,
  };
}

/** A store that trusts the server's current key, accepted through the unknown-key error as the UI would. */
async function trustedStore(): Promise<HostKeyStore> {
  const store = freshStore();
  const err = await connectSsh(opts(store)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(HostKeyUnknownError);
  const unknown = err as HostKeyUnknownError;
  await store.accept(unknown.host, unknown.port, unknown.key);
  return store;
}

function readAll(stream: Duplex, expected: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    stream.on('data', (d: Buffer) => {
      got += d.toString('utf8');
      if (got.length >= expected) resolve(got);
    });
    stream.on('error', reject);
    stream.on('close', () => resolve(got));
  });
}

describe('connectSsh against a real sshd', () => {
  it('reports an unknown host key with its fingerprint, and sends nothing', async () => {
    const before = sshd.logs().length;
    const err = await connectSsh(opts(freshStore())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyUnknownError);
    const unknown = err as HostKeyUnknownError;
    expect(unknown.fingerprint).toBe(sshd.hostKeyFingerprint);
    expect(unknown.keyType).toBe('ssh-ed25519');
    expect(unknown.host).toBe(sshd.host);
    expect(unknown.port).toBe(sshd.port);
    expect(unknown.code).toBe('CONFLICT');
    expect(unknown.message).toContain(sshd.hostKeyFingerprint);
    await new Promise((r) => setTimeout(r, 200));
    expect(sshd.logs().slice(before)).not.toMatch(/userauth-request|Accepted|Failed/);
  });

  it('after accept: connects, runs id -un as homeport-test, and sudo -n works', async () => {
    const store = await trustedStore();
    const session = await connectSsh(opts(store));
    try {
      expect(await session.exec(['id', '-un'])).toEqual({
        code: 0,
        signal: null,
        stdout: 'homeport-test\n',
        stderr: '',
      });
      const sudo = await session.exec(['sudo', '-n', 'true']);
      expect(sudo.stderr).toBe('');
      expect(sudo.code).toBe(0);
      const failing = await session.exec(['sh', '-c', 'echo oops >&2; exit 3']);
      expect(failing).toMatchObject({ code: 3, stdout: '', stderr: 'oops\n' });
      const cat = await session.exec(['cat'], { stdin: 'from stdin\n' });
      expect(cat.stdout).toBe('from stdin\n');
      await expect(session.exec(['sleep', '5'], { timeoutMs: 300 })).rejects.toThrow(/did not finish within 300 ms/);
    } finally {
      await session.close();
    }
    // What the refusal tests look for does appear when authentication runs.
    expect(sshd.logs()).toMatch(new RegExp(`userauth-request for user ${sshd.user}`));
    expect(sshd.logs()).toMatch(new RegExp(`Accepted publickey for ${sshd.user}`));
  });

  it('runs hostile arguments literally', async () => {
    const session = await connectSsh(opts(await trustedStore()));
    try {
      const hostile = `a b;rm -rf /tmp/x $(id) 'q"`;
      const result = await session.exec(['printf', '%s', hostile]);
      expect(result.stdout).toBe(hostile);
      expect(result.code).toBe(0);
      const many = ['', '`id`', '\\n', "it's", '$HOME', '*', '\n', '--', '|| true', 'ü'];
      const echoed = await session.exec(['printf', '%s\\0', ...many]);
      expect(echoed.stdout.split('\0').slice(0, -1)).toEqual(many);
      expect(() => shellCommand(['printf', 'a\0b'])).toThrow(/NUL/);
      await expect(session.exec(['echo', 'a\0b'])).rejects.toThrow(/NUL/);
    } finally {
      await session.close();
    }
  });

  it('forwards to a unix socket and a TCP port on the host', async () => {
    const socketDir = await mkdtemp(join(tmpdir(), 'homeport-sock-'));
    await chmod(socketDir, 0o755);
    const socketPath = join(socketDir, 'echo.sock');
    const echo = (server: Server) => server.on('connection', (c) => c.pipe(c));
    const unixServer = createServer();
    echo(unixServer);
    await new Promise<void>((r) => unixServer.listen(socketPath, r));
    await chmod(socketPath, 0o777); // sshd connects as homeport-test
    const tcpServer = createServer();
    echo(tcpServer);
    await new Promise<void>((r) => tcpServer.listen(0, '127.0.0.1', r));
    const tcpPort = (tcpServer.address() as { port: number }).port;

    const session = await connectSsh(opts(await trustedStore()));
    try {
      const unix = await session.forwardUnixSocket(socketPath);
      const unixReply = readAll(unix, 11);
      unix.write('hello unix\n');
      expect(await unixReply).toBe('hello unix\n');
      unix.end();

      const tcp = await session.forwardTcp('127.0.0.1', tcpPort);
      const tcpReply = readAll(tcp, 10);
      tcp.write('hello tcp\n');
      expect(await tcpReply).toBe('hello tcp\n');
      tcp.end();

      await expect(session.forwardUnixSocket(join(socketDir, 'missing.sock'))).rejects.toThrow(/missing\.sock/);
    } finally {
      await session.close();
      await new Promise((r) => unixServer.close(r));
      await new Promise((r) => tcpServer.close(r));
      await rm(socketDir, { recursive: true, force: true });
    }
  });

  it('honours a hashed entry in the user known_hosts file', async () => {
    const userFile = join(dir, 'user_known_hosts');
    const [type, key] = sshd.hostPublicKey.split(' ');
    await writeFile(userFile, `[${sshd.host}]:${sshd.port} ${type} ${key}\n`);
    await run('ssh-keygen', ['-H', '-f', userFile]);
    const hashed = await readFile(userFile, 'utf8');
    expect(hashed).toMatch(/^\|1\|/);
    expect(hashed).not.toContain(sshd.host);
    const session = await connectSsh(opts(freshStore(userFile)));
    try {
      expect((await session.exec(['id', '-un'])).stdout).toBe('homeport-test\n');
    } finally {
      await session.close();
    }
  });

  it('an encrypted key works with its passphrase; a wrong or missing passphrase is named', async () => {
    const store = await trustedStore();
    const session = await connectSsh(
      opts(store, { auth: { kind: 'key', privateKey: sshd.encryptedKey, passphrase: sshd.passphrase } }),
    );
    expect((await session.exec(['id', '-un'])).stdout).toBe('homeport-test\n');
    await session.close();

    const wrong = connectSsh(opts(store, { auth: { kind: 'key', privateKey: sshd.encryptedKey, passphrase: 'nope' } }));
    await expect(wrong).rejects.toBeInstanceOf(SshKeyError);
    await expect(wrong).rejects.toThrow(/passphrase for the SSH private key is wrong/);
    const missing = connectSsh(opts(store, { auth: { kind: 'key', privateKey: sshd.encryptedKey } }));
    await expect(missing).rejects.toThrow(/encrypted: enter its passphrase/);
  });

  it('authenticates with a key held by an ssh-agent', async () => {
    const agentDir = await mkdtemp(join(tmpdir(), 'homeport-agent-'));
    const socket = join(agentDir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
      const keyFile = join(agentDir, 'id');
      await writeFile(keyFile, sshd.privateKey, { mode: 0o600 });
      await run('ssh-add', [keyFile], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
      const store = await trustedStore();
      const session = await connectSsh(opts(store, { auth: { kind: 'agent', socket } }));
      expect((await session.exec(['id', '-un'])).stdout).toBe('homeport-test\n');
      await session.close();

      await run('ssh-add', ['-D'], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
      const err = await connectSsh(opts(store, { auth: { kind: 'agent', socket } })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SshAuthError);
      expect((err as Error).message).toContain('the keys in the SSH agent');
    } finally {
      agent.kill('SIGTERM');
      await rm(agentDir, { recursive: true, force: true });
    }
  });

  it('auth failure names the user and the method; a closed port names host:port', async () => {
    const store = await trustedStore();
    const err = await connectSsh(opts(store, { auth: { kind: 'password', password: 'not-the-password' } })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SshAuthError);
    expect((err as Error).message).toContain('"homeport-test"');
    expect((err as Error).message).toContain('the password');

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const unreachable = await connectSsh(opts(store, { port })).catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(SshUnreachableError);
    expect((unreachable as Error).message).toContain(`127.0.0.1:${port}`);

    // A listener that never speaks SSH: the handshake times out.
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as { port: number }).port;
    try {
      const timedOut = await connectSsh(opts(store, { port: silentPort, timeoutMs: 500 })).catch((e: unknown) => e);
      expect(timedOut).toBeInstanceOf(SshTimeoutError);
      expect((timedOut as Error).message).toContain(`127.0.0.1:${silentPort}`);
    } finally {
      silent.close();
    }
  });

  // Last: it rotates the server's host key.
  it('a changed host key is refused before authentication, naming both fingerprints', async () => {
    const store = await trustedStore();
    const oldFingerprint = sshd.hostKeyFingerprint;
    await sshd.rotateHostKey();
    expect(sshd.hostKeyFingerprint).not.toBe(oldFingerprint);
    const before = sshd.logs().length;

    const err = await connectSsh(opts(store)).catch((e: unknown) => e);
    if (!(err instanceof HostKeyChangedError)) throw err;
    const changed = err as HostKeyChangedError;
    expect(changed.code).toBe('FORBIDDEN');
    expect(changed.expected).toEqual([oldFingerprint]);
    expect(changed.received).toBe(sshd.hostKeyFingerprint);
    expect(changed.message).toMatch(/host key of 127\.0\.0\.1:\d+ has changed/);
    expect(changed.message).toMatch(/man-in-the-middle/);
    expect(changed.message).toContain(oldFingerprint);
    expect(changed.message).toContain(sshd.hostKeyFingerprint);
    expect(changed.message).toMatch(/sent nothing/);

    // sshd saw the key exchange but never an authentication request.
    await new Promise((r) => setTimeout(r, 300));
    const log = sshd.logs().slice(before);
    expect(log).toMatch(/Connection from 127\.0\.0\.1/);
    expect(log).not.toMatch(/userauth-request|Accepted|Failed|Invalid user/);

    // The user confirms the new key: Homeport's own entry is replaced and the connection works.
    await store.accept(sshd.host, sshd.port, changed.receivedKey);
    const session = await connectSsh(opts(store));
    expect((await session.exec(['id', '-un'])).stdout).toBe('homeport-test\n');
    await session.close();
  });
});
