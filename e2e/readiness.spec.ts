import { expect, test } from '@playwright/test';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { DeployPage } from './pages/deploy-page';

let homeport: HomeportServer;

test.beforeAll(async () => {
  homeport = await startHomeport({ args: ['--sandbox'], env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
});

test.afterAll(async () => {
  await homeport?.close();
});

test('the Readiness screen scores a deployed stack and a one-click fix raises the score', async ({ page }) => {
  test.setTimeout(150_000);
  const deploy = new DeployPage(page);
  await page.goto(homeport.url);
  await deploy.open(homeport.origin);
  // Deploy with a single API replica: the scorecard should call that out.
  await page.getByTestId('stack-revenge').click();
  await deploy.field('nfs.server').fill('10.0.0.20');
  await deploy.field('nfs.path').fill('/srv/media');
  await deploy.field('api.autoscale.enabled').uncheck();
  await deploy.field('api.replicas').fill('1');
  await page.getByTestId('review-plan').click();
  await page.getByTestId('apply').click();
  await expect(page.getByTestId('rollout-state')).toHaveText('Healthy', { timeout: 60_000 });

  await page.goto(`${homeport.origin}/#readiness`);
  await expect(page.getByRole('heading', { name: 'Readiness' })).toBeVisible();
  const replicas = page.locator('[data-check="distributed.replicas"]');
  await expect(replicas).toHaveAttribute('data-verdict', 'fail', { timeout: 30_000 });
  const distributed = page.locator('[data-category="distributed"]').getByTestId('category-score');
  const before = Number((await distributed.textContent())?.replace('%', ''));
  const overallBefore = Number((await page.getByTestId('readiness-score').textContent())?.replace('%', ''));
  expect(before).toBeLessThan(100);

  // Expand the check: the evidence names the object; the fix goes through plan and apply.
  await replicas.locator('summary').click();
  await expect(replicas.getByTestId('evidence').first()).toContainText('Deployment/api');
  await replicas.getByTestId('fix-distributed.replicas').click();
  await expect(replicas.getByTestId('plan-review')).toBeVisible();
  await expect(replicas.locator('[data-plan-item="Deployment/api"]')).toHaveAttribute('data-action', 'update');
  await replicas.getByTestId('apply-fix').click();

  await expect(replicas).toHaveAttribute('data-verdict', 'pass', { timeout: 60_000 });
  await expect
    .poll(async () => Number((await distributed.textContent())?.replace('%', '')), { timeout: 60_000 })
    .toBeGreaterThan(before);
  await expect
    .poll(async () => Number((await page.getByTestId('readiness-score').textContent())?.replace('%', '')), {
      timeout: 30_000,
    })
    .toBeGreaterThan(overallBefore);
});

test('the Metrics screen says where metrics come from and draws the stack pods from metrics-server', async ({
  page,
}) => {
  // The previous test deployed the stack; the sandbox serves metrics.k8s.io like k3s's metrics-server.
  await page.goto(homeport.url);
  await page.goto(`${homeport.origin}/#metrics`);
  await expect(page.getByRole('heading', { name: 'Metrics' })).toBeVisible();
  await expect(page.getByTestId('metrics-source')).toContainText('metrics-server (metrics.k8s.io)');
  await expect(page.locator('[data-panel="pod-cpu"]').getByRole('application')).toBeVisible();
  await expect(page.locator('[data-panel="pod-cpu"]')).toContainText('api-');
  await expect(page.locator('[data-panel="request-rate"]').getByTestId('panel-empty')).toContainText(
    'needs Prometheus',
  );
});
