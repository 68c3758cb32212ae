import { expect, test, type Page } from '@playwright/test';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { DeployPage } from './pages/deploy-page';

let homeport: HomeportServer;

test.beforeAll(async () => {
  homeport = await startHomeport({ args: ['--sandbox'], env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
});

test.afterAll(async () => {
  await homeport?.close();
});

/** The form as the user sees it, at two window sizes in light and dark, for review. */
async function screenshots(page: Page, name: string) {
  for (const [width, height] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme });
      await page.getByRole('heading', { name: '3. Values' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: `test-results/deploy-form/${name}-${width}x${height}-${colorScheme}.png` });
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'light' });
}

test('the Deploy form edits what is deployed: loaded, marked, planned to no change, reset, validated', async ({
  page,
}) => {
  test.setTimeout(150_000);
  const deploy = new DeployPage(page);
  await page.goto(homeport.url);
  await deploy.open(homeport.origin);
  await deploy.pickStack('revenge');
  await deploy.target.kubernetes('form');
  await expect(deploy.valuesSource).toContainText('Not deployed to namespace form');

  // Fields only Docker Swarm reads are not shown for a Kubernetes target; labels are words.
  await expect(deploy.group('ingress')).toBeVisible();
  await expect(deploy.group('swarm')).toHaveCount(0);
  await expect(deploy.group('api').locator('> legend')).toHaveText('API server');
  await expect(deploy.fieldBox('api.autoscale.cpuPercent').locator('label')).toHaveText('Target CPU use (%)');

  // The first deploy: three API replicas, debug logs, a pinned image.
  await deploy.field('api.replicas').fill('3');
  await deploy.field('api.image').fill('ghcr.io/lusoris/revenge:1.4.0');
  await deploy.field('logging.level').selectOption('debug');
  await expect(deploy.mark('api.replicas', 'default')).toHaveText('Differs from default (1)');
  await deploy.reviewPlan();
  await deploy.apply();
  await expect(deploy.applyResult).toContainText('Applied revision 1');

  // Coming back later: the form holds what is deployed, not the defaults.
  await page.reload();
  await deploy.open(homeport.origin);
  await deploy.pickStack('revenge');
  await expect(deploy.target.namespace).toHaveValue('form');
  await expect(deploy.valuesSource).toContainText('Editing the deployed values of revision 1');
  await expect(deploy.field('api.replicas')).toHaveValue('3');
  await expect(deploy.field('api.image')).toHaveValue('ghcr.io/lusoris/revenge:1.4.0');
  await expect(deploy.field('logging.level')).toHaveValue('debug');
  for (const path of ['api.replicas', 'api.image', 'logging.level']) {
    await expect(deploy.fieldBox(path)).toHaveAttribute('data-differs-from-default', 'true');
    await expect(deploy.fieldBox(path)).toHaveAttribute('data-changed-from-live', 'false');
  }
  await expect(deploy.fieldBox('frontend.replicas')).toHaveAttribute('data-differs-from-default', 'false');

  // Reviewing the loaded values changes nothing on the cluster.
  await deploy.reviewPlan();
  await expect(deploy.planSummary).toContainText('No changes');
  await expect(deploy.planItems('create', 'update', 'prune')).toHaveCount(0);

  // A change is marked against what is deployed.
  await deploy.field('api.replicas').fill('4');
  await expect(deploy.mark('api.replicas', 'live')).toHaveText('Changed from deployed (was 3)');
  await expect(deploy.valuesSource).toContainText('1 field differs from what is deployed');
  await screenshots(page, 'deployed-values');

  // 'Reset to defaults' is explicit and undone by 'Back to deployed'.
  await deploy.resetToDefaults();
  await expect(deploy.valuesSource).toContainText("Showing the stack's defaults; revision 1 is deployed");
  await expect(deploy.field('api.replicas')).toHaveValue('1');
  await expect(deploy.field('api.image')).toHaveValue('ghcr.io/lusoris/revenge:latest');
  await expect(deploy.field('logging.level')).toHaveValue('info');
  await expect(deploy.mark('logging.level', 'live')).toHaveText('Changed from deployed (was debug)');
  await deploy.backToDeployed();
  await expect(deploy.valuesSource).toContainText('Editing the deployed values of revision 1');
  await expect(deploy.field('api.replicas')).toHaveValue('3');
  await expect(deploy.field('logging.level')).toHaveValue('debug');

  // Two bad fields: each names its problem at the field, both at once.
  await deploy.field('api.replicas').fill('2.5');
  await deploy.target.namespace.fill('Media_1');
  await expect(deploy.fieldError('api.replicas')).toHaveText('must be a whole number from 1 to 100');
  await expect(deploy.fieldError('namespace')).toContainText('Namespace "Media_1" has upper-case letters');
  await expect(deploy.fieldError('namespace')).toContainText("lowercase letters, digits and '-'");
  await expect(deploy.reviewPlanButton).toBeDisabled();
  await screenshots(page, 'field-errors');

  // Uninstalled: the status, the picker and the form say the stack is no longer there.
  await deploy.target.namespace.fill('form');
  await deploy.field('api.replicas').fill('3');
  await expect(deploy.fieldError('api.replicas')).toHaveCount(0);
  await deploy.uninstall();
  await expect(deploy.uninstallResult).toBeVisible();
  await expect(page.locator('.deploy-step').filter({ hasText: 'Status of revenge' })).toContainText(
    'Not deployed to namespace form',
  );
  await expect(deploy.rolloutState).toHaveCount(0);
  await expect(deploy.valuesSource).toContainText('Not deployed to namespace form');
  await expect(page.getByTestId('stack-revenge').getByTestId('stack-deployed')).toHaveText('Not deployed');
});
