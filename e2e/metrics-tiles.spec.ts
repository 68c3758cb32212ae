import { expect, test } from '@playwright/test';
import { createServer } from 'node:net';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { DeployPage } from './pages/deploy-page';
import { MetricsPage } from './pages/metrics-page';

let homeport: HomeportServer;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

test.beforeAll(async () => {
  homeport = await startHomeport({ args: ['--sandbox'], env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
});

test.afterAll(async () => {
  await homeport?.close();
});

test('metrics-server gives tiles of current values without ranges; a dead Prometheus URL is one error, tested before saving', async ({
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

  const metrics = new MetricsPage(page);
  await metrics.open(homeport.origin);
  await expect(metrics.source).toContainText('metrics-server (metrics.k8s.io)');
  await expect(metrics.tiles('pod-cpu').first()).toBeVisible({ timeout: 30_000 });
  await expect(metrics.panel('pod-cpu')).toContainText('revenge-');
  await expect(metrics.panel('pod-cpu').getByRole('application')).toHaveCount(0);
  await expect(metrics.ranges()).toHaveCount(0);

  // Test before saving: a dead URL says so, and nothing is saved.
  const dead = `http://127.0.0.1:${await closedPort()}`;
  await metrics.settingsField('URL').fill(dead);
  await metrics.testSettings();
  await expect(metrics.testResult()).toContainText('Nothing was saved');
  await expect(metrics.testResult()).toContainText('ECONNREFUSED');
  await page.reload();
  await expect(metrics.settingsField('URL')).toHaveValue('');

  // Saved anyway, the dead URL is one error for the screen, not one per panel.
  await metrics.settingsField('URL').fill(dead);
  await metrics.saveSettings();
  await expect(metrics.error()).toContainText('ECONNREFUSED', { timeout: 30_000 });
  await expect(page.getByRole('alert').filter({ hasText: 'ECONNREFUSED' })).toHaveCount(1);
  await expect(metrics.ranges()).toBeVisible();
});
