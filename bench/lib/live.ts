/**
 * What the live-view benchmarks share: the pods they serve, the floor (a raw paged list), timing a
 * text's arrival in the page, the renderer's heap and CPU profile, and event → DOM latency.
 */
import { expect, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakePod, type FakeObject, startFakeKubeServer } from '../../electron/core/kube/testing/fake-kube-server';
import { percentile } from './measure';

export const LATENCY_SAMPLES = 40;
export const NAMESPACE = 'bench';
export const TOKEN = 'bench';
/** Homeport lists in pages of this size; the floor does the same. */
export const PAGE = 500;

export type FakeServer = Awaited<ReturnType<typeof startFakeKubeServer>>;

export const podName = (i: number) => `media-worker-${String(i).padStart(6, '0')}`;
/** Pods per ReplicaSet in the benchmarks' clusters (each ReplicaSet belongs to a Deployment). */
export const PODS_PER_REPLICA_SET = 100;
const replicaSetOf = (i: number) =>
  `media-worker-${String(Math.floor(i / PODS_PER_REPLICA_SET)).padStart(4, '0')}-7d9c6b5f8`;
const podIndex = (name: string) => Number(/(\d+)$/.exec(name)?.[1] ?? 0);
/** A UUID-shaped uid, unique per kind and name. */
const uidOf = (kind: string, name: string) =>
  `${kind.padEnd(8, '0').slice(0, 8)}-0000-4c1e-9a2b-${[...name]
    .reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 2 ** 48, 7)
    .toString(16)
    .padStart(12, '0')}`;
const at = '2025-01-01T00:00:00Z';
const k = (o: object) => `k:${JSON.stringify(o)}`;

/**
 * A pod as the API server answers for a Deployment's replica on k3s: owned by its ReplicaSet,
 * with the service-account token volume and the two default tolerations the admission plugins
 * add (ServiceAccount, DefaultTolerationSeconds), the conditions and container status the
 * kubelet reports, and managedFields for both writers. About 4 KB of JSON, as real pods are (the
 * benchmark's first pods had only the fields Homeport reads: 0.4 KB, which made the list's
 * parsing, on both sides of the floor, a tenth of a real cluster's).
 * HOMEPORT_BENCH_POD_SHAPE=minimal keeps those small pods, for comparison.
 */
export function withRestarts(name: string, restarts: number): FakeObject {
  if (process.env.HOMEPORT_BENCH_POD_SHAPE === 'minimal') {
    return fakePod(NAMESPACE, name, {
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'main', ready: true, restartCount: restarts, state: { running: { startedAt: 'x' } } },
        ],
      },
    });
  }
  const i = podIndex(name);
  const rs = replicaSetOf(i);
  const rsUid = uidOf('rs', rs);
  const ip = `10.42.${Math.floor(i / 250) % 256}.${(i % 250) + 2}`;
  const node = `node-${(i % 3) + 1}`;
  const hostIp = `192.168.1.${(i % 3) + 11}`;
  const volume = `kube-api-access-${String(i % 100_000).padStart(5, '0')}`;
  const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: at });
  const fieldsOf = (keys: string[]) => Object.fromEntries(keys.map((f) => [`f:${f}`, {}]));
  // k3s runs the controllers and the kubelet in one binary, so both writes carry its name.
  const update = (fieldsV1: object, subresource?: string) => ({
    manager: 'k3s',
    operation: 'Update',
    apiVersion: 'v1',
    time: at,
    fieldsType: 'FieldsV1',
    fieldsV1,
    ...(subresource ? { subresource } : {}),
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${rs}-`,
      namespace: NAMESPACE,
      uid: uidOf('pod', name),
      creationTimestamp: at,
      labels: { app: 'media-worker', 'pod-template-hash': '7d9c6b5f8' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: rsUid, controller: true, blockOwnerDeletion: true },
      ],
      managedFields: [
        update({
          'f:metadata': {
            'f:generateName': {},
            'f:labels': { '.': {}, ...fieldsOf(['app', 'pod-template-hash']) },
            'f:ownerReferences': { '.': {}, [k({ uid: rsUid })]: {} },
          },
          'f:spec': {
            'f:containers': {
              [k({ name: 'main' })]: {
                '.': {},
                ...fieldsOf(['image', 'imagePullPolicy', 'name', 'resources', 'terminationMessagePath']),
                'f:ports': {
                  '.': {},
                  [k({ containerPort: 8096, protocol: 'TCP' })]: {
                    '.': {},
                    ...fieldsOf(['containerPort', 'name', 'protocol']),
                  },
                },
                'f:terminationMessagePolicy': {},
              },
            },
            ...fieldsOf([
              'dnsPolicy',
              'enableServiceLinks',
              'restartPolicy',
              'schedulerName',
              'securityContext',
              'terminationGracePeriodSeconds',
            ]),
          },
        }),
        update(
          {
            'f:status': {
              'f:conditions': Object.fromEntries(
                ['ContainersReady', 'Initialized', 'PodReadyToStartContainers', 'Ready'].map((t) => [
                  k({ type: t }),
                  { '.': {}, ...fieldsOf(['lastProbeTime', 'lastTransitionTime', 'status', 'type']) },
                ]),
              ),
              ...fieldsOf(['containerStatuses', 'hostIP']),
              'f:hostIPs': {},
              'f:phase': {},
              'f:podIP': {},
              'f:podIPs': { '.': {}, [k({ ip })]: { '.': {}, 'f:ip': {} } },
              'f:startTime': {},
            },
          },
          'status',
        ),
      ],
    },
    spec: {
      volumes: [
        {
          name: volume,
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              {
                downwardAPI: {
                  items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
                },
              },
            ],
            defaultMode: 420,
          },
        },
      ],
      containers: [
        {
          name: 'main',
          image: 'ghcr.io/example/media-worker:1.4.2',
          ports: [{ name: 'http', containerPort: 8096, protocol: 'TCP' }],
          resources: {},
          volumeMounts: [{ name: volume, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      nodeName: node,
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: ['not-ready', 'unreachable'].map((t) => ({
        key: `node.kubernetes.io/${t}`,
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      })),
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(
        condition,
      ),
      hostIP: hostIp,
      hostIPs: [{ ip: hostIp }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: at,
      containerStatuses: [
        {
          name: 'main',
          state: { running: { startedAt: at } },
          lastState: {},
          ready: true,
          restartCount: restarts,
          image: 'ghcr.io/example/media-worker:1.4.2',
          imageID:
            'ghcr.io/example/media-worker@sha256:4b7a1c3f0e9d8c2b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b',
          containerID: `containerd://${(i * 2654435761).toString(16).padStart(64, '0').slice(-64)}`,
          started: true,
        },
      ],
      qosClass: 'BestEffort',
    },
  };
}

/**
 * The ReplicaSets (and their Deployments) the pods belong to, so the cluster holds what a real one
 * does (a pod's details name its Deployment through its ReplicaSet; the live list reads neither).
 */
export function putOwners(api: FakeServer, size: number): void {
  for (let g = 0; g * PODS_PER_REPLICA_SET < size; g++) {
    const rs = replicaSetOf(g * PODS_PER_REPLICA_SET);
    const deployment = rs.replace(/-7d9c6b5f8$/, '');
    api.putQuietly('replicasets', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rs,
        namespace: NAMESPACE,
        uid: uidOf('rs', rs),
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: deployment,
            uid: uidOf('deploy', deployment),
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
    });
  }
}

/** When a server got its first pod list request after `since` (`since` itself if none came). */
export function firstListAt(api: FakeServer, since: number): number {
  return api.requests.find((r) => r.resource === 'pods' && !r.watch && r.at >= since)?.at ?? since;
}

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
