/**
 * Backup and restore of a deployed stack from the Backups screen, against real programs: Revenge on
 * the sandbox whose kubelet is the Docker runtime of the e2e engine (`homeport serve --sandbox
 * --runtime docker=<DOCKER_HOST>`, as pod-runtime.spec.ts starts it), its database a real PostgreSQL
 * server (the postgres:homeport-real image on the engine) holding rows made for this run, and a
 * local folder as the destination.
 *
 * Back up now shows the run and ends complete; Verify (the restore drill) passes and is stored with
 * the backup; Restore into another namespace asks nothing (nothing is there), ends with every item
 * done and the restored stack healthy, and its database holds the same rows. Restoring over the
 * running stack needs an explicit confirmation first.
 */
import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ensurePostgresImage, POSTGRES_IMAGE } from '../electron/core/docker/testing/postgres-image';
import { revengeStandinImages } from '../electron/core/docker/testing/revenge-standins';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { kubectl } from './env/kubectl';
import { BackupsPage } from './pages/backups-page';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const PASSPHRASE = 'a passphrase kept by the e2e run';
const ROWS = 2500;

let homeport: HomeportServer;
let kubeconfig: string;
let dockerHost: string;

/** The Revenge values: every image its stand-in, except the database, which is the real PostgreSQL. */
function valuesYaml(): string {
  const images: Record<string, { image: string; mode?: string }> = { ...revengeStandinImages() };
  images.postgres = { image: POSTGRES_IMAGE };
  const parts = Object.entries(images).map(
    ([c, v]) => `${c}:\n${v.mode ? `  mode: ${v.mode}\n` : ''}  image: ${v.image}\n`,
  );
  return `${parts.join('')}nfs:\n  enabled: false\n`;
}

/** psql in the stack's database pod of a namespace, as the image's entrypoint runs it (local socket). */
async function psql(namespace: string, sql: string): Promise<string> {
  const out = await kubectl(kubeconfig, [
    'exec',
    '-n',
    namespace,
    'postgres-0',
    '--',
    'psql',
    '-v',
    'ON_ERROR_STOP=1',
    '-At',
    '-U',
    'revenge',
    '-d',
    'revenge',
    '-c',
    sql,
  ]);
  return out.trim();
}

const TABLE_SUM = `SELECT count(*) || ' ' || md5(string_agg(id || ':' || title, ',' ORDER BY id)) FROM e2e_movies`;

test.beforeAll(async () => {
  // Building the PostgreSQL image (once per engine) and deploying the stack take minutes.
  test.setTimeout(600_000);
  const host = process.env.HOMEPORT_E2E_DOCKER_HOST;
  if (!host) throw new Error('The e2e global setup did not start the test Docker engine');
  dockerHost = host;
  await ensurePostgresImage(async (args) => (await run('docker', ['--host', dockerHost, ...args])).stdout);
  homeport = await startHomeport({
    args: ['--sandbox', '--runtime', `docker=${dockerHost}`],
    env: { KUBECONFIG: '/nonexistent/kubeconfig', DOCKER_HOST: '' },
  });
  kubeconfig = join(homeport.dataDir, 'sandbox.kubeconfig');

  // Deployed with the CLI, as a user would script it; the Deploy screen has its own specs.
  const work = mkdtempSync(join(tmpdir(), 'homeport-e2e-backups-'));
  const values = join(work, 'values.yaml');
  writeFileSync(values, valuesYaml());
  await run(
    process.execPath,
    [
      join(ROOT, 'bin', 'homeport.js'),
      'deploy',
      'revenge',
      '--context',
      'homeport-sandbox',
      '--namespace',
      'revenge',
      '--values',
      values,
      '--yes',
      '--timeout',
      '180s',
      '--data-dir',
      join(work, 'cli-data'),
    ],
    { env: { ...process.env, KUBECONFIG: kubeconfig, DOCKER_HOST: '' }, timeout: 200_000 },
  );
  await psql(
    'revenge',
    `CREATE TABLE e2e_movies AS SELECT g AS id, md5(g::text) AS title FROM generate_series(1, ${ROWS}) g`,
  );
});

test.afterAll(async () => {
  await homeport?.close();
});

test('back up Revenge to a folder, verify it, restore it into another namespace', async ({ page }) => {
  test.setTimeout(600_000);
  const before = await psql('revenge', TABLE_SUM);
  expect(before).toMatch(new RegExp(`^${ROWS} [0-9a-f]{32}$`));
  const folder = mkdtempSync(join(tmpdir(), 'homeport-e2e-backup-dest-'));

  const backups = new BackupsPage(page);
  await page.goto(homeport.url);
  await backups.open(homeport.origin);
  await backups.target.kubernetes('revenge');
  await expect(backups.target.context).toHaveValue('homeport-sandbox');
  await backups.localFolder(folder);

  // The passphrase: a short one is refused at its field; a good one is kept, and never shown.
  await expect(backups.keyStatus).toHaveAttribute('data-kind', 'none');
  await backups.setPassphrase('too short');
  await expect(backups.passphraseError).toContainText('at least 12 characters');
  await backups.setPassphrase(PASSPHRASE);
  await expect(backups.keyStatus).toHaveAttribute('data-kind', 'passphrase');
  await expect(page.locator('body')).not.toContainText(PASSPHRASE);

  // Back up now: the run is shown as it goes and ends complete, the database among its items.
  await backups.backUpNow();
  await expect(backups.backupProgress.root).toBeVisible();
  await expect(backups.backupProgress.state).toHaveText('Complete', { timeout: 240_000 });
  await expect(backups.backupProgress.item('database/postgres')).toHaveAttribute('data-state', 'done');
  await expect(backups.backups('revenge')).toHaveCount(1);
  const id = (await backups.backups('revenge').first().getAttribute('data-backup')) ?? '';
  expect(id).toMatch(/^revenge-\d{8}T\d{6}Z-[0-9a-f]{4}$/);
  await expect(backups.row(id).getByTestId('backup-state')).toHaveText('Complete');
  await expect(backups.drill(id)).toHaveAttribute('data-result', 'none');

  // Verify: the restore drill passes, and its result is stored with the backup.
  const drill = await backups.verify(id);
  await expect(drill.state).toHaveText('Complete', { timeout: 300_000 });
  await expect(backups.drill(id)).toHaveAttribute('data-result', 'passed');
  await expect(backups.drill(id)).toContainText('Passed');

  // Restoring over the running stack asks first, naming what it replaces.
  const over = await backups.restore(id);
  await over.intoNamespace('revenge');
  await over.review();
  await expect(over.plan).toContainText('deployed now');
  await expect(over.plan.getByRole('list', { name: 'Replaces' })).toContainText('postgres');
  await expect(over.restoreButton).toBeDisabled();
  await over.confirmReplace.check();
  await expect(over.restoreButton).toBeEnabled();
  await over.close();

  // Restore into another namespace: nothing to replace there; every item done; the stack healthy.
  const restore = await backups.restore(id);
  await restore.intoNamespace('revenge-restored');
  await restore.review();
  await expect(restore.plan).toContainText('not deployed');
  await expect(restore.confirmReplace).toHaveCount(0);
  await restore.restoreButton.click();
  await expect(restore.progress.state).toHaveText('Complete', { timeout: 300_000 });
  await expect(restore.progress.item('database/postgres')).toHaveAttribute('data-state', 'done');
  await expect(restore.rolloutState).toHaveText('Healthy', { timeout: 180_000 });
  await expect(restore.root.locator('[data-workload="postgres"]')).toBeVisible();

  // The restored database holds the same rows as the one backed up.
  expect(await psql('revenge-restored', TABLE_SUM)).toBe(before);
  await restore.close();

  // A weekly schedule: bad fields are named where they are, a good one is listed.
  await backups.saveSchedule({ every: 'Week', at: '3:30', keepDaily: '0' });
  await expect(backups.scheduleError('at')).toContainText('use a time like 03:30');
  await expect(backups.scheduleError('keepDaily')).toContainText('keep at least 1');
  await expect(backups.schedules).toHaveCount(0);
  await backups.saveSchedule({ at: '04:15', keepDaily: '5', keepWeekly: '8' });
  await expect(backups.schedules).toContainText('Every Sunday at 04:15');
  await expect(backups.schedules).toContainText('keeps 5 daily and 8 weekly');
  await expect(backups.scheduleError('at')).toHaveCount(0);
});
