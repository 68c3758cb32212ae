import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { STANDIN_IMAGE } from '../electron/core/docker/testing/dockerd';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { DeployPage } from './pages/deploy-page';
import { ReadinessPage } from './pages/readiness-page';

const run = promisify(execFile);
let homeport: HomeportServer;
let dockerHost: string;

const docker = async (args: string[]) => (await run('docker', ['--host', dockerHost, ...args])).stdout;

test.beforeAll(async () => {
  const host = process.env.HOMEPORT_E2E_DOCKER_HOST;
  if (!host) throw new Error('The e2e global setup did not start the test Docker engine');
  dockerHost = host;
  homeport = await startHomeport({ env: { KUBECONFIG: '/nonexistent/kubeconfig', DOCKER_HOST: '' } });
});

test.afterAll(async () => {
  await homeport?.close();
});

test('add a Swarm endpoint, see its leader, deploy Revenge to it and watch it converge', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(homeport.url);
  await expect(page.getByRole('heading', { name: 'Connections' })).toBeVisible();

  // A URL Homeport cannot use is refused, naming the field; the typed values stay.
  await page.getByTestId('endpoint-name').fill('homelab');
  await page.getByTestId('endpoint-url').fill('http://10.0.0.5:2375');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(page.getByTestId('endpoint-error')).toContainText('url');
  await expect(page.getByTestId('endpoint-url')).toHaveValue('http://10.0.0.5:2375');

  await page.getByTestId('endpoint-url').fill(dockerHost);
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const row = page.locator('[data-endpoint="homelab"]');
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'Test connection' }).click();
  await expect(row.getByTestId('endpoint-result')).toContainText('swarm active (manager)');

  // The Swarm screen and the Leaders screen show the Raft leader.
  await page.goto(`${homeport.origin}/#swarm`);
  await expect(page.getByRole('heading', { name: 'Swarm' })).toBeVisible();
  await expect(page.getByTestId('swarm-nodes').getByTestId('node-manager')).toContainText('Leader');
  await page.goto(`${homeport.origin}/#leaders`);
  await expect(page.getByTestId('swarm-managers').getByTestId('raft-role')).toHaveText('Leader');

  // Deploy the stack to the swarm, every image pointed at the stand-in (no registry here).
  const deploy = new DeployPage(page);
  await deploy.open(homeport.origin);
  await deploy.target.swarm();
  await expect(deploy.target.endpoint).toHaveValue('homelab');
  await page.getByTestId('stack-revenge').click();
  for (const component of ['api', 'frontend', 'postgres', 'dragonfly', 'typesense', 'objectStore']) {
    await deploy.field(`${component}.image`).fill(STANDIN_IMAGE);
  }
  await deploy.field('nfs.enabled').uncheck();
  await page.getByTestId('review-plan').click();
  await expect(deploy.planItem('Service', 'revenge_revenge')).toHaveAttribute('data-action', 'create');
  await expect(deploy.planItem('Network', 'revenge_default')).toHaveAttribute('data-action', 'create');
  await page.getByTestId('apply').click();
  await expect(page.getByTestId('apply-result')).toContainText('Applied revision 1');
  await expect(page.getByTestId('rollout-state')).toHaveText('Healthy', { timeout: 120_000 });

  // The docker CLI sees the stack Homeport deployed.
  expect(await docker(['stack', 'ls', '--format', '{{.Name}}'])).toContain('revenge');
  expect(await docker(['stack', 'services', 'revenge', '--format', '{{.Name}}'])).toContain('revenge_revenge');

  // The service's tasks and its log on the Swarm screen.
  await page.goto(`${homeport.origin}/#swarm`);
  // The API runs one replica: its playback sessions live in one process.
  await page.locator('[data-service="revenge_revenge"]').click();
  await expect(page.locator('[data-service="revenge_revenge"]').getByTestId('service-replicas')).toHaveText('1/1');
  await expect(page.getByTestId('swarm-tasks').locator('[data-task]')).toHaveCount(1);

  // The Readiness screen follows the swarm stack live: a health check removed behind Homeport's back
  // turns its check to fail without a reload, and the one-click fix plans and applies a re-deploy.
  const readiness = new ReadinessPage(page);
  await readiness.open(homeport.origin);
  await expect(readiness.target.endpoint).toHaveValue('homelab');
  const probes = readiness.check('distributed.probes');
  await expect(probes).toHaveAttribute('data-verdict', 'pass', { timeout: 30_000 });
  await docker(['service', 'update', '--detach', '--no-healthcheck', 'revenge_revenge']);
  await expect(probes).toHaveAttribute('data-verdict', 'fail', { timeout: 30_000 });
  await expect(probes).toContainText('Service revenge_revenge');
  const fix = await readiness.planFix('distributed.probes');
  await expect(fix.locator('[data-plan-item="Service/revenge_revenge"]')).toHaveAttribute('data-action', 'update');
  await readiness.applyFix(fix);
  await expect(probes).toHaveAttribute('data-verdict', 'pass', { timeout: 60_000 });

  // Uninstall removes the services.
  await deploy.open(homeport.origin);
  await expect(deploy.target.endpoint).toHaveValue('homelab');
  await deploy.pickStack('revenge');
  await deploy.uninstall();
  await expect(page.getByTestId('uninstall-result')).toContainText('Removed', { timeout: 60_000 });
  await expect
    .poll(async () => docker(['service', 'ls', '--filter', 'label=com.docker.stack.namespace=revenge', '-q']))
    .toBe('');
});
