import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import S3rver from 's3rver';
import { startSshd, type TestSshd } from '../electron/core/ssh/testing/sshd';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { StoragePage } from './pages/storage-page';

const run = promisify(execFile);
let homeport: HomeportServer;
let sshd: TestSshd;
let keyFile: string;
let s3: S3rver;
let s3Endpoint: string;
const exportDir = `/srv/homeport-e2e-${randomBytes(4).toString('hex')}`;

test.beforeAll(async () => {
  sshd = await startSshd();
  keyFile = join(mkdtempSync(join(tmpdir(), 'homeport-e2e-key-')), 'id_ed25519');
  writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 });
  // HOME points at an empty directory: the machine's own ~/.ssh/known_hosts must not decide.
  const home = mkdtempSync(join(tmpdir(), 'homeport-e2e-home-'));
  const s3Dir = mkdtempSync(join(tmpdir(), 'homeport-e2e-s3-'));
  s3 = new S3rver({ address: '127.0.0.1', port: 0, directory: s3Dir, silent: true });
  s3Endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
  homeport = await startHomeport({ env: { KUBECONFIG: '/nonexistent/kubeconfig', HOME: home, DOCKER_HOST: '' } });
});

test.afterAll(async () => {
  await homeport?.close();
  await run('rm', ['-f', '/etc/exports.d/homeport-e2e-media.exports']).catch(() => undefined);
  await run('exportfs', ['-ra']).catch(() => undefined);
  await rm(exportDir, { recursive: true, force: true });
  await sshd?.close();
  await s3?.close();
});

test('add a NAS host, trust its host key, create an NFS export and see it active', async ({ page }) => {
  test.setTimeout(90_000);
  const storage = new StoragePage(page);
  await page.goto(homeport.url);
  await storage.open(homeport.origin);

  // A bad port is refused, naming the field; what was typed stays.
  await storage.addNasHost({ name: 'testnas', address: sshd.host, port: '70000', user: sshd.user, keyFile });
  await expect(storage.nasError()).toContainText('SSH port: ');
  await expect(storage.nasField('address')).toHaveValue(sshd.host);
  await storage.addNasHost({ port: String(sshd.port) });

  const nas = storage.nasHost('testnas');
  await expect(nas.row).toBeVisible();
  await nas.probe();
  // The host key is unknown: its fingerprint is shown, and nothing else happened yet.
  await expect(nas.hostKeyFingerprint()).toHaveText(sshd.hostKeyFingerprint);
  await nas.trustHostKey();
  await expect(nas.probeResult()).toContainText('NFS server installed');
  await expect(nas.probeResult()).toContainText('privilege: sudo');

  const exports = await nas.openExports();
  await exports.create({ name: 'e2e-media', path: exportDir, clients: '127.0.0.1, 10.0.0.0/24' });
  await expect(exports.created()).toContainText('Export created and active');
  await expect(exports.active('e2e-media')).toHaveText('Active');
  await expect(exports.export('e2e-media')).toContainText('read-only');

  // The machine's own NFS server lists it.
  expect((await run('exportfs', ['-v'])).stdout).toContain(exportDir);

  // Creating it again changes nothing; removing it un-exports it.
  await exports.submit();
  await expect(exports.created()).toContainText('nothing changed');
  await exports.remove('e2e-media');
  await expect(exports.export('e2e-media')).toHaveCount(0);
  expect((await run('exportfs', ['-v'])).stdout).not.toContain(exportDir);

  // The host key changes: the probe is refused with an alarm, and nothing is offered to trust.
  await sshd.rotateHostKey();
  await nas.probe();
  await expect(nas.probeResult()).toContainText('HOST KEY CHANGED');
  await expect(nas.probeResult()).toContainText(sshd.hostKeyFingerprint);
  await expect(nas.hostKeyChanged()).toBeVisible();
  await expect(nas.trustButton()).toHaveCount(0);
});

test('add an S3 profile, test it, create a bucket and delete it', async ({ page }) => {
  const storage = new StoragePage(page);
  await page.goto(homeport.url);
  await storage.open(homeport.origin);
  // A name the API and the CLI refuse, the form refuses too, with the same words; nothing is saved.
  await storage.addS3Profile({
    name: '-garage-',
    endpoint: s3Endpoint,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
  });
  await expect(storage.s3Error()).toContainText(`Name: "-garage-" starts or ends with '-'`);
  await expect(storage.s3Profile('-garage-').row).toHaveCount(0);
  await storage.addS3Profile({
    name: 'nas-s3',
    endpoint: s3Endpoint,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
  });
  const profile = storage.s3Profile('nas-s3');
  await expect(profile.row).toContainText('key S3RVER');
  // The secret key is never shown again.
  await expect(storage.s3Field('secretAccessKey')).toHaveValue('');
  await expect(storage.text()).not.toContainText('S3RVER/');
  await expect(await profile.test()).toContainText('Connected · 0 buckets');

  const buckets = await profile.openBuckets();
  await buckets.create('Bad_Bucket');
  await expect(buckets.error()).toContainText('Bad_Bucket');
  await buckets.create('revenge-avatars');
  await expect(buckets.bucket('revenge-avatars')).toBeVisible();
  await buckets.deleteIfEmpty('revenge-avatars');
  await expect(buckets.bucket('revenge-avatars')).toHaveCount(0);
});
