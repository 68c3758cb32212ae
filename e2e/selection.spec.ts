import { expect, test, type Page } from '@playwright/test';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { writeKubeconfig } from './env/kubeconfigs';
import { ConnectionsPage } from './pages/connections-page';
import { SwarmPage } from './pages/swarm-page';
import { TargetPicker } from './pages/target-picker';

// Nothing listens on port 1: the clusters need not answer for the picker to list them.
const offline = (name: string) => ({ name, server: 'https://127.0.0.1:1', user: { token: 'unused' } });
const servers: HomeportServer[] = [];

test.afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const clusterPicker = (page: Page) => page.getByLabel('Active cluster');

test('the chosen cluster stays chosen when kubeconfigs are added and when Homeport restarts', async ({ page }) => {
  // No current-context: the first context is shown until the user picks one.
  const base = writeKubeconfig([offline('cluster-a'), offline('cluster-b')], '');
  const env = { KUBECONFIG: base, DOCKER_HOST: '' };
  const first = await startHomeport({ env });
  servers.push(first);
  const connections = new ConnectionsPage(page);
  await connections.open(first.url);
  await expect(clusterPicker(page)).toHaveValue('cluster-a');

  // An added file whose current-context is another cluster does not take the screens over.
  await connections.addKubeconfig(writeKubeconfig([offline('cluster-c')], 'cluster-c'));
  await expect(clusterPicker(page).locator('option[value="cluster-c"]')).toHaveCount(1);
  await expect(clusterPicker(page)).toHaveValue('cluster-a');

  await clusterPicker(page).selectOption('cluster-b');
  await connections.addKubeconfig(writeKubeconfig([offline('cluster-d')], 'cluster-d'));
  await expect(clusterPicker(page).locator('option[value="cluster-d"]')).toHaveCount(1);
  await expect(clusterPicker(page)).toHaveValue('cluster-b');

  // Restarted on the same data directory (another port, so another origin: no browser storage
  // carries over), Homeport comes back to cluster B.
  await first.close();
  const second = await startHomeport({ env, dataDir: first.dataDir });
  servers.push(second);
  expect(second.origin).not.toBe(first.origin);
  const fresh = await page.context().newPage();
  await fresh.goto(second.url);
  await expect(clusterPicker(fresh).locator('option[value="cluster-d"]')).toHaveCount(1);
  await expect(clusterPicker(fresh)).toHaveValue('cluster-b');
});

test('the Swarm screen shows an endpoint that answers, with its own picker', async ({ page }) => {
  const dockerHost = process.env.HOMEPORT_E2E_DOCKER_HOST;
  if (!dockerHost) throw new Error('The e2e global setup did not start the test Docker engine');
  const homeport = await startHomeport({ env: { KUBECONFIG: '/nonexistent/kubeconfig', DOCKER_HOST: '' } });
  servers.push(homeport);
  const connections = new ConnectionsPage(page);
  await connections.open(homeport.url);
  // The endpoint that does not answer is saved first.
  await connections.addEndpoint('dead', 'tcp://127.0.0.1:1');
  await expect(connections.endpoint('dead')).toBeVisible();
  await connections.addEndpoint('lab', dockerHost);
  await expect(connections.endpoint('lab')).toBeVisible();

  const swarm = new SwarmPage(page);
  await swarm.open(homeport.origin);
  const picker = page.getByTestId('swarm-endpoint');
  await expect(picker).toHaveValue('lab', { timeout: 15_000 });
  await expect(swarm.managerStatus().first()).toContainText('Leader', { timeout: 15_000 });
  await expect(picker.locator('option[value="dead"]')).toHaveText('dead (unreachable)');

  // Picking the dead one is remembered; on the next visit the screen falls back and says why.
  await picker.selectOption('dead');
  await swarm.open(homeport.origin);
  await page.reload();
  await expect(picker).toHaveValue('lab', { timeout: 15_000 });
  await expect(page.getByTestId('swarm-endpoint-fallback')).toHaveText('dead does not answer; showing lab.');

  // The Leaders screen has its own picker on the same choice, and the Deploy target keeps its own endpoint.
  await page.goto(`${homeport.origin}/#leaders`);
  await expect(page.getByTestId('leaders-endpoint')).toHaveValue('lab', { timeout: 15_000 });
  await page.goto(`${homeport.origin}/#deploy`);
  const target = new TargetPicker(page);
  await target.swarm();
  await expect(target.endpoint).toHaveValue('dead');
});
