/**
 * Many clusters at once: five contexts of 10,000 pods each plus one that accepts connections and
 * never answers, in one Homeport (web mode, Chromium). The overview counts every cluster's pods
 * while the Pods screen shows one. Each cluster's time from its first list request to its full
 * count is set against its floor: the raw paged list of that cluster, taken while the four others
 * are listed at once too (the five servers share the benchmark's process and the two cores, for
 * the floor as for Homeport). One cluster alone is measured the same way, against its floor
 * alone. Then event → DOM latency while all five churn, and the main process's memory.
 * HOMEPORT_BENCH_CLUSTER_PODS changes the size of each cluster.
 */
import { expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKubeServer } from '../electron/core/kube/testing/fake-kube-server';
import { startHomeport, type HomeportServer } from '../e2e/env/homeport-server';
import {
  type FakeServer,
  firstListAt,
  latency,
  podName,
  putOwners,
  rawList,
  TOKEN,
  whenText,
  withRestarts,
} from './lib/live';
import { AT_REST_MS, percentile, printTable, ratio, rssMb, writeBenchKubeconfig } from './lib/measure';

const PODS = Number(process.env.HOMEPORT_BENCH_CLUSTER_PODS ?? 10_000);
const CLUSTERS = ['c1', 'c2', 'c3', 'c4', 'c5'];
const DEAD = 'dead';

let servers: FakeServer[] = [];
let blackhole: net.Server;
const held = new Set<net.Socket>();

test.beforeAll(async () => {
  servers = await Promise.all(CLUSTERS.map(() => startFakeKubeServer({ token: TOKEN })));
  for (const api of servers) {
    for (let i = 0; i < PODS; i++) api.putQuietly('pods', withRestarts(podName(i), 0));
    putOwners(api, PODS);
  }
  // A cluster that takes the connection and never says a word: the worst a slow one can do.
  blackhole = net.createServer((socket) => {
    held.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => held.delete(socket));
  });
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', () => r()));
});

test.afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => blackhole?.close(r));
  await Promise.all(servers.map((s) => s.close()));
});

function kubeconfig(names: string[]): string {
  const port = (blackhole.address() as net.AddressInfo).port;
  const entries = names.map((name) =>
    name === DEAD
      ? { name, url: `http://127.0.0.1:${port}`, token: TOKEN }
      : { name, url: (servers[CLUSTERS.indexOf(name)] as FakeServer).url, token: TOKEN },
  );
  return writeBenchKubeconfig(join(mkdtempSync(join(tmpdir(), 'homeport-bench-many-')), 'kubeconfig'), entries);
}

const card = (name: string) => `[data-target="kubernetes/${name}"] [data-testid="overview-pods"]`;

/** The median of three raw lists of each of these servers, all listed at once (after one round to warm up). */
async function floors(apis: FakeServer[]): Promise<number[]> {
  await Promise.all(apis.map((api) => rawList(api)));
  const rounds: number[][] = [];
  for (let r = 0; r < 3; r++) rounds.push((await Promise.all(apis.map((api) => rawList(api)))).map((l) => l.ms));
  return apis.map((_, i) =>
    percentile(
      rounds.map((round) => round[i] ?? NaN),
      50,
    ),
  );
}

test(`five clusters of ${PODS} pods and a dead one`, async ({ page }) => {
  test.setTimeout(300_000);
  const figures: Record<string, string>[] = [];
  let homeport: HomeportServer | undefined;
  try {
    // One cluster alone, against its floor alone.
    const [floorAlone = NaN] = await floors(servers.slice(0, 1));
    homeport = await startHomeport({ env: { KUBECONFIG: kubeconfig(['c1']) } });
    let started = Date.now();
    await page.goto(homeport.url);
    let full = await whenText(page, card('c1'), new RegExp(`^${PODS}/${PODS} ready`));
    await page.goto(`${homeport.origin}/#overview`);
    const aloneAt = await full();
    const alone = aloneAt - started;
    const aloneData = aloneAt - firstListAt(servers[0] as FakeServer, started);
    await homeport.close();

    const floorsTogether = await floors(servers);

    homeport = await startHomeport({ env: { KUBECONFIG: kubeconfig([...CLUSTERS, DEAD]) } });
    // The baseline is the process at rest: what loading its code grew is given back at the
    // settler's first quiet look (see memory-settler.ts), not at start.
    await page.waitForTimeout(AT_REST_MS);
    const rssBefore = rssMb(homeport.pid) ?? NaN;
    started = Date.now();
    await page.goto(homeport.url);
    const fulls = await Promise.all(
      CLUSTERS.map((name) => whenText(page, card(name), new RegExp(`^${PODS}/${PODS} ready`))),
    );
    await page.goto(`${homeport.origin}/#overview`);
    const ats = await Promise.all(fulls.map((f) => f()));
    const times = ats.map((at) => at - started);
    const data = ats.map((at, i) => at - firstListAt(servers[i] as FakeServer, started));
    // The dead cluster is said to be unreachable, in its own card, while the others carry on.
    await expect(page.locator(`[data-target="kubernetes/${DEAD}"] [data-testid="overview-state"]`)).toHaveText(
      'Unreachable',
      { timeout: 30_000 },
    );

    // The Pods screen of one cluster while every cluster churns at 200 events/s.
    full = await whenText(page, '[data-testid="pod-count"]', new RegExp(`^${PODS} pods$`));
    started = Date.now();
    await page.goto(`${homeport.origin}/#pods`);
    const podsMs = (await full()) - started;
    const lat = await latency(page, servers[0] as FakeServer, PODS, 200, 1_000_000, 'pods', servers.slice(1));
    const rssAfter = rssMb(homeport.pid) ?? NaN;
    // Again after 15 s without events, once the memory settler has given back what the bursts grew.
    await page.waitForTimeout(15_000);
    const rssSettled = rssMb(homeport.pid) ?? NaN;

    figures.push({
      cluster: 'c1 alone',
      'raw list (floor)': `${floorAlone} ms`,
      'first list request → overview count': ratio(aloneData, floorAlone),
      'load → overview count': `${alone} ms`,
    });
    for (const [i, name] of CLUSTERS.entries()) {
      figures.push({
        cluster: `${name} of five`,
        'raw list (floor)': `${floorsTogether[i]} ms (all five at once)`,
        'first list request → overview count': ratio(data[i] ?? NaN, floorsTogether[i] ?? NaN),
        'load → overview count': `${times[i]} ms`,
      });
    }
    printTable(`Homeport with ${CLUSTERS.length} clusters of ${PODS} pods and one that never answers`, figures);
    printTable('The Pods screen of c1 among them', [
      {
        'open → full table (warm)': `${podsMs} ms`,
        'event → DOM p50/p95 @200/s per cluster (1,000/s in all)': `${lat.p50}/${lat.p95} ms`,
        'main RSS growth (busy/15 s later)': `${(rssAfter - rssBefore).toFixed(0)}/${(rssSettled - rssBefore).toFixed(0)} MB for ${CLUSTERS.length * PODS} pods`,
      },
    ]);
    // No cluster waits for the dead one: each is counted within a few times one cluster alone
    // (the five share two cores), never after the dead one's time limit.
    for (const t of times) expect(t).toBeLessThan(Math.max(5 * alone, 5_000));
  } finally {
    await homeport?.close();
  }
});
