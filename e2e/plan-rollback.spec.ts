import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { kubectl } from './env/kubectl';
import { DeployPage } from './pages/deploy-page';

let homeport: HomeportServer;
let kubeconfig: string;

test.beforeAll(async () => {
  homeport = await startHomeport({ args: ['--sandbox'], env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
  kubeconfig = join(homeport.dataDir, 'sandbox.kubeconfig');
});

test.afterAll(async () => {
  await homeport?.close();
});

/** Revision Secrets of the stack on the cluster: what a rollback records, seen by kubectl. */
async function recordedRevisions(): Promise<string[]> {
  const out = await kubectl(kubeconfig, [
    'get',
    'secrets',
    '-n',
    'revenge',
    '-l',
    'homeport.dev/stack=revenge,homeport.dev/revision',
    '-o',
    'name',
  ]);
  return out.split('\n').filter(Boolean).sort();
}

/** Screenshots at both window sizes in both color schemes, for a look at the layout. */
async function shoot(page: Page, name: string, target: () => Promise<void>) {
  for (const [width, height] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme });
      await target();
      await page.screenshot({
        path: join('test-results', 'plan-rollback', `${name}-${width}x${height}-${colorScheme}.png`),
      });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('a plan shows the values diff first and each object side by side; a rollback shows its plan and asks first', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const deploy = new DeployPage(page);
  await page.goto(homeport.url);
  await deploy.open(homeport.origin);
  await deploy.pickStack('revenge');
  await expect(deploy.target.namespace).toHaveValue('revenge');
  await deploy.field('nfs.server').fill('10.0.0.20');
  await deploy.field('nfs.path').fill('/srv/media');

  // A first deploy: every value is new, nothing to compare.
  await deploy.reviewPlan();
  await expect(page.getByTestId('plan-values')).toHaveText('First deploy: every value is new.');
  await deploy.apply();
  await expect(deploy.applyResult).toContainText('Applied revision 1');
  await expect(deploy.rolloutState).toHaveText('Healthy', { timeout: 60_000 });

  // Change the log level: the plan says so in the values' words, before any object.
  await deploy.field('logging.level').selectOption('debug');
  await deploy.reviewPlan();
  const review = page.getByTestId('plan-review');
  await expect(deploy.valueChanges(review)).toHaveText(['logging.level: info → debug']);
  const valuesBox = await page.getByTestId('plan-values').boundingBox();
  const objectsBox = await review.locator('table').boundingBox();
  expect(valuesBox && objectsBox && valuesBox.y < objectsBox.y).toBe(true);

  // Unchanged objects are one folded row; they open on demand.
  const fold = review.getByTestId('unchanged-fold');
  await expect(fold).toContainText(/\d+ unchanged/);
  await expect(deploy.planItem('StatefulSet', 'postgres')).toBeHidden();
  await expect(deploy.planItem('StatefulSet', 'postgres')).toHaveAttribute('data-action', 'unchanged');
  await fold.getByRole('button').click();
  await expect(deploy.planItem('StatefulSet', 'postgres')).toBeVisible();
  await fold.getByRole('button').click();
  await expect(deploy.planItem('StatefulSet', 'postgres')).toBeHidden();

  // The changed Deployment opens into its live and desired YAML, side by side.
  await expect(deploy.planItem('Deployment', 'revenge')).toHaveAttribute('data-action', 'update');
  const diff = await deploy.showDiff('Deployment', 'revenge', review);
  await expect(diff.locator('.changed-left', { hasText: 'value: info' })).toBeVisible();
  await expect(diff.locator('.changed-right', { hasText: 'value: debug' })).toBeVisible();
  await expect(diff).not.toContainText('managedFields');
  await expect(diff).toContainText(/unchanged lines/);
  await shoot(page, 'plan-diff', () => diff.scrollIntoViewIfNeeded());

  await deploy.apply();
  await expect(deploy.applyResult).toContainText('Applied revision 2');
  await expect(deploy.rolloutState).toHaveText('Healthy', { timeout: 60_000 });
  await expect(deploy.revision(2).getByTestId('revision-summary')).toHaveText('logging.level: info → debug');
  await expect(deploy.revision(2).getByTestId('revision-by')).toContainText('homeport on ');
  await expect(deploy.revision(1).getByTestId('revision-summary')).toHaveText('first revision');
  await expect(deploy.revision(2).getByTestId('revision-rollout')).toHaveText('Healthy', { timeout: 15_000 });
  expect(await recordedRevisions()).toHaveLength(2);

  // Roll back to 1: the rollback's own plan comes first; Cancel records nothing.
  await deploy.askRollBack(1);
  const confirm = deploy.rollbackConfirm;
  await expect(confirm).toBeVisible();
  await expect(deploy.valueChanges(confirm)).toHaveText(['logging.level: debug → info']);
  await expect(confirm.getByTestId('plan-summary')).toContainText('Revision 3');
  await expect(deploy.revision(1).getByRole('button', { name: 'Roll back to 1' })).toBeDisabled();
  await shoot(page, 'rollback-confirm', () => confirm.scrollIntoViewIfNeeded());
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toHaveCount(0);
  expect(await recordedRevisions()).toHaveLength(2);
  await expect(deploy.revision(2)).toContainText('live');

  // Confirm (clicked twice in a row): exactly one new revision.
  await deploy.askRollBack(1);
  await expect(confirm.getByTestId('plan-summary')).toBeVisible();
  await confirm.getByTestId('confirm-rollback').dblclick();
  await expect(deploy.revision(3)).toContainText('live');
  await expect(deploy.revision(3).getByTestId('revision-summary')).toHaveText(
    'rollback to 1: logging.level: debug → info',
  );
  await expect(confirm).toHaveCount(0);
  expect(await recordedRevisions()).toHaveLength(3);
  await expect
    .poll(async () =>
      kubectl(kubeconfig, [
        'get',
        'deploy',
        'revenge',
        '-n',
        'revenge',
        '-o',
        'jsonpath={.spec.template.spec.containers[0].env[?(@.name=="REVENGE_LOGGING_LEVEL")].value}',
      ]),
    )
    .toBe('info');
});
