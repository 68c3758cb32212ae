import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { startFakeApiServer, type FakeApiServer } from '../electron/testing/fake-apiserver';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { writeKubeconfig, writeTokenPlugin } from './env/kubeconfigs';
import { ConnectionsPage } from './pages/connections-page';

let apiServer: FakeApiServer;
let homeport: HomeportServer;
let extraKubeconfig: string;
let liveKubeconfig: string;

test.beforeAll(async () => {
  apiServer = await startFakeApiServer({ token: 'e2e-token' });
  const kubeconfig = writeKubeconfig(
    [
      { name: 'homelab-k3s', server: apiServer.url, namespace: 'media', user: { token: 'e2e-token' } },
      // Nothing listens on port 1: the connection must fail, and say so.
      { name: 'offline-cluster', server: 'https://127.0.0.1:1', user: { token: 'unused' } },
    ],
    'homelab-k3s',
  );
  extraKubeconfig = writeKubeconfig([
    {
      name: 'plugin-cluster',
      server: apiServer.url,
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: writeTokenPlugin('e2e-token'),
          interactiveMode: 'Never',
        },
      },
    },
  ]);
  liveKubeconfig = writeKubeconfig([{ name: 'edited-later', server: 'https://127.0.0.1:2', user: {} }]);
  homeport = await startHomeport({ env: { KUBECONFIG: `${kubeconfig}:${liveKubeconfig}` } });
});

test.afterAll(async () => {
  await homeport?.close();
  await apiServer?.close();
});

test('lists every context of the kubeconfig with its server, user and namespace', async ({ page }) => {
  const screen = new ConnectionsPage(page);
  await screen.open(homeport.url);
  await expect.poll(() => screen.contextNames()).toEqual(['edited-later', 'homelab-k3s', 'offline-cluster']);
  const k3s = screen.row('homelab-k3s');
  await expect(screen.server('homelab-k3s')).toHaveText(apiServer.url);
  await expect(screen.namespace('homelab-k3s')).toHaveText('media');
  await expect(k3s).toContainText('homelab-k3s-user');
  await expect(k3s).toContainText('current');
  await expect(screen.namespace('offline-cluster')).toHaveText('default');
  // The page shows who the user is, never what their token is.
  await expect(screen.text()).not.toContainText('e2e-token');
});

test('testing a context whose server is not listening shows the error on screen', async ({ page }) => {
  const screen = new ConnectionsPage(page);
  await screen.open(homeport.url);
  const result = await screen.testConnection('offline-cluster');
  await expect(result).toContainText('Unreachable');
  await expect(result).toContainText("Context 'offline-cluster'");
  await expect(result).toContainText('https://127.0.0.1:1');
});

test('testing a live k3s context shows its version', async ({ page }) => {
  const screen = new ConnectionsPage(page);
  await screen.open(homeport.url);
  const result = await screen.testConnection('homelab-k3s');
  await expect(result).toContainText('Connected · v1.31.4+k3s1 · k3s');
});

test('a bad path is refused with the field named and kept for correction; a credential plugin runs only once allowed', async ({
  page,
}) => {
  const screen = new ConnectionsPage(page);
  await screen.open(homeport.url);
  await screen.addKubeconfig('relative/kubeconfig');
  await expect(screen.kubeconfigError()).toContainText("Kubeconfig file: 'relative/kubeconfig' is relative");
  await expect(screen.kubeconfigPath()).toHaveValue('relative/kubeconfig');

  await screen.addKubeconfig(extraKubeconfig);
  await expect(screen.row('plugin-cluster')).toBeVisible();
  const result = await screen.testConnection('plugin-cluster');
  await expect(result).toContainText('Needs your permission');
  const callsBefore = apiServer.requests.length;
  await screen.allowExec('plugin-cluster');
  await expect(result).toContainText('Connected');
  expect(apiServer.requests.slice(callsBefore).at(-1)?.authorization).toBe('Bearer e2e-token');
});

test('a kubeconfig edited on disk updates the screen live, over the WebSocket', async ({ page }) => {
  const screen = new ConnectionsPage(page);
  await screen.open(homeport.url);
  await expect(screen.row('edited-later')).toBeVisible();
  writeFileSync(liveKubeconfig, readFileSync(liveKubeconfig, 'utf8').replaceAll('edited-later', 'renamed-on-disk'));
  await expect(screen.row('renamed-on-disk')).toBeVisible();
  await expect(screen.row('edited-later')).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('connections.png'), fullPage: true });
});

test('without the session token the UI says how to get in', async ({ page }) => {
  const screen = new ConnectionsPage(page);
  await expect(await screen.openWithoutToken(homeport.origin)).toContainText(
    'open the full URL that `homeport serve` printed',
  );
});
