import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { STANDIN_IMAGE } from '../electron/core/docker/testing/dockerd';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { ConnectionsPage } from './pages/connections-page';
import { DeployPage } from './pages/deploy-page';
import { LeadersPage } from './pages/live-pages';
import { SwarmPage } from './pages/swarm-page';

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
  const connections = new ConnectionsPage(page);
  const swarm = new SwarmPage(page);
  const leaders = new LeadersPage(page);
  await connections.open(homeport.url);

  // A URL Homeport cannot use is refused, naming the field; the typed values stay.
  await connections.addEndpoint('homelab', 'http://10.0.0.5:2375');
  await expect(connections.endpointError()).toContainText('url');
  await expect(connections.endpointField('url')).toHaveValue('http://10.0.0.5:2375');

  await connections.addEndpoint('homelab', dockerHost);
  await expect(connections.endpoint('homelab')).toBeVisible();
  await expect(await connections.testEndpoint('homelab')).toContainText('swarm active (manager)');

  // The Swarm screen and the Leaders screen show the Raft leader.
  await swarm.open(homeport.origin);
  await expect(swarm.managerStatus()).toContainText('Leader');
  await leaders.openWithoutCluster(homeport.origin);
  await expect(leaders.swarmRaftRole()).toHaveText('Leader');

  // Deploy the stack to the swarm, every image pointed at the stand-in (no registry here).
  const deploy = new DeployPage(page);
  await deploy.open(homeport.origin);
  await page.getByTestId('target-swarm').check();
  await expect(page.getByTestId('deploy-endpoint')).toHaveValue('homelab');
  await page.getByTestId('stack-revenge').click();
  for (const component of ['api', 'frontend', 'postgres', 'dragonfly', 'typesense', 'objectStore']) {
    await deploy.field(`${component}.image`).fill(STANDIN_IMAGE);
  }
  await deploy.field('nfs.enabled').uncheck();
  await page.getByTestId('review-plan').click();
  await expect(deploy.planItem('Service', 'revenge_api')).toHaveAttribute('data-action', 'create');
  await expect(deploy.planItem('Network', 'revenge_default')).toHaveAttribute('data-action', 'create');
  await page.getByTestId('apply').click();
  await expect(page.getByTestId('apply-result')).toContainText('Applied revision 1');
  await expect(page.getByTestId('rollout-state')).toHaveText('Healthy', { timeout: 120_000 });

  // The docker CLI sees the stack Homeport deployed.
  expect(await docker(['stack', 'ls', '--format', '{{.Name}}'])).toContain('revenge');
  expect(await docker(['stack', 'services', 'revenge', '--format', '{{.Name}}'])).toContain('revenge_api');

  // The service's tasks on the Swarm screen (the stand-in writes no log to show).
  await swarm.open(homeport.origin);
  await swarm.openService('revenge_api');
  await expect(swarm.replicas('revenge_api')).toHaveText('2/2');
  await expect(swarm.tasks()).toHaveCount(2);

  // Uninstall removes the services.
  await deploy.open(homeport.origin);
  await page.getByTestId('target-swarm').check();
  await page.getByTestId('stack-revenge').click();
  await page.getByRole('button', { name: 'Uninstall…' }).click();
  await page.getByRole('button', { name: /^Uninstall revenge from/ }).click();
  await expect(page.getByTestId('uninstall-result')).toContainText('Removed', { timeout: 60_000 });
  await expect
    .poll(async () => docker(['service', 'ls', '--filter', 'label=com.docker.stack.namespace=revenge', '-q']))
    .toBe('');
});
