import { expect, test, type Locator, type Page } from '@playwright/test';
import { join } from 'node:path';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { kubectl } from './env/kubectl';
import { ResourceActionsPage } from './pages/resource-actions-page';

let homeport: HomeportServer;
let kubeconfig: string;

test.beforeAll(async () => {
  homeport = await startHomeport({ args: ['--sandbox'], env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
  kubeconfig = join(homeport.dataDir, 'sandbox.kubeconfig');
});

test.afterAll(async () => {
  await homeport?.close();
});

const event = (name: string, count: number, first: string, last: string) => `apiVersion: v1
kind: Event
metadata: {name: ${name}, namespace: default}
involvedObject: {kind: Pod, namespace: default, name: e2e-mounts, apiVersion: v1}
reason: FailedMount
message: 'MountVolume.SetUp failed for volume "config" : configmap "e2e-config" not found'
type: Warning
count: ${count}
firstTimestamp: '${first}'
lastTimestamp: '${last}'
source: {component: kubelet}
`;

const deployment = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: default}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: main, image: 'busybox:1.36'}]
`;

const sizes = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;

async function screenshots(page: Page, name: string, focus?: Locator) {
  for (const size of sizes)
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme });
      await focus?.scrollIntoViewIfNeeded();
      await page.screenshot({
        path: `test-results/resource-actions/${name}-${size.width}x${size.height}-${colorScheme}.png`,
      });
    }
  await page.setViewportSize(sizes[0]);
  await page.emulateMedia({ colorScheme: 'light' });
}

test('Events shows two Event objects of one pod, reason and message as one row counted together', async ({ page }) => {
  const now = Date.now();
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString().replace(/\.\d+Z$/, 'Z');
  await kubectl(kubeconfig, ['apply', '-f', '-'], event('e2e-mounts.a', 3, iso(600_000), iso(300_000)));
  await kubectl(kubeconfig, ['apply', '-f', '-'], event('e2e-mounts.b', 2, iso(200_000), iso(30_000)));
  const events = new ResourceActionsPage(page);
  await page.goto(homeport.url);
  await events.openEvents(homeport.origin);
  const row = events.eventRows('FailedMount');
  await expect(row).toHaveCount(1, { timeout: 10_000 });
  await expect(row.getByTestId('event-count')).toHaveText('×5');
  await expect(row).toContainText('pod/e2e-mounts');
  await expect(row).toContainText('ago');
  // Warnings first: the Warning row leads even though the kubelet's Normal events are newer.
  await expect(events.eventRows().first()).toHaveAttribute('data-type', 'Warning');
  // The table fits its column: no sideways scrolling, even at 1024 px beside the kind list.
  for (const width of [1440, 1024]) {
    await page.setViewportSize({ width, height: 700 });
    const scroll = page.getByTestId('events-view').locator('.ra-scroll');
    expect(await scroll.evaluate((e) => e.scrollWidth - e.clientWidth), `at ${width} px`).toBeLessThanOrEqual(0);
  }
  await screenshots(page, 'events');
});

test('Drain lists the pods it will evict, asks first, and reports each pod; Cordon marks the node', async ({
  page,
}) => {
  // Pods of the e2e-drain Deployment land on sandbox-agent-2 only.
  await kubectl(kubeconfig, ['cordon', 'sandbox-server-0', 'sandbox-agent-1']);
  await kubectl(kubeconfig, ['apply', '-f', '-'], deployment('e2e-drain', 2));
  await kubectl(kubeconfig, ['rollout', 'status', 'deployment/e2e-drain', '--timeout=60s']);
  await kubectl(kubeconfig, ['uncordon', 'sandbox-server-0', 'sandbox-agent-1']);
  const screen = new ResourceActionsPage(page);
  await page.goto(homeport.url);
  const drawer = await screen.openNode(homeport.origin, 'sandbox-agent-2');

  const confirm = await screen.openDrain(drawer);
  // Both e2e-drain pods are listed (the sandbox's demo pods on the node may be listed too).
  await expect(confirm.getByTestId('drain-evict-list').locator('li', { hasText: 'default/e2e-drain-' })).toHaveCount(2);
  await screenshots(page, 'drain-confirm', confirm);
  // Nothing happened yet: the node still takes pods.
  expect(await kubectl(kubeconfig, ['get', 'node', 'sandbox-agent-2'])).not.toContain('SchedulingDisabled');

  await confirm.getByLabel('Timeout (seconds)').fill('2');
  await expect(confirm.getByRole('alert')).toHaveText('Timeout (seconds): a whole number from 5 to 3600');
  await confirm.getByLabel('Timeout (seconds)').fill('60');
  await confirm.getByRole('button', { name: 'Drain sandbox-agent-2' }).click();
  const result = page.getByTestId('drain-result');
  await expect(result).toContainText('sandbox-agent-2 is drained', { timeout: 60_000 });
  await expect(
    result.locator('[data-testid="drain-pod"][data-outcome="evicted"]', { hasText: 'default/e2e-drain-' }),
  ).toHaveCount(2);
  // The drawer follows the live row: cordoned, so it offers Uncordon.
  await expect(drawer.panel.getByTestId('object-status')).toHaveText('Ready,SchedulingDisabled');
  expect(await kubectl(kubeconfig, ['get', 'node', 'sandbox-agent-2'])).toContain('Ready,SchedulingDisabled');
  const nodes = await kubectl(kubeconfig, [
    'get',
    'pods',
    '-l',
    'app=e2e-drain',
    '-o',
    'jsonpath={.items[*].spec.nodeName}',
  ]);
  expect(nodes).not.toContain('sandbox-agent-2');

  await drawer.panel.getByRole('button', { name: 'Uncordon' }).click();
  await expect(drawer.panel.getByTestId('object-status')).toHaveText('Ready');
  await expect(drawer.panel.getByRole('button', { name: 'Cordon', exact: true })).toBeVisible();
  const other = await screen.pickNode(drawer, 'sandbox-agent-1');
  await other.panel.getByRole('button', { name: 'Cordon', exact: true }).click();
  await expect(other.panel.getByTestId('object-status')).toHaveText('Ready,SchedulingDisabled');
  await expect(screen.resources.row('', 'sandbox-agent-1')).toContainText('Ready,SchedulingDisabled');
  expect(await kubectl(kubeconfig, ['get', 'node', 'sandbox-agent-1'])).toContain('Ready,SchedulingDisabled');
  await kubectl(kubeconfig, ['uncordon', 'sandbox-agent-1']);
});

test('the editor applies server-side and shows a conflict with kubectl by owner; Force apply asks first', async ({
  page,
}) => {
  await kubectl(kubeconfig, ['apply', '-f', '-'], deployment('e2e-edit', 1));
  const screen = new ResourceActionsPage(page);
  await page.goto(homeport.url);
  await screen.openResources(homeport.origin);
  const drawer = await screen.openObject('deployments.apps', 'default', 'e2e-edit');
  const editor = await screen.edit(drawer);
  const yaml = editor.getByLabel('YAML');
  await expect(yaml).toHaveValue(/kind: Deployment/);
  await expect(yaml).not.toHaveValue(/managedFields/);
  await yaml.fill((await yaml.inputValue()).replace('replicas: 1', 'replicas: 3'));
  await editor.getByRole('button', { name: 'Apply' }).click();
  const conflicts = editor.getByTestId('apply-conflicts');
  await expect(conflicts.getByTestId('apply-conflict')).toHaveText([
    'spec.replicas is owned by kubectl-client-side-apply; applying would overwrite it.',
  ]);
  expect(await kubectl(kubeconfig, ['get', 'deploy', 'e2e-edit', '-o', 'jsonpath={.spec.replicas}'])).toBe('1');
  await screenshots(page, 'editor-conflict', conflicts);
  await conflicts.getByRole('button', { name: 'Force apply…' }).click();
  await conflicts.getByRole('button', { name: 'Overwrite spec.replicas and take ownership' }).click();
  await expect(editor.getByTestId('apply-ok')).toHaveText('Applied Deployment default/e2e-edit.');
  expect(await kubectl(kubeconfig, ['get', 'deploy', 'e2e-edit', '-o', 'jsonpath={.spec.replicas}'])).toBe('3');

  // The Deployment's row follows the apply.
  await expect(screen.resources.row('default', 'e2e-edit')).toContainText('/3');

  // Secrets never open in the editor: a Secret's drawer has no Edit (a ConfigMap's has).
  await kubectl(kubeconfig, ['create', 'secret', 'generic', 'e2e-db', '--from-literal=password=hunter2']);
  const secret = await screen.openObject('secrets', 'default', 'e2e-db');
  await expect(secret.secretKey('password')).toBeVisible();
  await expect(secret.panel.getByRole('button', { name: 'Edit', exact: true })).toHaveCount(0);
  await expect(secret.panel.getByTestId('object-editor')).toHaveCount(0);
  await expect(secret.panel).not.toContainText('hunter2');
  await kubectl(kubeconfig, ['create', 'configmap', 'e2e-settings', '--from-literal=mode=fast']);
  await secret.close();
  const configMap = await screen.openObject('configmaps', 'default', 'e2e-settings');
  await expect(configMap.panel.getByRole('button', { name: 'Edit', exact: true })).toBeVisible();
});
