/**
 * All clusters at a glance, in web mode: the sandbox, a kubeconfig context whose server refuses
 * connections, and the test Docker engine (a one-node swarm) as the endpoint from $DOCKER_HOST.
 * A pod made to crash-loop in the sandbox raises an in-app notification. With a cluster and an
 * endpoint to show, every screen opens from the sidebar, its code fetched when first opened.
 */
import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startHomeport, type HomeportServer } from './env/homeport-server';
import { writeKubeconfig } from './env/kubeconfigs';
import { kubectl } from './env/kubectl';
import { MainNav } from './pages/main-nav';
import { OverviewPage } from './pages/overview-page';

const SANDBOX = 'homeport-sandbox';
const ROOT = resolve(import.meta.dirname, '..');
const run = promisify(execFile);
let homeport: HomeportServer;
let sandboxKubeconfig: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const dead = writeKubeconfig([{ name: 'offline-lab', server: 'https://127.0.0.1:1', user: { token: 'unused' } }]);
  homeport = await startHomeport({
    args: ['--sandbox'],
    env: { KUBECONFIG: dead, DOCKER_HOST: process.env.HOMEPORT_E2E_DOCKER_HOST ?? '' },
  });
  sandboxKubeconfig = join(homeport.dataDir, 'sandbox.kubeconfig');
  // A deployed stack, with the CLI as a user would script it (the Deploy screen has its own specs).
  const work = mkdtempSync(join(tmpdir(), 'homeport-e2e-overview-'));
  const values = join(work, 'values.yaml');
  writeFileSync(values, 'nfs:\n  server: 10.0.0.20\n  path: /srv/media\n');
  await run(
    process.execPath,
    [
      join(ROOT, 'bin', 'homeport.js'),
      ...['deploy', 'revenge', '--context', SANDBOX, '--namespace', 'revenge', '--values', values, '--yes'],
      ...['--timeout', '60s', '--data-dir', join(work, 'cli-data')],
    ],
    { env: { ...process.env, KUBECONFIG: sandboxKubeconfig, DOCKER_HOST: '' }, timeout: 80_000 },
  );
});

test.afterAll(async () => {
  await homeport?.close();
});

test('the overview shows every context and endpoint; the dead one is unreachable at once, in one line', async ({
  page,
}) => {
  const overview = new OverviewPage(page);
  await page.goto(homeport.url);
  const opened = Date.now();
  await overview.open();
  // The first nav item.
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link').first()).toHaveText('Overview');

  const dead = overview.card('kubernetes', 'offline-lab');
  await expect(overview.state(dead)).toHaveText('Unreachable', { timeout: 5000 });
  expect(Date.now() - opened).toBeLessThan(5000);
  await expect(dead.getByTestId('overview-error')).toContainText('127.0.0.1:1');
  const errorBox = await dead.getByTestId('overview-error').boundingBox();
  expect(errorBox?.height ?? 0).toBeLessThan(24);

  const sandbox = overview.card('kubernetes', SANDBOX);
  await expect(overview.state(sandbox)).toHaveText('Reachable');
  await expect(sandbox).toContainText('simulated');
  await expect(sandbox.getByTestId('overview-version')).toHaveText(/^v1\.\d+/);
  await expect(sandbox.getByTestId('overview-nodes')).toHaveText(/^(\d+)\/\1 ready$/);
  await expect(sandbox.getByTestId('overview-pods')).toHaveText(/^\d+\/\d+ ready/);
  await expect(sandbox.getByTestId('overview-warnings')).toHaveText(/^\d+$/);
  const stack = sandbox.locator('[data-stack="revenge"]');
  await expect(stack).toContainText('in revenge');
  await expect(stack).toContainText('Healthy');

  const engine = overview.card('swarm', 'env');
  await expect(overview.state(engine)).toHaveText('Reachable', { timeout: 10_000 });
  await expect(engine.getByTestId('overview-version')).toHaveText(/^\d+\.\d+/);
  await expect(engine.getByTestId('overview-nodes')).toHaveText('1/1 ready');
  await expect(engine.getByTestId('overview-tasks')).toContainText('ready');
});

test('every screen opens from the sidebar; only the first screen loads with the page', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });
  const screenChunks = () => scripts.filter((p) => /\/assets\/[A-Za-z]+Screen-[^/]+\.js$/.test(p));
  const nav = new MainNav(page);
  await page.goto(homeport.url);
  await expect(nav.heading('Connections')).toBeVisible();
  // Connections, the first screen, comes with the page; no other screen's code does.
  expect(screenChunks()).toEqual([]);

  const labels = await nav.links().allTextContents();
  expect(labels.length).toBeGreaterThan(10);
  for (const label of labels.filter((l) => l !== 'Connections')) {
    await nav.open(label);
    expect(
      screenChunks().some((p) => p.includes(`/${label}Screen-`)),
      `${label} screen's code fetched`,
    ).toBe(true);
  }
  await nav.open('Connections');
  await expect(page.getByTestId('screen-loading')).toHaveCount(0);
});

test('a screen whose code cannot be fetched says so in its place; the sidebar still works', async ({ page }) => {
  // As when `homeport serve` was upgraded or stopped after the page was opened.
  await page.route('**/assets/BackupsScreen-*.js', (r) => r.abort());
  const nav = new MainNav(page);
  await page.goto(homeport.url);
  await expect(nav.heading('Connections')).toBeVisible();
  await nav.link('Backups').click();
  await expect(page.getByTestId('screen-error')).toContainText('This screen could not be shown');
  await expect(page.getByTestId('screen-error')).toContainText('Reload the page');
  await nav.open('Storage');
  await expect(page.getByTestId('screen-error')).toHaveCount(0);
});

test('while the connection list is on its way, the screens say it is loading, not that there is no cluster', async ({
  page,
}) => {
  // Slow answers (a kubeconfig on a network share, a busy main process) held until released: the
  // contexts, and the Docker endpoints (the stack screens act on either).
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route(/\/api\/invoke\/(clusters%3AlistContexts|docker%3AlistEndpoints)$/, async (route) => {
    await held;
    await route.continue();
  });
  const nav = new MainNav(page);
  await page.goto(homeport.url);
  await page.goto(`${homeport.origin}/#deploy`);
  const loading = page.getByTestId('connections-loading');
  const none = page.getByText(/^Add a cluster/);
  await expect(loading).toHaveText('Loading connections…');
  await expect(none).toHaveCount(0);
  await nav.link('Pods').click();
  await expect(page).toHaveURL(/#pods$/);
  await expect(loading).toBeVisible();
  await expect(none).toHaveCount(0);
  release();
  await expect(nav.heading('Pods')).toBeVisible();
  await expect(loading).toHaveCount(0);
  await nav.open('Deploy');
  await expect(none).toHaveCount(0);
});

test('a screen named in the URL while the page starts is the screen shown, however late the app listens', async ({
  page,
}) => {
  // The fragment changes after the first render but before the app listens for changes (a test or
  // a user following a link while the page starts): that change's hashchange event has no listener
  // to reach. Modelled here by a change that fires no event, made as the app starts to listen once
  // its first screen is on the page (so the first render read the fragment before the change).
  await page.addInitScript(() => {
    const add = window.addEventListener.bind(window);
    let moved = false;
    window.addEventListener = function (
      type: string,
      listener: EventListenerOrEventListenerObject,
      options?: boolean | AddEventListenerOptions,
    ) {
      if (type === 'hashchange' && !moved && document.querySelector('main h1')) {
        moved = true;
        history.replaceState(null, '', '#storage');
      }
      add(type, listener, options);
    } as typeof window.addEventListener;
  });
  const nav = new MainNav(page);
  await page.goto(homeport.url);
  await expect(nav.heading('Storage')).toBeVisible();
  await expect(page).toHaveURL(/#storage$/);
});

test('a pod that starts crash-looping in the sandbox raises an in-app notification, listed under the bell', async ({
  page,
}) => {
  const overview = new OverviewPage(page);
  await page.goto(homeport.url);
  await overview.open();
  await expect(overview.state(overview.card('kubernetes', SANDBOX))).toHaveText('Reachable');
  await kubectl(sandboxKubeconfig, ['run', 'e2e-crashes', '--image=ghcr.io/example/app:homeport-crash']);
  const toast = overview.toasts().filter({ hasText: 'Pod default/e2e-crashes is crash-looping' });
  await expect(toast).toBeVisible({ timeout: 20_000 });
  await expect(toast).toContainText(`context '${SANDBOX}'`);
  await expect(page.getByTestId('notifications-unread')).toHaveText('1');
  // Still one, however often the sandbox restarts it.
  await page.waitForTimeout(3000);
  await expect(overview.toasts().filter({ hasText: 'e2e-crashes' })).toHaveCount(1);
  await expect(overview.card('kubernetes', SANDBOX).getByTestId('overview-pods')).toContainText('not ready');

  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const [width, height] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: test.info().outputPath(`overview-${width}x${height}-${colorScheme}.png`) });
    }
  }

  const panel = await overview.openBell();
  await expect(panel.getByTestId('notifications-list')).toContainText('Pod default/e2e-crashes is crash-looping');
  await expect(page.getByTestId('notifications-unread')).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('overview-bell-1024x700-dark.png') });

  // A window opened later lists it under the bell without popping it up again.
  const later = await page.context().newPage();
  await later.goto(homeport.url);
  const again = new OverviewPage(later);
  await again.open();
  await expect(later.getByTestId('notifications-bell')).toBeVisible();
  await later.waitForTimeout(1000);
  await expect(again.toasts()).toHaveCount(0);
  const laterPanel = await again.openBell();
  await expect(laterPanel).toContainText('Pod default/e2e-crashes is crash-looping');
});

test('a deployed stack that turns unhealthy raises a notification', async ({ page }) => {
  test.setTimeout(90_000);
  const overview = new OverviewPage(page);
  await page.goto(homeport.url);
  await overview.open();
  const stack = overview.card('kubernetes', SANDBOX).locator('[data-stack="revenge"]');
  await expect(stack).toContainText('Healthy');
  await kubectl(sandboxKubeconfig, [
    ...['set', 'image', 'deployment/revenge', '-n', 'revenge'],
    '*=ghcr.io/example/app:homeport-crash',
  ]);
  // The next check (every 15 s) reads the rollout.
  const toast = overview.toasts().filter({ hasText: 'Stack revenge is unhealthy' });
  await expect(toast).toBeVisible({ timeout: 45_000 });
  await expect(toast).toContainText(`namespace 'revenge' of context '${SANDBOX}'`);
  await expect(stack).toContainText('Failed');
});
