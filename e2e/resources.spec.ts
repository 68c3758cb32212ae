import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { kubectl } from './env/kubectl';
import { ResourcesPage } from './pages/resources-page';

let homeport: HomeportServer;
let kubeconfig: string;
const SECRET_VALUE = 'e2e-s3cr3t-value';

const deployment = (name: string, image = 'busybox:1.36') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: main
        image: ${image}
`;
// The sandbox's kubelet crash-loops an image with this tag, as a cluster shows a failing program.
const CRASHING = 'ghcr.io/example/app:homeport-crash';

test.beforeAll(async () => {
  homeport = await startHomeport({ args: ['--sandbox'], env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
  kubeconfig = join(homeport.dataDir, 'sandbox.kubeconfig');
  await kubectl(
    kubeconfig,
    ['apply', '-f', '-'],
    deployment('aa-healthy') + '---\n' + deployment('zz-broken', CRASHING),
  );
  await kubectl(kubeconfig, [
    'create',
    'secret',
    'generic',
    'e2e-creds',
    '-n',
    'default',
    `--from-literal=password=${SECRET_VALUE}`,
    '--from-literal=username=admin',
  ]);
});

test.afterAll(async () => {
  await homeport?.close();
});

async function open(page: Page, kind?: string): Promise<ResourcesPage> {
  const resources = new ResourcesPage(page);
  await page.goto(homeport.url);
  await resources.open(homeport.origin, kind);
  return resources;
}

test('Deployments: a failing one comes first, columns sort, and the YAML opens', async ({ page }) => {
  const resources = await open(page);
  await expect(resources.row('default', 'aa-healthy')).toContainText('1/1', { timeout: 15_000 });
  const broken = resources.row('default', 'zz-broken');
  await expect(broken).toContainText('0/1');
  await expect(broken).toHaveAttribute('data-problem', 'true');
  // Problems first is on by default: zz-broken leads although it sorts last by name.
  await expect(resources.problemsFirst()).toBeChecked();
  expect((await resources.rowOrder())[0]).toBe('default/zz-broken');

  // Sorting by name descending, then turning problems-first off, orders by name alone.
  await resources.sortBy('Name');
  await expect(resources.header('Name')).toHaveAttribute('aria-sort', 'descending');
  await resources.problemsFirst().uncheck();
  const byName = await resources.rowOrder();
  expect(byName.indexOf('default/zz-broken')).toBeLessThan(byName.indexOf('default/aa-healthy'));
  await resources.sortBy('Ready');
  await expect(resources.header('Ready')).toHaveAttribute('aria-sort', 'ascending');
  const byReady = await resources.rowOrder();
  expect(byReady.indexOf('default/zz-broken')).toBeLessThan(byReady.indexOf('default/aa-healthy'));

  await resources.filter().fill('healthy');
  await expect(resources.row('default', 'zz-broken')).toHaveCount(0);
  await resources.filter().fill('');

  const drawer = await resources.openDrawer('default', 'zz-broken');
  await expect(drawer.yaml()).toContainText('kind: Deployment');
  await expect(drawer.yaml()).toContainText(CRASHING);
  await expect(drawer.yaml()).not.toContainText('managedFields');
});

test('kinds with no columns of their own (roles, a CRD) list through discovery', async ({ page }) => {
  await kubectl(kubeconfig, ['create', 'role', 'e2e-reader', '-n', 'default', '--verb=get', '--resource=pods']);
  await kubectl(
    kubeconfig,
    ['apply', '-f', '-'],
    `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: mediashares.homelab.example.com}
spec:
  group: homelab.example.com
  scope: Namespaced
  names: {plural: mediashares, singular: mediashare, kind: MediaShare}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
`,
  );
  await kubectl(kubeconfig, ['wait', '--for=condition=established', 'crd/mediashares.homelab.example.com']);
  await kubectl(
    kubeconfig,
    ['apply', '-f', '-'],
    'apiVersion: homelab.example.com/v1\nkind: MediaShare\nmetadata: {name: films, namespace: default}\nspec: {path: /srv/films}\n',
  );
  const resources = await open(page);
  await resources.pickKind('roles.rbac.authorization.k8s.io');
  await expect(resources.row('default', 'e2e-reader')).toBeVisible();
  await expect(resources.kindSection('Custom')).toContainText('MediaShare');
  await resources.pickKind('mediashares.homelab.example.com');
  const drawer = await resources.openDrawer('default', 'films');
  await expect(drawer.yaml()).toContainText('path: /srv/films');
});

test('a Secret shows its keys, masked YAML, and reveals one value on request', async ({ page }) => {
  const resources = await open(page, 'secrets');
  await expect(resources.row('default', 'e2e-creds')).toContainText('Opaque');
  await expect(resources.row('default', 'e2e-creds')).not.toContainText(SECRET_VALUE);
  const drawer = await resources.openDrawer('default', 'e2e-creds');
  await expect(drawer.secretKey('password')).toBeVisible();
  await expect(drawer.secretKey('username')).toBeVisible();
  await expect(drawer.yaml()).toContainText('password: ••••••••');
  await expect(drawer.panel).not.toContainText(SECRET_VALUE);
  const value = await drawer.reveal('password');
  await expect(value).toHaveText(SECRET_VALUE);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: 'test-results/resources-secret-1440x900-light.png' });
  await expect(drawer.secretKey('username').getByTestId('secret-value')).toHaveCount(0);
});

test('screenshots at 1440x900 and 1024x700, light and dark', async ({ page }) => {
  const resources = await open(page);
  await expect(resources.row('default', 'aa-healthy')).toContainText('1/1', { timeout: 15_000 });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const [width, height] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: `test-results/resources-${width}x${height}-${colorScheme}.png` });
      const drawer = await resources.openDrawer('default', 'zz-broken');
      await expect(drawer.yaml()).toBeVisible();
      await page.screenshot({ path: `test-results/resources-${width}x${height}-${colorScheme}-drawer.png` });
      await drawer.close();
    }
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  await resources.pickKind('nodes');
  await page.screenshot({ path: 'test-results/resources-nodes-1440x900-dark.png' });
});
