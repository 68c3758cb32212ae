import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { STANDIN_IMAGE } from '../electron/core/docker/testing/dockerd';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { ConnectionsPage } from './pages/connections-page';
import { ServiceActionsRow } from './pages/service-actions';
import { SwarmPage } from './pages/swarm-page';

const run = promisify(execFile);
let homeport: HomeportServer;
let dockerHost: string;
const suffix = randomBytes(3).toString('hex');
const web = `e2e-web-${suffix}`;
const agent = `e2e-agent-${suffix}`;

const docker = async (args: string[]) => (await run('docker', ['--host', dockerHost, ...args])).stdout.trim();

test.beforeAll(async () => {
  const host = process.env.HOMEPORT_E2E_DOCKER_HOST;
  if (!host) throw new Error('The e2e global setup did not start the test Docker engine');
  dockerHost = host;
  // The stand-in writes no log lines: its log view is the empty one.
  await docker(['service', 'create', '--detach', '--name', web, '--replicas', '1', STANDIN_IMAGE]);
  await docker(['service', 'create', '--detach', '--name', agent, '--mode', 'global', STANDIN_IMAGE]);
  homeport = await startHomeport({ env: { KUBECONFIG: '/nonexistent/kubeconfig', DOCKER_HOST: '' } });
});

test.afterAll(async () => {
  await homeport?.close();
  await docker(['service', 'rm', web, agent]).catch(() => undefined);
});

test('scale, restart and remove a Swarm service, each after a confirmation; an empty log says so', async ({ page }) => {
  test.setTimeout(120_000);
  const connections = new ConnectionsPage(page);
  await connections.open(homeport.url);
  await connections.addEndpoint('lab', dockerHost);
  await expect(connections.endpoint('lab')).toBeVisible();

  const swarm = new SwarmPage(page);
  await swarm.open(homeport.origin);
  const row = new ServiceActionsRow(page, swarm.service(web));
  await expect(swarm.replicas(web)).toHaveText('1/1', { timeout: 30_000 });

  // A global service runs one task per node: nothing to scale.
  await expect(new ServiceActionsRow(page, swarm.service(agent)).button('Scale…')).toBeDisabled();

  // Cancel leaves it as it was; confirming scales it.
  await row.button('Scale…').click();
  await row.dialog().getByRole('button', { name: 'Cancel' }).click();
  await expect(row.dialog()).toHaveCount(0);
  await row.scaleTo(2);
  await expect(swarm.replicas(web)).toHaveText('2/2', { timeout: 30_000 });
  expect(await docker(['service', 'inspect', web, '--format', '{{.Spec.Mode.Replicated.Replicas}}'])).toBe('2');

  await row.restart();
  await expect(row.row).toContainText('Restart requested');
  expect(await docker(['service', 'inspect', web, '--format', '{{.Spec.TaskTemplate.ForceUpdate}}'])).toBe('1');

  // Its log is empty, and says so.
  await swarm.openService(web);
  await expect(page.getByTestId('service-logs-empty')).toHaveText('No log lines yet');

  await row.remove();
  await expect(swarm.service(web)).toHaveCount(0, { timeout: 15_000 });
  expect(await docker(['service', 'ls', '--filter', `name=${web}`, '--format', '{{.Name}}'])).toBe('');
});
