import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { ConnectionsPage } from './pages/connections-page';

let homeport: HomeportServer;

test.beforeAll(async () => {
  // The user's docker CLI setup: a login to ghcr.io and a context, as docker writes them.
  const home = mkdtempSync(join(tmpdir(), 'homeport-e2e-home-'));
  const docker = join(home, '.docker');
  const meta = join(docker, 'contexts', 'meta', createHash('sha256').update('homelab').digest('hex'));
  mkdirSync(meta, { recursive: true });
  writeFileSync(
    join(meta, 'meta.json'),
    JSON.stringify({
      Name: 'homelab',
      Metadata: {},
      Endpoints: { docker: { Host: 'unix:///nonexistent/docker.sock' } },
    }),
  );
  writeFileSync(
    join(docker, 'config.json'),
    JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from('gh-user:gh-secret-token').toString('base64') } } }),
  );
  homeport = await startHomeport({ env: { HOME: home, KUBECONFIG: join(home, 'none'), DOCKER_HOST: '' } });
});

test.afterAll(async () => {
  await homeport?.close();
});

test('docker contexts are listed read only, and registry credentials are saved without showing the secret', async ({
  page,
}) => {
  await new ConnectionsPage(page).open(homeport.url);
  const context = page.locator('[data-endpoint="context-homelab"]');
  await expect(context).toContainText('docker context');
  await expect(context).toContainText('unix:///nonexistent/docker.sock');
  await expect(context.getByRole('button', { name: 'Remove' })).toHaveCount(0);

  const registries = page.getByTestId('registries-table');
  await expect(registries.locator('[data-registry="ghcr.io"]')).toContainText('gh-user');
  await expect(registries.locator('[data-registry="ghcr.io"]')).toContainText('docker login');

  await page.getByTestId('registry-host').fill('https://registry.nas.lan/v2');
  await page.getByTestId('registry-username').fill('ops');
  await page.getByTestId('registry-secret').fill('very-secret-token');
  await page.getByRole('button', { name: 'Save credential' }).click();
  await expect(page.getByTestId('registry-error')).toContainText('Registry: a host name with an optional port');
  await page.getByTestId('registry-host').fill('registry.nas.lan:5000');
  await page.getByRole('button', { name: 'Save credential' }).click();
  const saved = registries.locator('[data-registry="registry.nas.lan:5000"]');
  await expect(saved).toContainText('ops');
  await expect(saved).toContainText('saved');
  await expect(page.getByTestId('registry-secret')).toHaveValue('');
  await expect(page.locator('body')).not.toContainText('very-secret-token');
  await expect(page.locator('body')).not.toContainText('gh-secret-token');

  await saved.getByRole('button', { name: 'Remove' }).click();
  await expect(saved).toHaveCount(0);
});
