/**
 * The NAS destination against a real sshd (SFTP subsystem internal-sftp) on 127.0.0.1, reached
 * through a relay that can cut the connection; the export case uses this machine's real exportfs.
 * Needs root, openssh-server, sudo and nfs-kernel-server (run under flock /tmp/homeport-heavy.lock).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNasExports } from '../../nas/exports';
import { createNasHosts, type NasHosts } from '../../nas/hosts';
import { createSecretStore } from '../../secrets/secret-store';
import { HostKeyUnknownError } from '../../ssh/errors';
import { startSshd, type TestSshd } from '../../ssh/testing/sshd';
import { createSshTrust } from '../../ssh/trust';
import { openNasDestination } from './sftp';
import { destinationContract } from './testing/contract';
import { digest, randomStream, startRelay, type Relay } from './testing/streams';

const run = promisify(execFile);
const tag = randomBytes(4).toString('hex');
/** Homeport makes this directory itself (mkdir -p) as the SSH user. */
const root = `/tmp/homeport-sftp-${tag}/nested/backups`;
const exportName = `hptest-${tag}-bk`;
const exportPath = `/srv/homeport-test-${tag}/bk`;

let sshd: TestSshd;
let relay: Relay;
let dataDir: string;
let hosts: NasHosts;
let n = 0;

beforeAll(async () => {
  sshd = await startSshd({ extraConfig: ['Subsystem sftp internal-sftp'] });
  relay = await startRelay(sshd.port);
  dataDir = await mkdtemp(join(tmpdir(), 'homeport-sftp-data-'));
  const keyFile = join(dataDir, 'id_ed25519');
  await writeFile(keyFile, sshd.privateKey, { mode: 0o600 });
  hosts = createNasHosts({
    dataDir,
    secrets: createSecretStore({ dataDir }),
    trust: createSshTrust({ dataDir }),
    env: {},
  });
  await hosts.add({ name: 'nas', address: sshd.host, port: relay.port, user: sshd.user, auth: 'key', keyFile });
}, 60_000);

afterAll(async () => {
  await relay?.close();
  await sshd?.close();
  await rm(`/tmp/homeport-sftp-${tag}`, { recursive: true, force: true });
  await rm(`/etc/exports.d/homeport-${exportName}.exports`, { force: true });
  if (existsSync('/usr/sbin/exportfs')) await run('/usr/sbin/exportfs', ['-ra']).catch(() => undefined);
  await rm(`/srv/homeport-test-${tag}`, { recursive: true, force: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('NAS (SFTP) destination: trust', () => {
  it('refuses an unknown host key with the trust prompt error, and connects once it is accepted', async () => {
    const err = await openNasDestination(hosts, 'nas', root).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyUnknownError);
    expect(err).toMatchObject({ reason: 'host-key-unknown', fingerprint: sshd.hostKeyFingerprint });
    expect((err as Error).message).toContain("NAS host 'nas'");
    await hosts.acceptHostKey('nas', sshd.hostKeyFingerprint);
    const dest = await openNasDestination(hosts, 'nas', root);
    expect(dest.label).toBe(`NAS 'nas' ${root}`);
    await dest.close();
  });
});

describe('NAS (SFTP) destination', () => {
  destinationContract({
    open: () => openNasDestination(hosts, 'nas', root),
    relay: () => relay,
    folder: () => `run-${++n}`,
    maxRssGrowthBytes: 48 * 1024 * 1024,
  });

  it('creates the directory as the SSH user, folders 0700 and files 0600, and leaves no temporary', async () => {
    const dest = await openNasDestination(hosts, 'nas', root);
    try {
      await dest.write('modes/a/file.bin', randomStream(10_000));
      const uid = Number((await run('id', ['-u', sshd.user])).stdout.trim());
      for (const dir of [root, `${root}/modes`, `${root}/modes/a`]) {
        const st = await stat(dir);
        expect(st.mode & 0o777).toBe(0o700);
        expect(st.uid).toBe(uid);
      }
      expect((await stat(`${root}/modes/a/file.bin`)).mode & 0o777).toBe(0o600);
      expect(await readdir(`${root}/modes/a`)).toEqual(['file.bin']);
    } finally {
      await dest.close();
    }
  });

  it('reports a directory the SSH user may not write to', async () => {
    const locked = `/tmp/homeport-sftp-${tag}/locked`;
    await mkdir(locked, { mode: 0o755 });
    const dest = await openNasDestination(hosts, 'nas', locked);
    try {
      await expect(dest.write('x/file', randomStream(10))).rejects.toThrow(
        /cannot create the directory .*locked\/x: permission denied; give the SSH user write access/,
      );
    } finally {
      await dest.close();
    }
  });

  it("writes into one of Homeport's exports, named instead of a directory", async () => {
    if (process.getuid?.() !== 0 || !existsSync('/usr/sbin/exportfs')) {
      throw new Error('This test creates an NFS export: run it as root with nfs-kernel-server installed');
    }
    await mkdir('/var/lib/nfs', { recursive: true });
    if (!existsSync('/var/lib/nfs/etab')) await writeFile('/var/lib/nfs/etab', '');
    await createNasExports(hosts).create('nas', {
      name: exportName,
      path: exportPath,
      clients: ['127.0.0.1'],
      readOnly: false,
      squash: 'root_squash',
      owner: sshd.user,
      mode: '0750',
    });
    const dest = await openNasDestination(hosts, 'nas', exportName);
    try {
      expect(dest.label).toBe(`NAS 'nas' export '${exportName}' (${exportPath})`);
      const source = randomStream(100_000);
      await dest.write('b1/manifest.json', source);
      expect(await digest(await dest.read('b1/manifest.json'))).toEqual({ sha256: source.sha256(), bytes: 100_000 });
      expect((await stat(`${exportPath}/b1/manifest.json`)).size).toBe(100_000);
    } finally {
      await dest.close();
    }
    await expect(openNasDestination(hosts, 'nas', 'no-such-export')).rejects.toThrow(
      /NAS host 'nas' has no Homeport export named 'no-such-export'.*give an absolute directory/,
    );
  });
});
