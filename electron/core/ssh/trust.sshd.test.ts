/**
 * One SSH trust per data directory, as the composition root wires it: NAS hosts and Docker ssh://
 * endpoints against real sshd servers on 127.0.0.1. No NFS export and no Docker engine is touched:
 * a NAS probe stops at the host key, and an endpoint proves its SSH session by opening a client.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointTestSchema } from '@shared/swarm-schemas';
import { nasProbeSchema } from '@shared/storage-schemas';
import { createServices, type Services } from '../../services';
import { SshTimeoutError } from './errors';
import { startSshd, type TestSshd } from './testing/sshd';

let first: TestSshd;
let second: TestSshd;
let dir: string;
/** Each server's client key, by port. */
const keyFiles = new Map<number, string>();
const opened: Services[] = [];

beforeAll(async () => {
  [first, second] = await Promise.all([startSshd(), startSshd()]);
  dir = await mkdtemp(join(tmpdir(), 'homeport-one-trust-'));
  for (const server of [first, second]) {
    const file = join(dir, `id_ed25519_${server.port}`);
    await writeFile(file, server.privateKey, { mode: 0o600 });
    keyFiles.set(server.port, file);
  }
}, 60_000);

afterAll(async () => {
  for (const s of opened) s.close();
  await Promise.all([first?.close(), second?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The services of a fresh data directory, with a NAS host and an ssh:// endpoint per sshd. */
async function servicesWith(name: string, targets: Record<string, TestSshd | number>): Promise<Services> {
  const home = join(dir, `${name}-home`);
  const services = createServices({
    dataDir: join(dir, name),
    mode: 'web',
    // HOME is empty: the machine's own ~/.ssh/known_hosts must not decide.
    env: { HOME: home, KUBECONFIG: '/nonexistent/kubeconfig' },
  });
  opened.push(services);
  for (const [target, server] of Object.entries(targets)) {
    const port = typeof server === 'number' ? server : server.port;
    const user = typeof server === 'number' ? first.user : server.user;
    const keyFile = keyFiles.get(port) ?? keyFiles.get(first.port)!;
    await services.nasHosts.add({ name: target, address: '127.0.0.1', port, user, auth: 'key', keyFile });
    // Docker is never reached: a missing socket keeps the test to the SSH session.
    await services.dockerEndpoints.add({
      name: target,
      url: `ssh://${user}@127.0.0.1:${port}/nonexistent/docker.sock`,
      sshKeyFile: keyFile,
    });
  }
  return services;
}

const probe = async (s: Services, name: string) => nasProbeSchema.parse(await s.nasHosts.probe(name));
const testEndpoint = async (s: Services, name: string) => endpointTestSchema.parse(await s.dockerEndpoints.test(name));
/** Resolves once the endpoint's SSH session is up (host key trusted, logged in). */
const endpointConnects = async (s: Services, name: string) => (await s.dockerEndpoints.openClient(name)).close();
const nasConnects = async (s: Services, name: string) => {
  const session = await s.nasHosts.connect(name);
  try {
    return (await session.exec(['id', '-un'])).stdout.trim();
  } finally {
    await session.close();
  }
};
const knownHosts = (s: Services) => readFile(join(s.dataDir, 'known_hosts'), 'utf8').catch(() => '');

describe('one SSH trust for NAS hosts and Docker ssh:// endpoints', () => {
  it('a key trusted for a NAS host is trusted for an endpoint on the same host:port', async () => {
    const s = await servicesWith('nas-first', { box: first });
    const unknown = { reason: 'host-key-unknown', hostKey: { fingerprint: first.hostKeyFingerprint } };
    expect(await probe(s, 'box')).toMatchObject({ status: 'failed', ...unknown });
    expect(await testEndpoint(s, 'box')).toMatchObject({ status: 'failed', ...unknown });

    await s.nasHosts.acceptHostKey('box', first.hostKeyFingerprint);
    await endpointConnects(s, 'box');
    expect(await nasConnects(s, 'box')).toBe(first.user);
    expect((await knownHosts(s)).trim().split('\n')).toHaveLength(1);
  });

  it('a key trusted for an endpoint is trusted for a NAS host on the same host:port', async () => {
    const s = await servicesWith('endpoint-first', { box: first });
    expect(await testEndpoint(s, 'box')).toMatchObject({
      status: 'failed',
      reason: 'host-key-unknown',
      hostKey: { fingerprint: first.hostKeyFingerprint, keyType: 'ssh-ed25519' },
    });
    await expect(s.nasHosts.connect('box')).rejects.toMatchObject({ reason: 'host-key-unknown' });

    await s.dockerEndpoints.acceptHostKey('box', first.hostKeyFingerprint);
    expect(await nasConnects(s, 'box')).toBe(first.user);
    await endpointConnects(s, 'box');
  });

  it('a key shown for one host cannot be accepted for another', async () => {
    const s = await servicesWith('two-hosts', { one: first, two: second });
    expect(first.hostKeyFingerprint).not.toBe(second.hostKeyFingerprint);
    expect(await probe(s, 'one')).toMatchObject({ reason: 'host-key-unknown' });

    // Nothing was shown for the second host yet.
    await expect(s.nasHosts.acceptHostKey('two', first.hostKeyFingerprint)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(s.dockerEndpoints.acceptHostKey('two', first.hostKeyFingerprint)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // Once it was, only its own key can be accepted for it, through either service.
    expect(await testEndpoint(s, 'two')).toMatchObject({
      reason: 'host-key-unknown',
      hostKey: { fingerprint: second.hostKeyFingerprint },
    });
    await expect(s.nasHosts.acceptHostKey('two', first.hostKeyFingerprint)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(s.dockerEndpoints.acceptHostKey('two', first.hostKeyFingerprint)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await knownHosts(s)).toBe('');
    expect(await probe(s, 'two')).toMatchObject({ reason: 'host-key-unknown' });
    expect(await probe(s, 'one')).toMatchObject({ reason: 'host-key-unknown' });

    // One store: a key shown to either service waits for both, and trusting two hosts at once, one
    // through each service, keeps both lines of the one known_hosts file.
    await Promise.all([
      s.dockerEndpoints.acceptHostKey('one', first.hostKeyFingerprint),
      s.nasHosts.acceptHostKey('two', second.hostKeyFingerprint),
    ]);
    expect((await knownHosts(s)).trim().split('\n')).toHaveLength(2);
    await endpointConnects(s, 'one');
    expect(await nasConnects(s, 'two')).toBe(second.user);
  });

  it('a timeout is an SshTimeoutError, and reported as timeout by both', async () => {
    // A TCP port that accepts connections and never speaks SSH.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const s = await servicesWith('silent', { quiet: port });
      const nas = await s.nasHosts.connect('quiet', 500).catch((e: unknown) => e);
      expect(nas).toBeInstanceOf(SshTimeoutError);
      expect(nas).toMatchObject({ reason: 'timeout', code: 'UNAVAILABLE', timeoutMs: 500 });
      const endpoint = await s.dockerEndpoints.openClient('quiet', 500).catch((e: unknown) => e);
      expect(endpoint).toBeInstanceOf(SshTimeoutError);
      expect(endpoint).toMatchObject({ reason: 'timeout', code: 'UNAVAILABLE' });
      expect((endpoint as Error).message).toMatch(/^Endpoint 'quiet': /);

      expect(nasProbeSchema.parse(await s.nasHosts.probe('quiet', 500))).toMatchObject({ reason: 'timeout' });
      expect(endpointTestSchema.parse(await s.dockerEndpoints.test('quiet', 500))).toMatchObject({
        reason: 'timeout',
      });
    } finally {
      silent.close();
    }
  });

  // Last: it rotates the second server's host key.
  it('a changed key is host-key-changed for both, naming both keys, and cannot be accepted as an unknown one', async () => {
    const s = await servicesWith('changed', { two: second });
    await testEndpoint(s, 'two');
    await s.dockerEndpoints.acceptHostKey('two', second.hostKeyFingerprint);
    expect(await nasConnects(s, 'two')).toBe(second.user);

    const old = second.hostKeyFingerprint;
    await second.rotateHostKey();
    const changedKey = { fingerprint: second.hostKeyFingerprint, previous: [old], replaceable: true };
    const nas = await probe(s, 'two');
    expect(nas).toMatchObject({ status: 'failed', reason: 'host-key-changed', hostKey: changedKey });
    expect(nas.status === 'failed' && nas.message).toContain(second.hostKeyFingerprint);
    const endpoint = await testEndpoint(s, 'two');
    expect(endpoint).toMatchObject({ status: 'failed', reason: 'host-key-changed', hostKey: changedKey });

    await expect(s.nasHosts.acceptHostKey('two', second.hostKeyFingerprint)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(s.dockerEndpoints.acceptHostKey('two', second.hostKeyFingerprint)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
