/**
 * ~/.ssh/config for NAS hosts and ssh:// endpoints, against two real sshd servers on 127.0.0.1:
 * an alias resolved to HostName, Port, User and IdentityFile, and a ProxyJump through one server to
 * the other with both host keys verified by the one trust. Each server authorizes only its own
 * client key, so the IdentityFile of each host is what logs in.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../services';
import { startSshd, type TestSshd } from './testing/sshd';

let jump: TestSshd;
let target: TestSshd;
let dir: string;
let home: string;
const opened: Services[] = [];

beforeAll(async () => {
  [jump, target] = await Promise.all([startSshd(), startSshd()]);
  dir = await mkdtemp(join(tmpdir(), 'homeport-ssh-config-'));
  home = join(dir, 'home');
  await mkdir(join(home, '.ssh'), { recursive: true });
  await writeFile(join(home, '.ssh', 'id_jump'), jump.privateKey, { mode: 0o600 });
  await writeFile(join(home, '.ssh', `id_${target.user}`), target.privateKey, { mode: 0o600 });
  await writeFile(
    join(home, '.ssh', 'config'),
    [
      'Host hop',
      `  HostName ${jump.host}`,
      `  Port ${jump.port}`,
      `  User ${jump.user}`,
      '  IdentityFile ~/.ssh/id_jump',
      'Host mynas behind',
      `  HostName ${target.host}`,
      `  Port ${target.port}`,
      `  User ${target.user}`,
      '  IdentityFile ~/.ssh/id_%r',
      'Host behind',
      '  ProxyJump hop',
      '',
    ].join('\n'),
  );
}, 60_000);

afterAll(async () => {
  for (const s of opened) s.close();
  await Promise.all([jump?.close(), target?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A fresh data directory; HOME holds the SSH config and keys, and no agent runs. */
function services(name: string): Services {
  const s = createServices({ dataDir: join(dir, name), mode: 'web', env: { HOME: home, KUBECONFIG: '/nonexistent' } });
  opened.push(s);
  return s;
}

const whoami = async (s: Services, name: string) => {
  const session = await s.nasHosts.connect(name);
  try {
    return (await session.exec(['id', '-un'])).stdout.trim();
  } finally {
    await session.close();
  }
};

describe('~/.ssh/config', () => {
  it('resolves an alias to its HostName, Port, User and IdentityFile, for a NAS host and an endpoint', async () => {
    const s = services('alias');
    // Only the alias and the user are saved: no port, no key file.
    await s.nasHosts.add({ name: 'nas', address: 'mynas', user: target.user, auth: 'key' });
    expect((await s.nasHosts.get('nas')).port).toBe(target.port);
    expect(await s.nasHosts.probe('nas')).toMatchObject({
      reason: 'host-key-unknown',
      hostKey: { fingerprint: target.hostKeyFingerprint },
    });
    await s.nasHosts.acceptHostKey('nas', target.hostKeyFingerprint);
    expect(await whoami(s, 'nas')).toBe(target.user);

    // No user in the URL either: the config's User logs in.
    await s.dockerEndpoints.add({ name: 'nas', url: 'ssh://mynas/nonexistent/docker.sock' });
    (await s.dockerEndpoints.openClient('nas')).close();
  });

  it('lets a saved setting win over the config', async () => {
    const s = services('explicit');
    // The saved port is the jump server's: its key is the one shown, not the config's host's.
    await s.nasHosts.add({ name: 'nas', address: 'mynas', port: jump.port, user: target.user, auth: 'key' });
    expect(await s.nasHosts.probe('nas')).toMatchObject({
      reason: 'host-key-unknown',
      hostKey: { fingerprint: jump.hostKeyFingerprint },
    });
  });

  it('jumps through ProxyJump, verifying the jump host and the target with the same trust', async () => {
    const s = services('jump');
    await s.nasHosts.add({ name: 'far', address: 'behind', user: target.user, auth: 'key' });
    const before = jump.logs();

    // The jump host's key is asked about first; nothing goes further until it is trusted.
    const first = await s.nasHosts.probe('far');
    expect(first).toMatchObject({ reason: 'host-key-unknown', hostKey: { fingerprint: jump.hostKeyFingerprint } });
    expect(first.status === 'failed' && first.message).toMatch(
      new RegExp(`^NAS host 'far' \\(jump host ${jump.host}:${jump.port}\\): `),
    );
    await s.nasHosts.acceptHostKey('far', jump.hostKeyFingerprint);

    // Then the target's own key, reached through the jump host.
    const second = await s.nasHosts.probe('far');
    expect(second).toMatchObject({ reason: 'host-key-unknown', hostKey: { fingerprint: target.hostKeyFingerprint } });
    await s.nasHosts.acceptHostKey('far', target.hostKeyFingerprint);
    expect(await whoami(s, 'far')).toBe(target.user);
    // The jump server opened the forwarded connection to the target.
    const forwards = (log: string) =>
      log.split(`direct_tcpip: originator`).filter((l) => l.includes(`target ${target.host} port ${target.port}`))
        .length;
    expect(forwards(jump.logs())).toBeGreaterThan(forwards(before));

    // The endpoint shares the trust: both keys are known now.
    await s.dockerEndpoints.add({ name: 'far', url: `ssh://${target.user}@behind/nonexistent/docker.sock` });
    (await s.dockerEndpoints.openClient('far')).close();
  });

  it('refuses a changed key of the host behind the jump host', async () => {
    const s = services('jump-changed');
    await s.nasHosts.add({ name: 'far', address: 'behind', user: target.user, auth: 'key' });
    await s.nasHosts.probe('far');
    await s.nasHosts.acceptHostKey('far', jump.hostKeyFingerprint);
    // A key for the target that is not its own.
    const [type, base64] = jump.hostPublicKey.split(/\s+/);
    await writeFile(join(s.dataDir, 'known_hosts'), `[${target.host}]:${target.port} ${type} ${base64}\n`, {
      flag: 'a',
    });
    expect(await s.nasHosts.probe('far')).toMatchObject({ status: 'failed', reason: 'host-key-changed' });
  });
});
