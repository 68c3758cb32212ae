import { expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFakeKubeServer, type FakeKubeServer } from '../electron/core/kube/testing/fake-kube-server';
import { startHomeport } from '../e2e/env/homeport-server';
import { percentile, printTable, writeBenchKubeconfig } from './lib/measure';
import { kb, measureRendererBundle, sum } from './lib/renderer-bundle';

const RUNS = 5;
const RENDERER = resolve(import.meta.dirname, '..', 'out', 'renderer');
/** Every screen but the first (Connections): each must come in its own chunk, loaded when opened. */
const LAZY_SCREENS = [
  'OverviewScreen',
  'PodsScreen',
  'ResourcesScreen',
  'SwarmScreen',
  'LeadersScreen',
  'StorageScreen',
  'DeployScreen',
  'ReadinessScreen',
  'BackupsScreen',
  'MetricsScreen',
];

/** Times in the page, in ms since navigation started: when each first-screen milestone was painted. */
interface PageMarks {
  fcp?: number;
  heading?: number;
  contexts?: number;
}

let api: FakeKubeServer;
let kubeconfig: string;

test.beforeAll(async () => {
  api = await startFakeKubeServer({ token: 'bench' });
  kubeconfig = writeBenchKubeconfig(join(mkdtempSync(join(tmpdir(), 'homeport-bench-')), 'kubeconfig'), [
    { name: 'bench', url: api.url, token: 'bench' },
  ]);
});

test.afterAll(async () => {
  await api?.close();
});

const ms = (n: number) => `${Math.round(n)} ms`;
const spread = (values: number[]) => ({
  median: ms(percentile(values, 50)),
  min: ms(Math.min(...values)),
  max: ms(Math.max(...values)),
});

test('renderer initial bundle: only the first screen loads with the page', () => {
  const bundle = measureRendererBundle(RENDERER);
  const lazyNames = bundle.lazy.map((a) => a.file);
  printTable('Homeport renderer bundle (out/renderer, gzip at the default level)', [
    {
      what: `initial (index.html: ${bundle.initial.length} files)`,
      raw: kb(sum(bundle.initial, 'raw')),
      gzip: kb(sum(bundle.initial, 'gzip')),
    },
    {
      what: `all chunks (${bundle.all.length} files)`,
      raw: kb(sum(bundle.all, 'raw')),
      gzip: kb(sum(bundle.all, 'gzip')),
    },
    ...bundle.initial.map((a) => ({ what: `  initial ${a.file}`, raw: kb(a.raw), gzip: kb(a.gzip) })),
    ...bundle.lazy.slice(0, 5).map((a) => ({ what: `  lazy ${a.file}`, raw: kb(a.raw), gzip: kb(a.gzip) })),
  ]);

  expect(bundle.initial.some((a) => a.file.endsWith('.js'))).toBe(true);
  // Each screen but the first is split off into a chunk of its own, which index.html does not load.
  for (const screen of LAZY_SCREENS) {
    expect(
      lazyNames.some((f) => f.startsWith(`assets/${screen}-`) && f.endsWith('.js')),
      `${screen} in a chunk of its own`,
    ).toBe(true);
  }
  expect(sum(bundle.initial, 'raw')).toBeLessThan(sum(bundle.all, 'raw'));
});

test(`from homeport serve to the first screen painted (${RUNS} runs)`, async ({ browser }) => {
  const steps = {
    'spawn `homeport serve` → URL printed': [] as number[],
    'goto → page HTML received': [] as number[],
    'goto → initial scripts and styles fetched': [] as number[],
    'goto → entry scripts run (DOMContentLoaded)': [] as number[],
    'goto → first contentful paint': [] as number[],
    'goto → Connections heading rendered': [] as number[],
    'goto → kubeconfig contexts listed': [] as number[],
    'goto → heading visible (as Playwright sees it)': [] as number[],
  };

  for (let run = 0; run < RUNS; run++) {
    const spawned = performance.now();
    const homeport = await startHomeport({ env: { KUBECONFIG: kubeconfig, DOCKER_HOST: '' } });
    steps['spawn `homeport serve` → URL printed'].push(performance.now() - spawned);
    // A fresh context each run: nothing cached from the run before.
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.addInitScript(() => {
        const marks: PageMarks = {};
        (window as unknown as { __marks: PageMarks }).__marks = marks;
        // An element is painted in the frame after it appears: a task queued from that frame's
        // animation callback runs once the frame has been drawn.
        const markPainted = (key: 'heading' | 'contexts', selector: string) => {
          const check = () => {
            if (!document.querySelector(selector)) return false;
            requestAnimationFrame(() => setTimeout(() => (marks[key] ??= performance.now())));
            return true;
          };
          const observer = new MutationObserver(() => check() && observer.disconnect());
          observer.observe(document, { childList: true, subtree: true });
        };
        markPainted('heading', '#connections-title');
        markPainted('contexts', '[data-testid="context-row-bench"]');
        new PerformanceObserver((list) => {
          for (const e of list.getEntriesByName('first-contentful-paint')) marks.fcp ??= e.startTime;
        }).observe({ type: 'paint', buffered: true });
      });

      const opened = performance.now();
      await page.goto(homeport.url);
      await expect(page.getByRole('heading', { level: 1, name: 'Connections' })).toBeVisible();
      steps['goto → heading visible (as Playwright sees it)'].push(performance.now() - opened);
      await expect(page.getByTestId('context-row-bench')).toBeVisible();
      const handle = await page.waitForFunction(() => {
        const m = (window as unknown as { __marks: PageMarks }).__marks;
        if (m.fcp === undefined || m.heading === undefined || m.contexts === undefined) return undefined;
        const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
        const assets = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((r) =>
          /\/assets\/[^/]+\.(js|css)$/.test(new URL(r.name).pathname),
        );
        return {
          ...m,
          html: nav?.responseEnd ?? 0,
          assets: Math.max(0, ...assets.map((r) => r.responseEnd)),
          dcl: nav?.domContentLoadedEventEnd ?? 0,
        };
      });
      const t = await handle.jsonValue();
      if (!t) throw new Error('the page recorded no start-up marks');
      steps['goto → page HTML received'].push(t.html);
      steps['goto → initial scripts and styles fetched'].push(t.assets);
      steps['goto → entry scripts run (DOMContentLoaded)'].push(t.dcl);
      steps['goto → first contentful paint'].push(t.fcp ?? 0);
      steps['goto → Connections heading rendered'].push(t.heading ?? 0);
      steps['goto → kubeconfig contexts listed'].push(t.contexts ?? 0);
    } finally {
      await context.close();
      await homeport.close();
    }
  }

  printTable(
    `Homeport start-up, web mode, Chromium (${RUNS} runs; page times from navigation start)`,
    Object.entries(steps).map(([step, values]) => ({ step, ...spread(values) })),
  );
  // Every run painted the first screen: a first contentful paint, the heading and the contexts.
  for (const values of Object.values(steps)) {
    expect(values).toHaveLength(RUNS);
    for (const v of values) expect(v).toBeGreaterThan(0);
  }
});
