import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointTestSchema } from '@shared/swarm-schemas';
import { startSshd, TEST_USER, type TestSshd } from '../ssh/testing/sshd';
import { createSshTrust } from '../ssh/trust';
import { createDockerEndpoints } from './endpoints';
import { testEngine } from './testing/engine';

const run = promisify(execFile);
const engine = testEngine();

describe('ssh:// endpoints', () => {
  let sshd: TestSshd;
  let dir: string;
  let proxy: net.Server;
  let socketPath: string;

  beforeAll(async () => {
    sshd = await startSshd();
    dir = await mkdtemp(join(tmpdir(), 'homeport-ssh-endpoint-'));
    // The engine's own socket stays as it is: the SSH user gets a socket of its own in the server's
    // directory that relays to the engine, as a member of the docker group would use /var/run/docker.sock.
    socketPath = join(sshd.dir, 'docker.sock');
    proxy = net.createServer((conn) => {
      const upstream = net.connect(engine.socketPath);
      conn.pipe(upstream).pipe(conn);
      conn.on('error', () => upstream.destroy());
      upstream.on('error', () => conn.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(socketPath, resolve));
    await run('chown', [TEST_USER, socketPath]);
    await chmod(socketPath, 0o600);
  });

  afterAll(async () => {
    await new Promise((resolve) => proxy?.close(resolve));
    await sshd?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('asks about an unknown host key, connects once it is accepted, and refuses a changed one', async () => {
    const keyFile = join(dir, 'id_ed25519');
    await writeFile(keyFile, sshd.privateKey, { mode: 0o600 });
    const endpoints = createDockerEndpoints({
      dataDir: dir,
      env: {},
      trust: createSshTrust({ dataDir: dir, userKnownHosts: join(dir, 'user_known_hosts') }),
    });
    await endpoints.add({
      name: 'ssh-nas',
      url: `ssh://${sshd.user}@127.0.0.1:${sshd.port}${socketPath}`,
      sshKeyFile: keyFile,
    });

    const unknown = endpointTestSchema.parse(await endpoints.test('ssh-nas'));
    expect(unknown).toMatchObject({
      status: 'failed',
      reason: 'host-key-unknown',
      hostKey: { fingerprint: sshd.hostKeyFingerprint, keyType: 'ssh-ed25519' },
    });
    expect(unknown.status === 'failed' && unknown.message).toMatch(/Endpoint 'ssh-nas': .*not known yet/);

    await expect(endpoints.acceptHostKey('ssh-nas', 'SHA256:not-the-key')).rejects.toMatchObject({ code: 'CONFLICT' });
    await endpoints.acceptHostKey('ssh-nas', sshd.hostKeyFingerprint);
    const connected = endpointTestSchema.parse(await endpoints.test('ssh-nas'));
    const version = (await engine.docker(['version', '--format', '{{.Server.Version}}'])).trim();
    expect(connected).toMatchObject({ status: 'connected', version, swarm: { state: 'active', isManager: true } });

    // Requests and streams go through the forwarded socket too.
    const client = await endpoints.openClient('ssh-nas');
    expect(await client.request<Array<{ ID: string }>>('/nodes')).toHaveLength(1);
    client.close();

    const trusted = sshd.hostKeyFingerprint;
    await sshd.rotateHostKey();
    const changed = endpointTestSchema.parse(await endpoints.test('ssh-nas'));
    expect(changed).toMatchObject({ status: 'failed', reason: 'host-key-changed' });
    // The alarm names the key trusted until now and the one presented; it is not offered for trust.
    expect(changed.status === 'failed' && changed.hostKey).toMatchObject({
      fingerprint: sshd.hostKeyFingerprint,
      previous: [trusted],
      replaceable: true,
    });
    expect(changed.status === 'failed' && changed.message).toMatch(/host key of 127\.0\.0\.1:\d+ has changed/);
    await expect(endpoints.acceptHostKey('ssh-nas', sshd.hostKeyFingerprint)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('says which socket the host would not open, and that a missing key file is a config error', async () => {
    const keyFile = join(dir, 'id_ed25519_2');
    await writeFile(keyFile, sshd.privateKey, { mode: 0o600 });
    const dataDir = join(dir, 'second');
    const endpoints = createDockerEndpoints({ dataDir, env: {}, trust: createSshTrust({ dataDir }) });
    await endpoints.add({
      name: 'ssh-nosock',
      url: `ssh://${sshd.user}@127.0.0.1:${sshd.port}/nonexistent/docker.sock`,
      sshKeyFile: keyFile,
    });
    await endpoints.test('ssh-nosock');
    await endpoints.acceptHostKey('ssh-nosock', sshd.hostKeyFingerprint);
    const result = await endpoints.test('ssh-nosock');
    expect(result).toMatchObject({ status: 'failed', reason: 'unreachable' });
    expect(result.status === 'failed' && result.message).toMatch(/did not open \/nonexistent\/docker.sock/);

    await endpoints.add({
      name: 'ssh-nokey',
      url: `ssh://${sshd.user}@127.0.0.1:${sshd.port}`,
      sshKeyFile: join(dir, 'missing_key'),
    });
    const nokey = await endpoints.test('ssh-nokey');
    expect(nokey).toMatchObject({ status: 'failed', reason: 'config' });
    expect(nokey.status === 'failed' && nokey.message).toMatch(/SSH key file .*missing_key does not exist/);
  });
});
