import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { kubectl } from './env/kubectl';
import { PodsPage } from './pages/live-pages';
import { PodLogPane, PodsLayout } from './pages/pods-panel';

let homeport: HomeportServer;
let kubeconfig: string;

const pod = (name: string, image: string, init?: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: default
spec:
${init ? `  initContainers:\n  - name: ${init}\n    image: registry.lan/demo/migrate:1\n` : ''}  containers:
  - name: main
    image: ${image}
`;

test.beforeAll(async () => {
  homeport = await startHomeport({ args: ['--sandbox'], env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
  kubeconfig = join(homeport.dataDir, 'sandbox.kubeconfig');
  await kubectl(
    kubeconfig,
    ['apply', '-f', '-'],
    pod('panel-web-with-a-rather-long-name-0', 'registry.lan/demo/web:1'),
  );
  await kubectl(kubeconfig, ['apply', '-f', '-'], pod('panel-init', 'registry.lan/demo/web:1', 'migrate'));
  await kubectl(kubeconfig, ['apply', '-f', '-'], pod('panel-crash', 'ghcr.io/example/app:homeport-crash'));
});

test.afterAll(async () => {
  await homeport?.close();
});

async function openPod(page: Page, name: string) {
  const pods = new PodsPage(page);
  await pods.open(homeport.origin);
  await expect(pods.row('default', name)).toBeVisible({ timeout: 15_000 });
  return pods.openDetails('default', name);
}

test('at 1024×700 the panel never squeezes the table into overlapping text', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto(homeport.url);
  const layout = new PodsLayout(page);
  await openPod(page, 'panel-web-with-a-rather-long-name-0');
  await expect(layout.panel()).toBeVisible();
  const mode = await layout.split().getAttribute('data-layout');
  expect(['split', 'overlay']).toContain(mode);
  if (mode === 'overlay') {
    // The panel lies over the table (a drawer), the table keeps its full width.
    const panel = (await layout.panel().boundingBox())!;
    const table = (await page.getByTestId('pods-table').boundingBox())!;
    expect(table.width).toBeGreaterThan(600);
    expect(panel.x).toBeGreaterThan(table.x);
  }
  expect(await layout.cellProblems()).toEqual([]);
  // Columns adapt: the header shows no more columns than fit.
  const headers = await page.locator('[data-testid="pods-table"] [role="columnheader"]').allTextContents();
  expect(headers).toContain('Name');
  expect(headers).toContain('Status');
});

test('at 1440×900 the panel splits the screen with a divider that resizes it', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(homeport.url);
  const layout = new PodsLayout(page);
  await openPod(page, 'panel-web-with-a-rather-long-name-0');
  await expect(layout.split()).toHaveAttribute('data-layout', 'split');
  const before = (await layout.panel().boundingBox())!.width;
  await layout.dragDivider(-120);
  const after = (await layout.panel().boundingBox())!.width;
  expect(after).toBeGreaterThan(before + 80);
  expect(await layout.cellProblems()).toEqual([]);
  // The table gave way without any cell running into another; the panel and table do not overlap.
  const table = (await page.getByTestId('pods-table').boundingBox())!;
  const panel = (await layout.panel().boundingBox())!;
  expect(table.x + table.width).toBeLessThanOrEqual(panel.x);
});

test('the panel keeps its width across reloads, and the screen reads it only when a pod opens', async ({ page }) => {
  // A page's first use of localStorage waits for the browser to load it: the screen leaves it
  // alone while the table fills, and reads the remembered width when a panel opens.
  await page.addInitScript(() => {
    const reads: string[] = ((window as unknown as { __storageReads: string[] }).__storageReads = []);
    const getItem = Storage.prototype.getItem;
    Storage.prototype.getItem = function (key: string) {
      // Only localStorage waits on the browser; sessionStorage (the session token) lives in the page.
      if (this === window.localStorage) reads.push(key);
      return getItem.call(this, key);
    };
  });
  const reads = () => page.evaluate(() => (window as unknown as { __storageReads: string[] }).__storageReads);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(homeport.url);
  const layout = new PodsLayout(page);
  const pods = new PodsPage(page);
  await pods.open(homeport.origin);
  await expect(pods.row('default', 'panel-init')).toBeVisible({ timeout: 15_000 });
  expect(await reads()).toEqual([]);

  await pods.openDetails('default', 'panel-init');
  await expect(layout.split()).toHaveAttribute('data-layout', 'split');
  expect(await reads()).toContain('homeport.podPanelWidth');
  await layout.dragDivider(-150);
  const resized = (await layout.panel().boundingBox())!.width;

  await page.reload();
  await openPod(page, 'panel-init');
  await expect(layout.split()).toHaveAttribute('data-layout', 'split');
  await expect.poll(async () => Math.round((await layout.panel().boundingBox())!.width)).toBe(Math.round(resized));
});

test('the log pane searches, wraps, downloads, and shows the previous container’s log', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(homeport.url);
  await openPod(page, 'panel-web-with-a-rather-long-name-0');
  const logs = new PodLogPane(page);
  await logs.expectText('starting');

  await logs.search('STARTING');
  await expect(logs.marks().first()).toHaveText('starting');
  await expect(logs.matches()).toContainText(/[1-9]\d* match/);

  // Expanded, the log takes the panel: taller, and the other sections give way.
  const normal = (await logs.view().boundingBox())!.height;
  await logs.pane.getByTestId('log-expand').click();
  expect((await logs.view().boundingBox())!.height).toBeGreaterThan(normal + 100);
  await expect(page.getByTestId('pod-containers')).toHaveCount(0);
  await logs.pane.getByTestId('log-expand').click();
  await expect(page.getByTestId('pod-containers')).toBeVisible();

  await logs.setWrap(false);
  await expect(logs.view()).toHaveCSS('white-space', 'pre');
  await logs.setWrap(true);
  await expect(logs.view()).toHaveCSS('white-space', 'pre-wrap');

  // The crash-looping pod restarts: the previous container's log holds its last words.
  await new PodsPage(page).openDetails('default', 'panel-crash');
  await expect(page.getByTestId('pod-details')).toContainText('panel-crash');
  await expect
    .poll(
      async () =>
        Number(
          await kubectl(kubeconfig, [
            'get',
            'pod',
            'panel-crash',
            '-o',
            'jsonpath={.status.containerStatuses[0].restartCount}',
          ]),
        ),
      { timeout: 20_000 },
    )
    .toBeGreaterThan(0);
  await logs.search('');
  await logs.setPrevious(true);
  await logs.expectText('ERROR exiting: simulated crash');
  const file = await logs.download();
  expect(file.name).toBe('panel-crash-main-previous.log');
  const shown = (await logs.view().textContent()) ?? '';
  expect(file.text.trim()).toBe(shown.trim());
  expect(file.text).toContain('ERROR exiting: simulated crash');
});

test('a pod that never restarted says it has no previous container', async ({ page }) => {
  await page.goto(homeport.url);
  await openPod(page, 'panel-web-with-a-rather-long-name-0');
  const logs = new PodLogPane(page);
  await logs.setPrevious(true);
  await expect(logs.pane).toContainText(
    'previous terminated container "main" in pod "panel-web-with-a-rather-long-name-0" not found',
    { timeout: 10_000 },
  );
});

test('init containers are listed, and repeated events show once with a count and ages', async ({ page }) => {
  await page.goto(homeport.url);
  const init = await openPod(page, 'panel-init');
  const inits = init.panel.getByTestId('pod-init-containers');
  await expect(inits).toContainText('migrate', { timeout: 15_000 });
  await expect(inits).toContainText('Completed');

  await openPod(page, 'panel-crash');
  const backOff = page.getByTestId('pod-events').locator('[data-reason="BackOff"]');
  await expect(backOff).toHaveCount(1, { timeout: 20_000 });
  await expect(backOff.getByTestId('event-count')).toHaveText(/×[2-9]/, { timeout: 20_000 });
  await expect(backOff.getByTestId('event-age')).toHaveText(/ago, first \d+[smhd] ago/);
});

for (const [width, height] of [
  [1440, 900],
  [1024, 700],
] as const) {
  for (const scheme of ['light', 'dark'] as const) {
    test(`screenshot: pods with the panel open, ${width}×${height} ${scheme}`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height });
      await page.goto(homeport.url);
      await openPod(page, 'panel-init');
      await new PodLogPane(page).expectText('starting');
      expect(await new PodsLayout(page).cellProblems()).toEqual([]);
      await page.screenshot({ path: `test-results/pods-panel-${width}x${height}-${scheme}.png` });
    });
  }
}
