/**
 * Replacing a changed host key, against a real sshd whose host key is regenerated: the new key is
 * trusted only when the user confirms the fingerprint the host presents at that moment, and only
 * then is the old key removed. NAS hosts and Docker ssh:// endpoints share the trust.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nasProbeSchema } from '@shared/storage-schemas';
import { endpointTestSchema } from '@shared/swarm-schemas';
import { createServices, type Services } from '../../services';
import { startSshd, type TestSshd } from './testing/sshd';

let sshd: TestSshd;
let dir: string;
let keyFile: string;
const opened: Services[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  dir = await mkdtemp(join(tmpdir(), 'homeport-replace-key-'));
  keyFile = join(dir, 'id_ed25519');
  await writeFile(keyFile, sshd.privateKey, { mode: 0o600 });
}, 60_000);

afterAll(async () => {
  for (const s of opened) s.close();
  await sshd?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Fresh services whose NAS host and endpoint 'box' are the sshd, with its current key trusted. */
async function trusting(name: string, userKnownHosts?: string): Promise<Services> {
  const home = join(dir, `${name}-home`);
  if (userKnownHosts !== undefined) {
    await mkdir(join(home, '.ssh'), { recursive: true });
    await writeFile(join(home, '.ssh', 'known_hosts'), userKnownHosts);
  }
  const s = createServices({
    dataDir: join(dir, name),
    mode: 'web',
    env: { HOME: home, KUBECONFIG: '/nonexistent/kubeconfig' },
  });
  opened.push(s);
  await s.nasHosts.add({ name: 'box', address: sshd.host, port: sshd.port, user: sshd.user, auth: 'key', keyFile });
  await s.dockerEndpoints.add({
    name: 'box',
    url: `ssh://${sshd.user}@${sshd.host}:${sshd.port}/nonexistent/docker.sock`,
    sshKeyFile: keyFile,
  });
  if (userKnownHosts === undefined) {
    await s.nasHosts.probe('box');
    await s.nasHosts.acceptHostKey('box', sshd.hostKeyFingerprint);
  }
  return s;
}

const probe = async (s: Services) => nasProbeSchema.parse(await s.nasHosts.probe('box'));
const knownHosts = (s: Services) => readFile(join(s.dataDir, 'known_hosts'), 'utf8');
const keyBlob = () => sshd.hostPublicKey.split(' ')[1]!;

describe('replacing a changed host key', () => {
  it('replaces it only with the fingerprint confirmed, the old key removed then and not before', async () => {
    const s = await trusting('nas');
    const old = sshd.hostKeyFingerprint;
    const oldBlob = keyBlob();
    await sshd.rotateHostKey();
    const failed = await probe(s);
    expect(failed).toMatchObject({
      reason: 'host-key-changed',
      hostKey: { fingerprint: sshd.hostKeyFingerprint, previous: [old], replaceable: true },
    });
    expect(failed.status === 'failed' && failed.message).toContain('replace the trusted key');

    // Accepting it as if it were unknown stays refused; so does confirming the old fingerprint.
    await expect(s.nasHosts.acceptHostKey('box', sshd.hostKeyFingerprint)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(s.nasHosts.replaceHostKey('box', old)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await knownHosts(s)).toContain(oldBlob);

    const removed = await s.nasHosts.replaceHostKey('box', sshd.hostKeyFingerprint);
    expect(removed).toEqual([old]);
    const file = await knownHosts(s);
    expect(file).not.toContain(oldBlob);
    expect(file).toContain(keyBlob());
    expect(await probe(s)).toMatchObject({ status: 'connected' });

    // Nothing left to replace: said so, and nothing changes.
    await expect(s.nasHosts.replaceHostKey('box', sshd.hostKeyFingerprint)).rejects.toThrow(/already trusts/);
  });

  it('refuses when the host presents another key than the one the user was shown and confirmed', async () => {
    const s = await trusting('moved');
    const trusted = keyBlob();
    await sshd.rotateHostKey();
    const shown = sshd.hostKeyFingerprint;
    expect(await probe(s)).toMatchObject({ reason: 'host-key-changed', hostKey: { fingerprint: shown } });
    // Between the warning and the confirmation, the host's key changes again.
    await sshd.rotateHostKey();
    const err = await s.nasHosts.replaceHostKey('box', shown).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONFLICT' });
    expect((err as Error).message).toContain(`now presents host key ${sshd.hostKeyFingerprint}, not ${shown}`);
    expect(await knownHosts(s)).toContain(trusted);
  });

  it('replaces an endpoint host key the same way, and the NAS host on the same host:port trusts it too', async () => {
    const s = await trusting('endpoint');
    const old = sshd.hostKeyFingerprint;
    await sshd.rotateHostKey();
    const failed = endpointTestSchema.parse(await s.dockerEndpoints.test('box'));
    expect(failed).toMatchObject({ reason: 'host-key-changed', hostKey: { previous: [old] } });
    await expect(s.dockerEndpoints.replaceHostKey('box', old)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await s.dockerEndpoints.replaceHostKey('box', sshd.hostKeyFingerprint)).toEqual([old]);
    expect(await probe(s)).toMatchObject({ status: 'connected' });
  });

  it("never writes the user's ~/.ssh/known_hosts: a key changed there is not replaceable", async () => {
    const s = await trusting('userfile', `[${sshd.host}]:${sshd.port} ${sshd.hostPublicKey}\n`);
    const recorded = sshd.hostPublicKey;
    await sshd.rotateHostKey();
    const failed = await probe(s);
    expect(failed).toMatchObject({ reason: 'host-key-changed', hostKey: { replaceable: false } });
    expect(failed.status === 'failed' && failed.message).toContain('ssh-keygen -R');
    await expect(s.nasHosts.replaceHostKey('box', sshd.hostKeyFingerprint)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await readFile(join(dir, 'userfile-home', '.ssh', 'known_hosts'), 'utf8')).toContain(recorded);
  });
});
