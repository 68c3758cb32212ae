/**
 * From zero to something: a Homeport with no kubeconfig at all offers "Try the sandbox" on the
 * empty Connections screen; one click starts the sandbox in the server's process, adds its
 * context, and the Pods screen shows its demo workload.
 */
import { expect, test } from '@playwright/test';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { ConnectionsPage } from './pages/connections-page';
import { TrySandboxPanel } from './pages/first-run-page';
import { PodsPage } from './pages/live-pages';

let homeport: HomeportServer;

test.beforeAll(async () => {
  // A first run: no $KUBECONFIG file, no ~/.kube/config, nothing added.
  homeport = await startHomeport({ env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
});

test.afterAll(async () => {
  await homeport?.close();
});

test('the empty Connections screen starts the sandbox, and Pods shows its demo workload', async ({ page }) => {
  const connections = new ConnectionsPage(page);
  const trySandbox = new TrySandboxPanel(page);
  await connections.open(homeport.url);
  await expect(trySandbox.empty()).toContainText('No contexts yet');
  await trySandbox.button().click();

  await expect(connections.row('homeport-sandbox')).toBeVisible({ timeout: 15_000 });
  await expect(connections.row('homeport-sandbox')).toContainText('simulated');
  await expect(trySandbox.empty()).toHaveCount(0);
  expect(await connections.contextNames()).toEqual(['homeport-sandbox']);

  const pods = new PodsPage(page);
  await pods.open(homeport.origin);
  await expect(page.locator('[data-pod^="demo/hello-"]')).toHaveCount(2, { timeout: 15_000 });
  await expect(page.locator('[data-pod^="demo/hello-"]').first()).toContainText('Running', { timeout: 15_000 });
});
