import { expect, test } from '@playwright/test';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { DeployPage } from './pages/deploy-page';
import { ReadinessPage } from './pages/readiness-page';
import { StoragePage } from './pages/storage-page';

let homeport: HomeportServer;

test.beforeAll(async () => {
  homeport = await startHomeport({ args: ['--sandbox'], env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
});

test.afterAll(async () => {
  await homeport?.close();
});

test('the score says what it did not see; failing and unknown checks come first; no backup is a warning', async ({
  page,
}) => {
  test.setTimeout(150_000);
  const deploy = new DeployPage(page);
  await page.goto(homeport.url);
  await deploy.open(homeport.origin);
  await deploy.pickStack('revenge');
  await deploy.field('nfs.server').fill('10.0.0.20');
  await deploy.field('nfs.path').fill('/srv/media');
  await deploy.reviewPlan();
  await deploy.apply();
  await expect(deploy.rolloutState).toHaveText('Healthy', { timeout: 60_000 });

  const readiness = new ReadinessPage(page);
  await readiness.open(homeport.origin);
  await expect(readiness.check('distributed.replicas')).toHaveAttribute('data-verdict', 'pass', { timeout: 30_000 });
  // Next to the score: how many checks it counts, and how many it could not observe.
  await expect(readiness.coverage).toHaveText(/^of \d+ observed · \d+ unknown$/);
  const [observed, unknown] = (await readiness.coverage.textContent())!.match(/\d+/g)!.map(Number);
  const verdicts = await page
    .locator('[data-check]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')));
  expect(verdicts.filter((v) => v === 'unknown')).toHaveLength(unknown!);
  expect(verdicts.filter((v) => v !== 'unknown')).toHaveLength(observed!);
  // Failing, then unknown, then warnings, then passing.
  const rank = { fail: 0, unknown: 1, warn: 2, pass: 3 } as Record<string, number>;
  const ranks = verdicts.map((v) => rank[v ?? '']!);
  expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  const order = ['Failing', 'Not observed', 'Warnings', 'Passing'];
  const groups = (await readiness.groups.allTextContents()).map((h) => order.findIndex((o) => h.startsWith(o)));
  expect(groups).toEqual([...groups].sort((a, b) => a - b));
  expect(groups).toEqual(expect.arrayContaining([1, 2, 3]));
  // Homeport took no backup of this stack: a warning, not an unknown that leaves the score whole.
  await expect(readiness.check('storage.backup')).toHaveAttribute('data-verdict', 'warn');
  expect(await readiness.overallPercent()).toBeLessThan(100);
});

test('a refused field is named by its label on the screen, not by its internal name or the channel', async ({
  page,
}) => {
  const storage = new StoragePage(page);
  await page.goto(homeport.url);
  await storage.open(homeport.origin);
  await storage.addNasHost({ name: 'nas', address: 'nas.lan', port: '22', user: 'admin', keyFile: 'id_ed25519' });
  await expect(storage.nasError()).toContainText("Private key file: 'id_ed25519' is relative");
  await expect(storage.nasError()).not.toContainText('Invalid input');
  await expect(storage.nasError()).not.toContainText('keyFile');
  await expect(storage.nasError()).not.toContainText('nas:add');
});
