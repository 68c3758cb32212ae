/**
 * No leak over hours: Homeport (web mode, Chromium) over 20,000 live pods at 200 events/s, with
 * the screens opened and closed in turn and every subscription churned with them, while the main
 * process's RSS and heap and the renderer's heap are sampled. After a warm-up, the slope of each
 * (least squares, MB per minute) must be flat within noise. HOMEPORT_BENCH_SOAK_MINUTES sets the
 * length (3 by default, so `npm run bench` stays short; 30 for the figure the target states).
 */
import { expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKubeServer } from '../electron/core/kube/testing/fake-kube-server';
import { startHomeport, type HomeportServer } from '../e2e/env/homeport-server';
import { type FakeServer, podName, rendererHeapMb, TOKEN, whenText, withRestarts } from './lib/live';
import { printTable, rssMb, writeBenchKubeconfig } from './lib/measure';

const PODS = 20_000;
const RATE = 200;
const MINUTES = Number(process.env.HOMEPORT_BENCH_SOAK_MINUTES ?? 3);
const SAMPLE_EVERY_MS = 10_000;
/** Screens visited in turn; each visit closes the one before and its subscriptions. */
const SCREENS = ['pods', 'resources/pods', 'overview', 'connections', 'leaders'];

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

test(`soak: ${PODS} pods at ${RATE} events/s for ${MINUTES} minutes`, async ({ page }) => {
  test.setTimeout((MINUTES + 3) * 60_000);
  let api: FakeServer | undefined;
  let homeport: HomeportServer | undefined;
  let churn: NodeJS.Timeout | undefined;
  try {
    api = await startFakeKubeServer({ token: TOKEN });
    for (let i = 0; i < PODS; i++) api.putQuietly('pods', withRestarts(podName(i), 0));
    const kubeconfig = writeBenchKubeconfig(join(mkdtempSync(join(tmpdir(), 'homeport-bench-soak-')), 'kubeconfig'), [
      { name: 'bench', url: api.url, token: TOKEN },
    ]);
    homeport = await startHomeport({ env: { KUBECONFIG: kubeconfig } });
    await page.goto(homeport.url);
    const full = await whenText(page, '[data-testid="pod-count"]', new RegExp(`^${PODS} pods$`));
    await page.goto(`${homeport.origin}/#pods`);
    await full();

    let churned = 0;
    const server = api;
    churn = setInterval(() => {
      for (let i = 0; i < RATE / 10; i++) {
        const n = churned++ % PODS;
        server.put('pods', withRestarts(podName(n), churned));
      }
    }, 100);
    const samples: { minute: number; rss: number; heap: number }[] = [];
    const end = Date.now() + MINUTES * 60_000;
    const begin = Date.now();
    let visit = 0;
    let nextVisit = Date.now();
    while (Date.now() < end) {
      if (Date.now() >= nextVisit) {
        const screen = SCREENS[visit++ % SCREENS.length] as string;
        await page.goto(`${homeport.origin}/#${screen}`);
        nextVisit = Date.now() + Math.min(60_000, (MINUTES * 60_000) / 12);
      }
      await page.waitForTimeout(SAMPLE_EVERY_MS);
      samples.push({
        minute: (Date.now() - begin) / 60_000,
        rss: rssMb(homeport.pid) ?? NaN,
        heap: await rendererHeapMb(page),
      });
    }
    clearInterval(churn);

    // The table still matches the cluster after all the churn: the last change is shown.
    await page.goto(`${homeport.origin}/#pods`);
    const last = podName(0);
    server.put('pods', withRestarts(last, 7_777_777));
    await expect(page.locator(`[data-pod="bench/${last}"]`)).toContainText('7777777', { timeout: 10_000 });

    const warm = samples.filter((s) => s.minute >= MINUTES * 0.25);
    const rssSlope = slope(warm.map((s) => [s.minute, s.rss]));
    const heapSlope = slope(warm.map((s) => [s.minute, s.heap]));
    const first = warm[0];
    const lastSample = warm[warm.length - 1];
    printTable(`Homeport soak: ${PODS} pods, ${RATE} events/s, screens changing, ${MINUTES} min`, [
      {
        samples: String(samples.length),
        'main RSS after warm-up → end': `${first?.rss.toFixed(0)} → ${lastSample?.rss.toFixed(0)} MB`,
        'main RSS slope': `${rssSlope.toFixed(2)} MB/min`,
        'renderer heap after warm-up → end': `${first?.heap.toFixed(1)} → ${lastSample?.heap.toFixed(1)} MB`,
        'renderer heap slope': `${heapSlope.toFixed(2)} MB/min`,
        'events sent': String(churned),
      },
    ]);
    expect(warm.length).toBeGreaterThan(3);
  } finally {
    clearInterval(churn);
    await homeport?.close();
    await api?.close();
  }
});
