/**
 * Bring your own stack: a docker-compose.yml pasted on the Deploy screen is analyzed (what was
 * understood, the key Homeport cannot express named with its path), its volume mapped to an NFS
 * export Homeport made on a NAS host (the test sshd on this machine, as storage.spec.ts does),
 * saved as a user stack that the picker lists, deployed to the sandbox whose kubelet is the e2e
 * Docker engine (stand-in image homeport-test/standin:1, which serves HTTP on port 3000), and
 * scored on the Readiness screen with its probes passing.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { STANDIN_IMAGE } from '../electron/core/docker/testing/dockerd';
import { startSshd, type TestSshd } from '../electron/core/ssh/testing/sshd';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { kubectl } from './env/kubectl';
import { DeployPage } from './pages/deploy-page';
import { ReadinessPage } from './pages/readiness-page';
import { StoragePage } from './pages/storage-page';

const run = promisify(execFile);
const EXPORT = 'e2e-photos';
const exportDir = `/srv/homeport-e2e-photos-${randomBytes(4).toString('hex')}`;

let homeport: HomeportServer;
let sshd: TestSshd;
let keyFile: string;
let kubeconfig: string;

const COMPOSE = `services:
  web:
    image: ${STANDIN_IMAGE}
    build: ./web
    ports:
      - "3000"
    volumes:
      - photos:/srv/photos
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/health/ready"]
      interval: 5s
volumes:
  photos: {}
`;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const dockerHost = process.env.HOMEPORT_E2E_DOCKER_HOST;
  if (!dockerHost) throw new Error('The e2e global setup did not start the test Docker engine');
  sshd = await startSshd();
  keyFile = join(mkdtempSync(join(tmpdir(), 'homeport-e2e-key-')), 'id_ed25519');
  writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 });
  const home = mkdtempSync(join(tmpdir(), 'homeport-e2e-home-'));
  homeport = await startHomeport({
    args: ['--sandbox', '--runtime', `docker=${dockerHost}`],
    env: { KUBECONFIG: '/nonexistent/kubeconfig', HOME: home, DOCKER_HOST: '' },
  });
  kubeconfig = join(homeport.dataDir, 'sandbox.kubeconfig');
});

test.afterAll(async () => {
  await homeport?.close();
  await run('rm', ['-f', `/etc/exports.d/homeport-${EXPORT}.exports`]).catch(() => undefined);
  await run('exportfs', ['-ra']).catch(() => undefined);
  await rm(exportDir, { recursive: true, force: true });
  await sshd?.close();
});

/**
 * Opens the import form. A click right after the Deploy screen appeared was once lost in CI (the
 * form never opened, the screen showed the button again; cause not found): click again until the
 * form shows, so that case fails only if the form never opens.
 */
async function openImport(page: Page) {
  await expect(async () => {
    if (!(await page.getByTestId('compose-text').isVisible())) await page.getByTestId('import-compose-open').click();
    await expect(page.getByTestId('compose-text')).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 20_000 });
}

test('import a compose file, map its volume to a NAS export, deploy it and see it healthy', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(homeport.url);

  // A NAS host with an NFS export made by Homeport, as on the Storage screen.
  const storage = new StoragePage(page);
  await storage.open(homeport.origin);
  await storage.addNasHost({ name: 'testnas', address: sshd.host, port: String(sshd.port), user: sshd.user, keyFile });
  const nas = storage.nasHost('testnas');
  await nas.probe();
  await nas.trustHostKey();
  await expect(nas.probeResult()).toContainText('NFS server installed');
  const exports = await nas.openExports();
  await exports.create({ name: EXPORT, path: exportDir, clients: '127.0.0.1' });
  // Creating runs several commands over SSH (mkdir, the exports file, exportfs): wait for its answer.
  await expect(exports.created()).toContainText('Export created and active', { timeout: 30_000 });
  await expect(exports.active(EXPORT)).toHaveText('Active');

  // Import: what was understood, and the key Homeport cannot express, named with its path.
  const deploy = new DeployPage(page);
  await deploy.open(homeport.origin);
  await openImport(page);
  await page.getByTestId('compose-text').fill(COMPOSE);
  await page.getByTestId('compose-analyze').click();
  const services = page.getByTestId('compose-services');
  await expect(services.locator('[data-service="web"]')).toContainText(STANDIN_IMAGE);
  await expect(page.getByTestId('compose-unsupported')).toContainText('services.web.build');
  await expect(page.getByTestId('compose-errors')).toHaveCount(0);

  // The volume goes to the NAS export.
  await page.getByTestId('volume-kind-photos').selectOption('nas');
  await page.getByTestId('volume-host-photos').selectOption('testnas');
  await page.getByTestId('volume-export-photos').selectOption(EXPORT);
  await page.getByTestId('user-stack-name').fill('photos');
  await page.getByTestId('user-stack-title').fill('Photos');
  await page.getByTestId('user-stack-description').fill('My photo server from a compose file');
  await page.getByTestId('compose-save').click();
  await expect(page.getByTestId('compose-save-error')).toHaveCount(0);

  // The picker lists it next to the catalog's stacks, saying what it is and that it is not deployed yet.
  const card = page.getByTestId('stack-photos');
  await expect(card).toHaveAttribute('data-origin', 'user');
  await expect(card.getByTestId('stack-origin')).toHaveText('Your stack · v1');
  await expect(card).toContainText('My photo server from a compose file');
  await expect(card.getByTestId('stack-deployed')).toHaveText('Not deployed');
  await expect(page.getByTestId('stack-revenge')).toHaveAttribute('data-origin', 'catalog');

  // Deployed through the normal flow (it was picked on save).
  await expect(card).toHaveAttribute('aria-pressed', 'true');
  await expect(deploy.reviewPlanButton).toBeEnabled({ timeout: 15_000 });
  await deploy.reviewPlan();
  await expect(deploy.planItems('create').first()).toBeVisible();
  await deploy.apply();
  await expect(deploy.applyResult).toContainText('Applied revision 1');
  await expect(deploy.rolloutState).toHaveText('Healthy', { timeout: 120_000 });

  // The NAS export was resolved to its server and path for the volume.
  const pvs = await kubectl(kubeconfig, ['get', 'pv', '-o', 'jsonpath={.items[*].spec.nfs.path}']);
  expect(pvs).toContain(exportDir);

  // The Readiness screen scores it: its probes pass on the live pods.
  const readiness = new ReadinessPage(page);
  await readiness.open(homeport.origin);
  await page.getByTestId('readiness-stack').selectOption('photos');
  await expect(readiness.target.namespace).toHaveValue('photos');
  await expect(readiness.check('distributed.probes-passing')).toHaveAttribute('data-verdict', 'pass', {
    timeout: 60_000,
  });
  await expect(readiness.overall).toHaveText(/^\d+%$/);

  // Back on the Deploy screen the picker says where it is deployed.
  await deploy.open(homeport.origin);
  await expect(page.getByTestId('stack-photos').getByTestId('stack-deployed')).toHaveText(
    "Deployed to namespace photos of context 'homeport-sandbox'",
  );

  // Removing a deployed user stack asks first and says what stays deployed; Cancel keeps it.
  await page.getByTestId('stack-photos').click();
  await page.getByTestId('user-stack-remove').click();
  const confirm = page.getByTestId('user-stack-remove-confirm');
  await expect(confirm).toContainText("It is deployed to namespace photos of context 'homeport-sandbox'");
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(page.getByTestId('stack-photos')).toBeVisible();
});

test('an env file the compose file reads is asked for by its path; a removed user stack leaves the picker', async ({
  page,
}) => {
  await page.goto(homeport.url);
  const deploy = new DeployPage(page);
  await deploy.open(homeport.origin);
  await openImport(page);
  await page
    .getByTestId('compose-text')
    .fill(`services:\n  notes:\n    image: ${STANDIN_IMAGE}\n    env_file: ./notes.env\n    ports: ["3000"]\n`);
  await page.getByTestId('compose-analyze').click();

  // The analysis names the missing file, and the files section asks for it by its path.
  await expect(page.getByTestId('compose-errors')).toContainText("env_file './notes.env' was not given to the import");
  const missing = page.getByTestId('compose-file-missing-notes.env');
  await expect(missing).toContainText('needed, not given yet');
  await page.getByTestId('compose-file-paste-notes.env').click();
  await page.getByRole('textbox', { name: 'Contents of notes.env' }).fill('NOTES_TITLE=Family notes\n');
  await expect(page.getByTestId('compose-errors')).toHaveCount(0);
  await expect(missing).toHaveCount(0);
  await expect(page.getByTestId('compose-file-notes.env')).toContainText('1 line');

  await page.getByTestId('user-stack-name').fill('notes');
  await page.getByTestId('compose-save').click();
  const card = page.getByTestId('stack-notes');
  await expect(card.getByTestId('stack-origin')).toHaveText('Your stack · v1');
  await expect(card).toHaveAttribute('aria-pressed', 'true');

  // Removing it asks first; once removed, the picker no longer lists it and nothing is selected.
  await page.getByTestId('user-stack-remove').click();
  const confirm = page.getByTestId('user-stack-remove-confirm');
  await expect(confirm).toContainText('Remove your stack notes and every saved version of it');
  await expect(confirm).not.toContainText('It is deployed');
  await page.getByTestId('user-stack-remove-yes').click();
  await expect(card).toHaveCount(0);
  await expect(page.getByTestId('stack-revenge')).toHaveAttribute('aria-pressed', 'false');
});
