import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { kubectl } from './env/kubectl';
import { DeployPage } from './pages/deploy-page';
import { MetricsPage } from './pages/metrics-page';
import { ReadinessPage } from './pages/readiness-page';

let homeport: HomeportServer;
let kubeconfig: string;

test.beforeAll(async () => {
  homeport = await startHomeport({ args: ['--sandbox'], env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
  kubeconfig = join(homeport.dataDir, 'sandbox.kubeconfig');
});

test.afterAll(async () => {
  await homeport?.close();
});

test('the Readiness screen scores a deployed stack and a one-click fix raises the score', async ({ page }) => {
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
  // The target chosen on the Deploy screen is the one the Readiness screen shows.
  await expect(readiness.target.context).toHaveValue('homeport-sandbox');
  await expect(readiness.target.namespace).toHaveValue('revenge');
  // One API replica is what Revenge needs (playback sessions live in one process): it passes.
  await expect(readiness.check('distributed.replicas')).toHaveAttribute('data-verdict', 'pass', { timeout: 30_000 });
  const probes = readiness.check('distributed.probes');
  await expect(probes).toHaveAttribute('data-verdict', 'pass');

  // The readiness probe removed behind Homeport's back: the check fails live, without a reload.
  await kubectl(kubeconfig, [
    'patch',
    'deployment',
    'revenge',
    '-n',
    'revenge',
    '-p',
    JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'revenge', readinessProbe: null }] } } } }),
  ]);
  await expect(probes).toHaveAttribute('data-verdict', 'fail', { timeout: 30_000 });
  const before = await readiness.categoryPercent('distributed');
  const overallBefore = await readiness.overallPercent();
  expect(before).toBeLessThan(100);

  // The evidence names the object and the probe; the fix (re-apply the stack) goes through plan and apply.
  await readiness.planFix('distributed.probes');
  await expect(probes.getByTestId('evidence').first()).toContainText('Deployment/revenge');
  await expect(probes.getByTestId('evidence').first()).toContainText('readinessProbe');
  await expect(probes.locator('[data-plan-item="Deployment/revenge"]')).toHaveAttribute('data-action', 'update');
  await readiness.applyFix(probes);

  await expect(probes).toHaveAttribute('data-verdict', 'pass', { timeout: 60_000 });
  await expect.poll(() => readiness.categoryPercent('distributed'), { timeout: 60_000 }).toBeGreaterThan(before);
  await expect.poll(() => readiness.overallPercent(), { timeout: 30_000 }).toBeGreaterThan(overallBefore);
  expect(
    await kubectl(kubeconfig, [
      'get',
      'deployment',
      'revenge',
      '-n',
      'revenge',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].readinessProbe.httpGet.path}',
    ]),
  ).toBe('/readyz');
});

test('the Metrics screen says where metrics come from and draws the stack pods from metrics-server', async ({
  page,
}) => {
  // The previous test deployed the stack; the sandbox serves metrics.k8s.io like k3s's metrics-server.
  await page.goto(homeport.url);
  const metrics = new MetricsPage(page);
  await metrics.open(homeport.origin);
  await expect(metrics.source).toContainText('metrics-server (metrics.k8s.io)');
  // metrics-server has no history: current values as tiles, not charts.
  await expect(metrics.panel('pod-cpu').getByTestId('metric-tile').first()).toBeVisible();
  await expect(metrics.panel('pod-cpu')).toContainText('revenge-');
  await expect(metrics.panel('request-rate').getByTestId('panel-empty')).toContainText('needs Prometheus');
});
