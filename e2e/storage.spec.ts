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
  await page.goto(homeport.url);
  await page.goto(`${homeport.origin}/#storage`);
  await expect(page.getByRole('heading', { name: 'Storage', exact: true })).toBeVisible();

  // A bad port is refused, naming the field; what was typed stays.
  await page.getByTestId('nas-name').fill('testnas');
  await page.getByTestId('nas-address').fill(sshd.host);
  await page.getByTestId('nas-port').fill('70000');
  await page.getByTestId('nas-user').fill(sshd.user);
  await page.getByTestId('nas-keyFile').fill(keyFile);
  await page.getByRole('button', { name: 'Add NAS host' }).click();
  await expect(page.getByTestId('nas-error')).toContainText('port');
  await expect(page.getByTestId('nas-address')).toHaveValue(sshd.host);
  await page.getByTestId('nas-port').fill(String(sshd.port));
  await page.getByRole('button', { name: 'Add NAS host' }).click();

  const row = page.locator('[data-nas="testnas"]');
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'Probe' }).click();
  // The host key is unknown: its fingerprint is shown, and nothing else happened yet.
  await expect(row.getByTestId('host-key-fingerprint')).toHaveText(sshd.hostKeyFingerprint);
  await row.getByRole('button', { name: 'Trust this host key and connect' }).click();
  await expect(row.getByTestId('nas-probe-result')).toContainText('NFS server installed');
  await expect(row.getByTestId('nas-probe-result')).toContainText('privilege: sudo');

  await row.getByRole('button', { name: 'Exports' }).click();
  const panel = page.getByTestId('exports-panel');
  await panel.getByTestId('export-name').fill('e2e-media');
  await panel.getByTestId('export-path').fill(exportDir);
  await panel.getByTestId('export-clients').fill('127.0.0.1, 10.0.0.0/24');
  await panel.getByRole('button', { name: 'Create export' }).click();
  await expect(panel.getByTestId('export-created')).toContainText('Export created and active');
  const exported = panel.locator('[data-export="e2e-media"]');
  await expect(exported.getByTestId('export-active')).toHaveText('Active');
  await expect(exported).toContainText('read-only');

  // The machine's own NFS server lists it.
  expect((await run('exportfs', ['-v'])).stdout).toContain(exportDir);

  // Creating it again changes nothing; removing it un-exports it.
  await panel.getByRole('button', { name: 'Create export' }).click();
  await expect(panel.getByTestId('export-created')).toContainText('nothing changed');
  await exported.getByRole('button', { name: 'Remove' }).click();
  await expect(exported).toHaveCount(0);
  expect((await run('exportfs', ['-v'])).stdout).not.toContain(exportDir);
});

test('add an S3 profile, test it, create a bucket and delete it', async ({ page }) => {
  await page.goto(homeport.url);
  await page.goto(`${homeport.origin}/#storage`);
  // A name the API and the CLI refuse, the form refuses too, with the same words; nothing is saved.
  await page.getByTestId('s3-name').fill('-garage-');
  await page.getByTestId('s3-endpoint').fill(s3Endpoint);
  await page.getByTestId('s3-accessKeyId').fill('S3RVER');
  await page.getByTestId('s3-secretAccessKey').fill('S3RVER');
  await page.getByRole('button', { name: 'Add S3 profile' }).click();
  await expect(page.getByTestId('s3-error')).toContainText(
    `Invalid input for s3:add: 'name': "-garage-" starts or ends with '-'`,
  );
  await expect(page.locator('[data-s3="-garage-"]')).toHaveCount(0);
  await page.getByTestId('s3-name').fill('nas-s3');
  await page.getByTestId('s3-endpoint').fill(s3Endpoint);
  await page.getByTestId('s3-accessKeyId').fill('S3RVER');
  await page.getByTestId('s3-secretAccessKey').fill('S3RVER');
  await page.getByRole('button', { name: 'Add S3 profile' }).click();
  const row = page.locator('[data-s3="nas-s3"]');
  await expect(row).toContainText('key S3RVER');
  // The secret key is never shown again.
  await expect(page.getByTestId('s3-secretAccessKey')).toHaveValue('');
  await expect(page.locator('body')).not.toContainText('S3RVER/');
  await row.getByRole('button', { name: 'Test connection' }).click();
  await expect(row.getByTestId('s3-result')).toContainText('Connected · 0 buckets');

  await row.getByRole('button', { name: 'Buckets' }).click();
  const panel = page.getByTestId('buckets-panel');
  await panel.getByTestId('bucket-name').fill('Bad_Bucket');
  await panel.getByRole('button', { name: 'Create bucket' }).click();
  await expect(panel.getByTestId('bucket-error')).toContainText('Bad_Bucket');
  await panel.getByTestId('bucket-name').fill('revenge-avatars');
  await panel.getByRole('button', { name: 'Create bucket' }).click();
  await expect(panel.locator('[data-bucket="revenge-avatars"]')).toBeVisible();
  await panel.locator('[data-bucket="revenge-avatars"]').getByRole('button', { name: 'Delete (if empty)' }).click();
  await expect(panel.locator('[data-bucket="revenge-avatars"]')).toHaveCount(0);
});
