import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { revengeStandinImages } from '../electron/core/docker/testing/revenge-standins';
import { STANDIN_TABLES_FILE } from '../electron/core/docker/testing/standin-layout';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { ConnectionsPage } from './pages/connections-page';
import { DeployPage } from './pages/deploy-page';
import { LeadersPage } from './pages/live-pages';
import { ReadinessPage } from './pages/readiness-page';
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
  await expect(connections.endpointError()).toContainText("'Docker endpoint URL': ");
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
  await deploy.target.swarm();
  await expect(deploy.target.endpoint).toHaveValue('homelab');
  await deploy.pickStack('revenge');
  // Every image its stand-in: the ones with a contract behave like the real programs.
  for (const [component, { image }] of Object.entries(revengeStandinImages())) {
    await deploy.field(`${component}.image`).fill(image);
  }
  await deploy.field('nfs.enabled').uncheck();
  await deploy.reviewPlan();
  await expect(deploy.planItem('Service', 'revenge_revenge')).toHaveAttribute('data-action', 'create');
  await expect(deploy.planItem('Network', 'revenge_default')).toHaveAttribute('data-action', 'create');
  await deploy.apply();
  await expect(deploy.applyResult).toContainText('Applied revision 1');
  await expect(deploy.rolloutState).toHaveText('Healthy', { timeout: 120_000 });

  // The docker CLI sees the stack Homeport deployed.
  expect(await docker(['stack', 'ls', '--format', '{{.Name}}'])).toContain('revenge');
  expect(await docker(['stack', 'services', 'revenge', '--format', '{{.Name}}'])).toContain('revenge_revenge');

  // Revenge's River leader, read with psql in the postgres task: none before River migrated, then
  // the row the stand-in database holds (set here as River would write it).
  await leaders.openWithoutCluster(homeport.origin);
  const river = leaders.tableLeader('revenge');
  await expect(river.getByTestId('table-leader-state')).toHaveText('Unknown', { timeout: 30_000 });
  await expect(river.getByTestId('table-leader-detail')).toContainText("the program's migrations have not run yet");
  const postgres = (
    await docker(['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=revenge_postgres'])
  ).trim();
  const row = {
    leader_id: 'revenge_api_e2e',
    elected_at: new Date().toISOString(),
    expires_at: new Date(Date.now() + 600_000).toISOString(),
  };
  await docker([
    'exec',
    postgres,
    'sh',
    '-c',
    'printf "%s" "$1" > "$2"',
    'sh',
    JSON.stringify({ 'public.river_leader': [row] }),
    `/var/run/postgresql/${STANDIN_TABLES_FILE}`,
  ]);
  await expect(river.getByTestId('table-leader-holder')).toHaveText('revenge_api_e2e', { timeout: 15_000 });
  await expect(river.getByTestId('table-leader-state')).toHaveText('Held');
  await expect(river).toContainText('public.river_leader in the database revenge');
  await expect(leaders.swarmRaftRole()).toHaveText('Leader');

  // The service's tasks on the Swarm screen; the API runs one replica: its playback sessions live in one process.
  await swarm.open(homeport.origin);
  await swarm.openService('revenge_revenge');
  await expect(swarm.replicas('revenge_revenge')).toHaveText('1/1');
  await expect(swarm.tasks()).toHaveCount(1);

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
  await expect(deploy.uninstallResult).toContainText('Removed', { timeout: 60_000 });
  await expect
    .poll(async () => docker(['service', 'ls', '--filter', 'label=com.docker.stack.namespace=revenge', '-q']))
    .toBe('');
});
