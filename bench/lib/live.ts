/**
 * What the live-view benchmarks share: the pods they serve, the floor (a raw paged list), timing a
 * text's arrival in the page, the renderer's heap and CPU profile, and event → DOM latency.
 */
import { expect, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakePod, startFakeKubeServer } from '../../electron/core/kube/testing/fake-kube-server';
import { percentile } from './measure';

export const LATENCY_SAMPLES = 40;
export const NAMESPACE = 'bench';
export const TOKEN = 'bench';
/** Homeport lists in pages of this size; the floor does the same. */
export const PAGE = 500;

export type FakeServer = Awaited<ReturnType<typeof startFakeKubeServer>>;

export const podName = (i: number) => `media-worker-${String(i).padStart(6, '0')}`;
export const withRestarts = (name: string, restarts: number) =>
  fakePod(NAMESPACE, name, {
    status: {
      phase: 'Running',
      containerStatuses: [
        { name: 'main', ready: true, restartCount: restarts, state: { running: { startedAt: 'x' } } },
      ],
    },
  });

/** The floor: every page of the pod list fetched and parsed in Node, as fast as the server gives them. */
export async function rawList(api: FakeServer): Promise<{ ms: number; count: number }> {
  const started = performance.now();
  let count = 0;
  let cont = '';
  do {
    const res = await fetch(
      `${api.url}/api/v1/pods?limit=${PAGE}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
      {
        headers: { authorization: `Bearer ${TOKEN}` },
      },
    );
    const body = (await res.json()) as { items: unknown[]; metadata: { continue?: string } };
    count += body.items.length;
    cont = body.metadata.continue ?? '';
  } while (cont);
  return { ms: Math.round(performance.now() - started), count };
}

/** Starts a CPU profile of the renderer when profiling; the returned function saves it as NAME.cpuprofile. */
export async function profileRenderer(page: Page, dir: string | undefined, name: string): Promise<() => Promise<void>> {
  if (!dir) return async () => undefined;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    await cdp.detach();
  };
}

/**
 * Timestamps, in the page, the moment an element's text matches (Playwright's own polling would
 * add up to its poll interval); the returned function waits for it and gives Date.now() then.
 */
export async function whenText(page: Page, selector: string, pattern: RegExp): Promise<() => Promise<number>> {
  const key = `${selector}:${pattern.source}`;
  await page.evaluate(
    ({ key, selector, source }) => {
      const marks = ((window as unknown as { __marks?: Record<string, number> }).__marks ??= {});
      const re = new RegExp(source);
      const check = () => {
        const text = document.querySelector(selector)?.textContent ?? '';
        if (marks[key] === undefined && re.test(text)) {
          marks[key] = Date.now();
          observer.disconnect();
        }
      };
      const observer = new MutationObserver(check);
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      check();
    },
    { key, selector, source: pattern.source },
  );
  return async () => {
    const handle = await page.waitForFunction(
      (k) => (window as unknown as { __marks?: Record<string, number> }).__marks?.[k],
      key,
      { timeout: 120_000, polling: 500 },
    );
    return (await handle.jsonValue()) as number;
  };
}

/** The renderer's JS heap after a collection, in MB. */
export async function rendererHeapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize / 1024 / 1024;
}

/**
 * Event → DOM latency on the Pods screen (or the resource browser's pods) under background churn
 * at `rate` events/s: the first row's restart count carries a sequence number; the page
 * timestamps when each reaches the DOM.
 */
const TABLES = {
  pods: { rows: 'pods-rows', row: 'data-pod' },
  resources: { rows: 'resource-rows', row: 'data-row' },
} as const;

export async function latency(
  page: Page,
  api: FakeServer,
  size: number,
  rate: number,
  base: number,
  table: keyof typeof TABLES = 'pods',
  /** Servers whose pods churn too, at the same rate each (other clusters open at once). */
  others: FakeServer[] = [],
) {
  const target = podName(0);
  await page.evaluate(
    ({ podKey, rows, row }) => {
      const seen: Record<string, number> = {};
      (window as unknown as { __seen: Record<string, number> }).__seen = seen;
      // The restarts cell is the fifth in both tables (name, namespace, status, ready, restarts).
      const cell = () => document.querySelector(`[${row}="${podKey}"] span:nth-child(5)`);
      new MutationObserver(() => {
        const text = cell()?.textContent ?? '';
        if (!(text in seen)) seen[text] = Date.now();
      }).observe(document.querySelector(`[data-testid="${rows}"]`) as Node, {
        subtree: true,
        characterData: true,
        childList: true,
      });
    },
    { podKey: `${NAMESPACE}/${target}`, ...TABLES[table] },
  );
  let churned = 0;
  const churn = setInterval(() => {
    for (let i = 0; i < rate / 10; i++) {
      const n = 1 + (churned++ % (size - 1));
      for (const server of [api, ...others]) server.put('pods', withRestarts(podName(n), churned));
    }
  }, 100);
  const sent: Record<string, number> = {};
  for (let i = 1; i <= LATENCY_SAMPLES; i++) {
    const seq = base + i;
    sent[String(seq)] = Date.now();
    api.put('pods', withRestarts(target, seq));
    // Spaced wider than a batch, so most samples are not coalesced away by a newer one.
    await new Promise((r) => setTimeout(r, 150 + Math.random() * 100));
  }
  await page.waitForTimeout(1000);
  clearInterval(churn);
  const seen = await page.evaluate(() => (window as unknown as { __seen: Record<string, number> }).__seen);
  const ms = Object.entries(sent)
    .filter(([n]) => seen[n] !== undefined)
    .map(([n, t]) => (seen[n] ?? 0) - t);
  // A sample may be coalesced into a newer one, but the last must reach the DOM.
  expect(seen[String(base + LATENCY_SAMPLES)], `the last change at ${rate} events/s reached the table`).toBeDefined();
  expect(ms.length).toBeGreaterThan(LATENCY_SAMPLES / 2);
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}
