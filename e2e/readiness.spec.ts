import { expect, test } from '@playwright/test';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { DeployPage } from './pages/deploy-page';
import { MetricsPage } from './pages/metrics-page';
import { ReadinessPage } from './pages/readiness-page';

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
  await deploy.pickStack('revenge');
  await deploy.field('nfs.server').fill('10.0.0.20');
  await deploy.field('nfs.path').fill('/srv/media');
  await deploy.field('api.autoscale.enabled').uncheck();
  await deploy.field('api.replicas').fill('1');
  await deploy.reviewPlan();
  await deploy.apply();
  await expect(deploy.rolloutState).toHaveText('Healthy', { timeout: 60_000 });

  const readiness = new ReadinessPage(page);
  await readiness.open(homeport.origin);
  // The target chosen on the Deploy screen is the one the Readiness screen shows.
  await expect(readiness.target.context).toHaveValue('homeport-sandbox');
  await expect(readiness.target.namespace).toHaveValue('revenge');
  const replicas = readiness.check('distributed.replicas');
  await expect(replicas).toHaveAttribute('data-verdict', 'fail', { timeout: 30_000 });
  const before = await readiness.categoryPercent('distributed');
  const overallBefore = await readiness.overallPercent();
  expect(before).toBeLessThan(100);

  // The evidence names the object; the fix goes through plan and apply.
  await readiness.planFix('distributed.replicas');
  await expect(replicas.getByTestId('evidence').first()).toContainText('Deployment/api');
  await expect(replicas.locator('[data-plan-item="Deployment/api"]')).toHaveAttribute('data-action', 'update');
  await readiness.applyFix(replicas);

  await expect(replicas).toHaveAttribute('data-verdict', 'pass', { timeout: 60_000 });
  await expect.poll(() => readiness.categoryPercent('distributed'), { timeout: 60_000 }).toBeGreaterThan(before);
  await expect.poll(() => readiness.overallPercent(), { timeout: 30_000 }).toBeGreaterThan(overallBefore);
});

test('the Metrics screen says where metrics come from and draws the stack pods from metrics-server', async ({
  page,
}) => {
  // The previous test deployed the stack; the sandbox serves metrics.k8s.io like k3s's metrics-server.
  await page.goto(homeport.url);
  const metrics = new MetricsPage(page);
  await metrics.open(homeport.origin);
  await expect(metrics.source).toContainText('metrics-server (metrics.k8s.io)');
  await expect(metrics.panel('pod-cpu').getByRole('application')).toBeVisible();
  await expect(metrics.panel('pod-cpu')).toContainText('api-');
  await expect(metrics.panel('request-rate').getByTestId('panel-empty')).toContainText('needs Prometheus');
});
