/**
 * A host known by only one of its host keys: Homeport asks the host for the key types already known
 * for it first, as OpenSSH does, so a host known by its RSA or ECDSA key is recognized although it
 * also has an ed25519 key (which ssh2 would ask for first). Against a real sshd holding three keys.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh, preferredHostKeyAlgorithms } from './connect';
import { HostKeyUnknownError } from './errors';
import { startSshd, type HostKeyKind, type TestSshd } from './testing/sshd';
import { createSshTrust } from './trust';

let sshd: TestSshd;
let dir: string;

beforeAll(async () => {
  sshd = await startSshd({ hostKeyKinds: ['ed25519', 'rsa', 'ecdsa'] });
  dir = await mkdtemp(join(tmpdir(), 'homeport-hostkey-order-'));
}, 60_000);
afterAll(async () => {
  await sshd?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `[127.0.0.1]:port <type> <base64>` for the server's key of this kind. */
const knownLine = (kind: HostKeyKind) => {
  const [type, base64] = sshd.hostKeys.find((k) => k.kind === kind)!.publicKey.split(/\s+/);
  return `[${sshd.host}]:${sshd.port} ${type} ${base64}\n`;
};

async function connectWith(name: string, files: { homeport?: string; user?: string }) {
  const dataDir = join(dir, name);
  const userKnownHosts = join(dir, `${name}-user_known_hosts`);
  const trust = createSshTrust({ dataDir, userKnownHosts });
  if (files.homeport !== undefined) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'known_hosts'), files.homeport, { mode: 0o600 });
  }
  if (files.user !== undefined) await writeFile(userKnownHosts, files.user);
  return connectSsh({
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    auth: { kind: 'key', privateKey: sshd.privateKey },
    hostKeys: trust,
    label: `test '${name}'`,
  });
}

describe('host key algorithms offered first', () => {
  it('puts the algorithms of the known key types first, in ssh2 order', () => {
    expect(preferredHostKeyAlgorithms([])).toEqual([]);
    expect(preferredHostKeyAlgorithms(['ssh-rsa'])).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(preferredHostKeyAlgorithms(['ssh-rsa', 'ecdsa-sha2-nistp256', 'ssh-dss', 'x-unknown'])).toEqual([
      'ecdsa-sha2-nistp256',
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
  });

  it('connects as trusted to a host known only by its RSA key in Homeport known_hosts', async () => {
    const session = await connectWith('rsa-only', { homeport: knownLine('rsa') });
    expect((await session.exec(['id', '-un'])).stdout.trim()).toBe(sshd.user);
    await session.close();
  });

  it('connects as trusted to a host known only by its ECDSA key in the user known_hosts', async () => {
    const session = await connectWith('ecdsa-only', { user: knownLine('ecdsa') });
    await session.close();
  });

  it('still shows the ed25519 key of a host known by no key, and a changed RSA key is still refused', async () => {
    const unknown = await connectWith('none', {}).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(HostKeyUnknownError);
    expect(unknown).toMatchObject({ keyType: 'ssh-ed25519', fingerprint: sshd.hostKeys[0]!.fingerprint });

    // The RSA line holds another host's key: the host's own RSA key is asked for, and differs.
    const other = await startSshd({ hostKeyKinds: ['rsa'] });
    try {
      const [type, base64] = other.hostKeys[0]!.publicKey.split(/\s+/);
      const changed = await connectWith('changed', {
        homeport: `[${sshd.host}]:${sshd.port} ${type} ${base64}\n`,
      }).catch((e: unknown) => e);
      expect(changed).toMatchObject({ reason: 'host-key-changed', keyType: 'ssh-rsa' });
    } finally {
      await other.close();
    }
  });
});
