/**
 * NAS hosts, probe and NFS exports against a real sshd on 127.0.0.1 (user homeport-test with
 * passwordless sudo) and the real exportfs of this machine. Needs root, openssh-server, sudo and
 * nfs-kernel-server; without them the tests fail and say what to install.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretStore } from '../secrets/secret-store';
import { startSshd, type TestSshd } from '../ssh/testing/sshd';
import { createSshTrust } from '../ssh/trust';
import { createNasExports, dropInPath, EXPORTS_DIR } from './exports';
import { createNasHosts, type NasHosts } from './hosts';

const run = promisify(execFile);
const EXPORTFS = '/usr/sbin/exportfs';
const tag = randomBytes(4).toString('hex');
const base = `/srv/homeport-test-${tag}`;
const exportName = (suffix: string) => `hptest-${tag}-${suffix}`;
/** A directory in a system tree the symlink tests point at. */
const runDir = `/run/homeport-test-${tag}`;

let sshd: TestSshd;
let dataDir: string;
let hosts: NasHosts;

async function exportfsV(): Promise<string> {
  return (await run(EXPORTFS, ['-v'])).stdout;
}

/** What exportfs needs on a machine whose kernel does not serve NFS: its state directory and etab. */
async function prepareExportfs(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('The NAS tests run exportfs and sshd, so they must run as root.');
  if (!existsSync(EXPORTFS)) {
    throw new Error(
      `${EXPORTFS} is missing: the NAS tests need it. Install it with: apt-get install -y nfs-kernel-server`,
    );
  }
  await mkdir('/var/lib/nfs', { recursive: true });
  if (!existsSync('/var/lib/nfs/etab')) await writeFile('/var/lib/nfs/etab', '');
}

async function cleanup(): Promise<void> {
  const files = await readdir(EXPORTS_DIR).catch(() => [] as string[]);
  for (const f of files) {
    if (f.includes(`hptest-${tag}-`)) await rm(join(EXPORTS_DIR, f), { force: true });
  }
  await run(EXPORTFS, ['-ra']).catch(() => undefined);
  await rm(base, { recursive: true, force: true });
  await rm(runDir, { recursive: true, force: true });
  await rm(`/etc/homeport-${tag}`, { recursive: true, force: true });
}

beforeAll(async () => {
  await prepareExportfs();
  await rm('/tmp/pwned', { force: true });
  sshd = await startSshd();
  dataDir = await mkdtemp(join(tmpdir(), 'homeport-nas-'));
  const keyFile = join(dataDir, 'id_ed25519');
  await writeFile(keyFile, sshd.privateKey, { mode: 0o600 });
  hosts = createNasHosts({
    dataDir,
    secrets: createSecretStore({ dataDir }),
    // The user's own ~/.ssh/known_hosts stays out of the test.
    trust: createSshTrust({ dataDir }),
    env: {},
  });
  await hosts.add({ name: 'nas', address: sshd.host, port: sshd.port, user: sshd.user, auth: 'key', keyFile });
}, 60_000);

afterAll(async () => {
  await cleanup();
  await sshd?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('NAS hosts', () => {
  it('keeps passwords in the secret store only', async () => {
    const added = await hosts.add({
      name: 'pw-host',
      address: 'nas.lan',
      user: 'admin',
      auth: 'password',
      secret: 'hunter2-very-secret',
    });
    expect(added).toEqual({
      name: 'pw-host',
      address: 'nas.lan',
      port: 22,
      user: 'admin',
      auth: 'password',
      hasSecret: true,
    });
    const file = await readFile(join(dataDir, 'nas-hosts.json'), 'utf8');
    expect(file).not.toContain('hunter2');
    expect((await stat(join(dataDir, 'nas-hosts.json'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dataDir, 'secrets.json'), 'utf8')).not.toContain('hunter2');
    const listed = (await hosts.list()).find((h) => h.name === 'pw-host');
    expect(listed?.hasSecret).toBe(true);
    expect(JSON.stringify(await hosts.list())).not.toContain('hunter2');

    await expect(hosts.add({ name: 'pw-host', address: 'x', user: 'a', auth: 'agent' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(hosts.add({ name: 'other', address: 'nas.lan', user: 'a', auth: 'password' })).rejects.toThrow(
      /^'secret'/,
    );
    expect((await hosts.update('pw-host', { port: 2222 })).hasSecret).toBe(true);
    await hosts.remove('pw-host');
    expect(await readFile(join(dataDir, 'secrets.json'), 'utf8')).not.toContain('nas/pw-host/secret');
  });

  it('reports an unknown host key with its fingerprint, then connects once it is accepted', async () => {
    const first = await hosts.probe('nas');
    expect(first).toMatchObject({
      status: 'failed',
      reason: 'host-key-unknown',
      hostKey: { fingerprint: sshd.hostKeyFingerprint, keyType: 'ssh-ed25519' },
    });
    await expect(hosts.acceptHostKey('nas', 'SHA256:not-the-key')).rejects.toMatchObject({ code: 'CONFLICT' });
    await hosts.acceptHostKey('nas', sshd.hostKeyFingerprint);

    const probe = await hosts.probe('nas');
    if (probe.status !== 'connected') throw new Error(probe.message);
    expect(probe.os).toMatch(/\S/);
    expect(probe.nfsServer).toBe(true);
    expect(probe.privilege).toBe('sudo');
    const srv = probe.paths.find((p) => p.path === '/srv');
    expect(srv?.totalBytes).toBeGreaterThan(0);
    expect(srv?.freeBytes).toBeGreaterThanOrEqual(0);
  });
});

describe('NFS exports', () => {
  const exportsOf = () => createNasExports(hosts);

  it('creates a read-only export idempotently and removes it', async () => {
    const nfs = exportsOf();
    const name = exportName('ro');
    const path = `${base}/data`;
    const created = await nfs.create('nas', {
      name,
      path,
      clients: ['127.0.0.1', '10.0.0.0/24'],
      readOnly: true,
      squash: 'root_squash',
      owner: { uid: 1000, gid: 1000 },
      mode: '0750',
    });
    expect(created).toMatchObject({ name, path, active: true, changed: true, createdDirectory: true, readOnly: true });
    expect(created.options).toMatch(/(^|,)ro(,|$)/);
    const st = await stat(path);
    expect(st.isDirectory()).toBe(true);
    expect(st.mode & 0o7777).toBe(0o750);
    expect(st.uid).toBe(1000);

    const file = dropInPath(name);
    const content = await readFile(file, 'utf8');
    expect(content).toContain(
      `${path} 127.0.0.1(ro,sync,no_subtree_check,root_squash) 10.0.0.0/24(ro,sync,no_subtree_check,root_squash)\n`,
    );
    const listed = await exportfsV();
    expect(listed).toMatch(new RegExp(`^${path}\\s+127\\.0\\.0\\.1\\(.*\\bro\\b`, 'm'));
    expect(listed).toMatch(new RegExp(`^${path}\\s+10\\.0\\.0\\.0/24\\(`, 'm'));
    expect(await readFile('/etc/exports', 'utf8')).not.toContain(path);

    const mtime = (await stat(file)).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    const again = await nfs.create('nas', {
      name,
      path,
      clients: ['127.0.0.1', '10.0.0.0/24'],
      readOnly: true,
      squash: 'root_squash',
    });
    expect(again).toMatchObject({ active: true, changed: false, createdDirectory: false });
    expect((await stat(file)).mtimeMs).toBe(mtime);

    const all = await nfs.list('nas');
    expect(all.find((e) => e.name === name)).toMatchObject({
      path,
      clients: ['127.0.0.1', '10.0.0.0/24'],
      readOnly: true,
      squash: 'root_squash',
      active: true,
    });

    await nfs.remove('nas', name);
    expect(existsSync(file)).toBe(false);
    expect(await exportfsV()).not.toContain(path);
    expect(existsSync(path)).toBe(true); // the data stays
    await expect(nfs.remove('nas', name)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('exports a path with spaces and special characters literally', async () => {
    const nfs = exportsOf();
    const name = exportName('spaces');
    const path = `${base}/my media; touch /tmp/pwned $(id)`;
    const created = await nfs.create('nas', {
      name,
      path,
      clients: ['127.0.0.1'],
      readOnly: false,
      squash: 'no_root_squash',
    });
    expect(created).toMatchObject({ active: true, changed: true, createdDirectory: true, readOnly: false });
    expect((await stat(path)).isDirectory()).toBe(true);
    const line = (await readFile(dropInPath(name), 'utf8')).split('\n')[1]!;
    expect(line.startsWith(`${base}/my\\040media\\073\\040touch\\040/tmp/pwned\\040\\044\\050id\\051 `)).toBe(true);
    expect(await exportfsV()).toContain(`${path}`);
    expect((await nfs.list('nas')).find((e) => e.name === name)).toMatchObject({ path, active: true });
    expect(existsSync('/tmp/pwned')).toBe(false);
    await nfs.remove('nas', name);
    expect(await exportfsV()).not.toContain(path);
  });

  it('refuses hostile input or handles it literally, and never runs it', async () => {
    const nfs = exportsOf();
    const spec = { clients: ['127.0.0.1'], readOnly: true, squash: 'root_squash' as const };
    await expect(nfs.create('nas', { ...spec, name: '$(id)', path: `${base}/a` })).rejects.toThrow(/^'name'/);
    await expect(nfs.create('nas', { ...spec, name: exportName('nl'), path: `${base}/a\nb` })).rejects.toThrow(
      /^'path'.*control character/,
    );
    await expect(nfs.create('nas', { ...spec, name: exportName('rel'), path: 'srv/x' })).rejects.toThrow(
      /^'path'.*relative/,
    );
    await expect(nfs.create('nas', { ...spec, name: exportName('dots'), path: `${base}/../etc` })).rejects.toThrow(
      /^'path'.*'\.\.'/,
    );
    await expect(
      nfs.create('nas', {
        ...spec,
        name: exportName('cl'),
        path: `${base}/c`,
        clients: ['127.0.0.1; touch /tmp/pwned'],
      }),
    ).rejects.toThrow(/^'clients'/);
    await expect(
      nfs.create('nas', { ...spec, name: exportName('own'), path: `${base}/c`, owner: '$(touch /tmp/pwned)' }),
    ).rejects.toThrow(/^'owner'/);

    // Handled literally: the directory "x; touch " with "tmp/pwned" inside it under base.
    const name = exportName('semi');
    const path = `${base}/x; touch /tmp/pwned`;
    const created = await nfs.create('nas', { ...spec, name, path });
    expect(created.active).toBe(true);
    expect((await stat(path)).isDirectory()).toBe(true);
    await nfs.remove('nas', name);
    expect(existsSync('/tmp/pwned')).toBe(false);
    expect(existsSync(`${base}/a`)).toBe(false);
  });

  it('refuses a path that is a symlink on the NAS, and leaves what it points to untouched', async () => {
    const nfs = exportsOf();
    await mkdir(base, { recursive: true });
    await mkdir(runDir, { mode: 0o755 });
    await symlink('/etc', `${base}/etc-link`);
    await symlink(runDir, `${base}/run-link`);
    const etc = await stat('/etc');
    const spec = { clients: ['127.0.0.1'], readOnly: false, squash: 'no_root_squash' as const };
    // Owner and mode /etc has already: even a Homeport that followed the link would change nothing there.
    const asEtc = { owner: { uid: etc.uid, gid: etc.gid }, mode: (etc.mode & 0o7777).toString(8).padStart(4, '0') };

    await expect(
      nfs.create('nas', { ...spec, ...asEtc, name: exportName('etc'), path: `${base}/etc-link` }),
    ).rejects.toThrow(new RegExp(`^'path': ${base}/etc-link is a symlink on the NAS to /etc, a system directory`));
    // Below the link, nothing is created: the part that exists is checked first.
    await expect(
      nfs.create('nas', { ...spec, ...asEtc, name: exportName('etc-sub'), path: `${base}/etc-link/homeport-${tag}` }),
    ).rejects.toThrow(new RegExp(`^'path': ${base}/etc-link \\(part of .*\\) is a symlink on the NAS to /etc`));
    expect(existsSync(`/etc/homeport-${tag}`)).toBe(false);
    const after = await stat('/etc');
    expect([after.uid, after.gid, after.mode]).toEqual([etc.uid, etc.gid, etc.mode]);

    // A directory of a system tree keeps its owner and mode.
    await expect(
      nfs.create('nas', {
        ...spec,
        name: exportName('run'),
        path: `${base}/run-link`,
        owner: { uid: 1000, gid: 1000 },
        mode: '0777',
      }),
    ).rejects.toThrow(/a system directory/);
    const runAfter = await stat(runDir);
    expect([runAfter.uid, runAfter.mode & 0o7777]).toEqual([0, 0o755]);

    // A symlink to an ordinary directory is refused too, naming the real one to export.
    await mkdir(`${base}/real`);
    await symlink(`${base}/real`, `${base}/alias`);
    await expect(nfs.create('nas', { ...spec, name: exportName('alias'), path: `${base}/alias` })).rejects.toThrow(
      `Export ${base}/real instead`,
    );

    for (const n of ['etc', 'etc-sub', 'run', 'alias']) expect(existsSync(dropInPath(exportName(n)))).toBe(false);
    expect(await exportfsV()).not.toMatch(new RegExp(`^(/etc|${runDir}|${base}/real)\\s`, 'm'));
  });

  it('refuses a changed host key', async () => {
    await sshd.rotateHostKey();
    const probe = await hosts.probe('nas');
    expect(probe).toMatchObject({ status: 'failed', reason: 'host-key-changed' });
    if (probe.status === 'failed') expect(probe.message).toContain(sshd.hostKeyFingerprint);
    await expect(exportsOf().list('nas')).rejects.toMatchObject({ reason: 'host-key-changed' });
  });
});
