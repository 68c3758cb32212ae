/**
 * Metrics against a real Prometheus (Debian's `prometheus` package) scraping a test exporter
 * every second, and the sandbox cluster for pods, owner references, the Service proxy and
 * metrics.k8s.io. The exporter serves the metric names and labels Revenge really exposes
 * (lusoris/revenge internal/infra/observability/metrics.go), where its contract says: the port and
 * path with the 'metrics' role. The dashboard's stack panels are Revenge's own signals.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardSchema, metricRanges } from '@shared/readiness-schemas';
import { loadKubeconfig } from '../clusters/kubeconfig';
import { resolveConnection } from '../kube/kube-connection';
import { createKubeGateway, type KubeGateway } from '../kube/kube-gateway';
import { createSecretStore } from '../secrets/secret-store';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../../sandbox/index';
import { PROXY_TARGET_ANNOTATION } from '../../sandbox/service-proxy';
import { createStackCatalog } from '../stacks/catalog';
import { buildDashboard, createMetricsService, RANGES, stackPods } from './dashboards';
import { discoverMetrics } from './discovery';
import { createPrometheusClient, PrometheusError } from './prometheus-client';
import { createMetricsSettings } from './settings';

const PROMETHEUS = '/usr/bin/prometheus';
const NS = 'revenge';
const catalog = createStackCatalog();
const panels = catalog.signals('revenge').dashboard;
const primary = catalog.signals('revenge').primary;
/** Where Revenge serves its metrics, by its upstream contract. */
const served = (() => {
  const api = catalog.contracts('revenge').find((c) => c.component === primary);
  const e = api?.http.find((h) => h.roles.includes('metrics'));
  if (!e) throw new Error("Revenge's contract lists no metrics endpoint");
  return e;
})();
let sandbox: Sandbox;
let gateway: KubeGateway;
let prometheus: ChildProcess | undefined;
let promUrl = '';
let exporter: http.Server;
let authProxy: http.Server;
let authProxyUrl = '';
let exporterPods: string[] = [];
const started = Date.now();
const dir = mkdtempSync(join(tmpdir(), 'homeport-metrics-'));

/**
 * Revenge's metrics with the labels its code gives them (requests by method, path and status;
 * latency by method and path; cache by cache and layer; jobs by job_type and status), and
 * cAdvisor's container metrics, growing at fixed rates since the start.
 */
function exposition(): string {
  const t = (Date.now() - started) / 1000;
  const route = 'method="GET",path="/api/v1/movies"';
  const lines = [
    '# TYPE revenge_http_requests_total counter',
    `revenge_http_requests_total{${route},status="200"} ${9 * t}`,
    `revenge_http_requests_total{${route},status="500"} ${1 * t}`,
    '# TYPE revenge_http_request_duration_seconds histogram',
    ...(
      [
        ['0.01', 0],
        ['0.025', 2],
        ['0.05', 5],
        ['0.1', 9],
        ['0.25', 9.5],
        ['0.5', 10],
        ['+Inf', 10],
      ] as const
    ).map(([le, r]) => `revenge_http_request_duration_seconds_bucket{${route},le="${le}"} ${r * t}`),
    `revenge_http_request_duration_seconds_sum{${route}} ${0.06 * 10 * t}`,
    `revenge_http_request_duration_seconds_count{${route}} ${10 * t}`,
    '# TYPE revenge_cache_hits_total counter',
    `revenge_cache_hits_total{cache="movies",layer="l1"} ${2 * t}`,
    `revenge_cache_hits_total{cache="movies",layer="l2"} ${1 * t}`,
    '# TYPE revenge_cache_misses_total counter',
    `revenge_cache_misses_total{cache="movies",layer="l2"} ${1 * t}`,
    '# TYPE revenge_jobs_enqueued_total counter',
    `revenge_jobs_enqueued_total{job_type="metadata_refresh"} ${2 * t}`,
    '# TYPE revenge_jobs_completed_total counter',
    `revenge_jobs_completed_total{job_type="metadata_refresh",status="success"} ${1.5 * t}`,
    '# TYPE revenge_sessions_active_total gauge',
    'revenge_sessions_active_total 7',
    '# TYPE container_cpu_usage_seconds_total counter',
    ...exporterPods.map(
      (p) => `container_cpu_usage_seconds_total{namespace="${NS}",pod="${p}",container="main"} ${0.1 * t}`,
    ),
    '# TYPE container_memory_working_set_bytes gauge',
    ...exporterPods.map((p) => `container_memory_working_set_bytes{namespace="${NS}",pod="${p}",container="main"} 5e7`),
  ];
  return `${lines.join('\n')}\n`;
}

const listen = (server: http.Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

/** Listens on the contract's metrics port of a random loopback address (127.0.0.0/8), so runs do not collide. */
async function listenOnMetricsPort(server: http.Server): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const host = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 250)}`;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(served.port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return host;
    } catch (err) {
      if (attempt >= 10) throw err;
    }
  }
}

async function freePort(): Promise<number> {
  const s = http.createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (ok(v)) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(`not reached; last: ${String(last instanceof Error ? last.message : JSON.stringify(last))}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const post = (path: string, body: unknown) => gateway.request(path, { method: 'POST', body });
const del = (path: string) => gateway.request(path, { method: 'DELETE' });

function workload(kind: 'Deployment' | 'StatefulSet', name: string, stack?: string) {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: NS, labels: stack ? { 'homeport.dev/stack': stack } : {} },
    spec: {
      replicas: kind === 'Deployment' ? 2 : 1,
      ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
      },
    },
  };
}

function promService(namespace: string, name: string, port: number, target?: string) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/name': 'prometheus', 'operated-prometheus': 'true' },
      annotations: target ? { [PROXY_TARGET_ANNOTATION]: target } : {},
    },
    spec: { ports: [{ name: 'web', port, targetPort: 9090 }], selector: { 'app.kubernetes.io/name': 'prometheus' } },
  };
}

beforeAll(async () => {
  if (!existsSync(PROMETHEUS))
    throw new Error(
      `${PROMETHEUS} is missing: install Prometheus with 'apt-get install prometheus' to run these tests`,
    );
  exporter = http.createServer((req, res) => {
    // Only the metrics path answers, as on the real program's observability server.
    if (req.url !== served.path) {
      res.writeHead(404);
      return res.end('404 page not found\n');
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(exposition());
  });
  const exporterHost = await listenOnMetricsPort(exporter);
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: revenge',
      `    metrics_path: ${served.path}`,
      `    static_configs: [{ targets: ['${exporterHost}:${served.port}'] }]`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  prometheus.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));

  // Basic auth in front of the test Prometheus, as a reverse proxy would put it.
  authProxy = http.createServer((req, res) => {
    if (req.headers.authorization !== `Basic ${Buffer.from('grafana:s3cret-pass').toString('base64')}`) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="prometheus"' });
      return res.end('Unauthorized');
    }
    const up = http.request(`${promUrl}${req.url}`, { method: req.method }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    up.end();
  });
  authProxyUrl = `http://127.0.0.1:${await listen(authProxy)}`;

  sandbox = await startSandbox({ speed: 0.05 });
  const kubeconfig = join(dir, 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  gateway = createKubeGateway(
    await resolveConnection(await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]), SANDBOX_CONTEXT),
  );
  for (const ns of [NS, 'monitoring'])
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await post(`/apis/apps/v1/namespaces/${NS}/deployments`, workload('Deployment', primary, 'revenge'));
  await post(`/apis/apps/v1/namespaces/${NS}/statefulsets`, workload('StatefulSet', 'postgres', 'revenge'));
  // Decoys: a bare pod and another stack's Deployment, both named like the stack's pods.
  await post(`/apis/apps/v1/namespaces/${NS}/deployments`, workload('Deployment', `${primary}-shadow`, 'other'));
  await post(`/api/v1/namespaces/${NS}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${primary}-decoy`, namespace: NS, labels: { app: primary } },
    spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
  });
  const pods = await until(
    async () =>
      (
        await gateway.listAll<{ metadata: { name: string }; status?: { phase?: string } }>(
          `/api/v1/namespaces/${NS}/pods`,
        )
      ).items,
    (items) => items.length === 6 && items.every((p) => p.status?.phase === 'Running'),
  );
  exporterPods = pods.map((p) => p.metadata.name);

  const client = createPrometheusClient({ kind: 'url', url: promUrl });
  try {
    await until(
      () => client.query('up'),
      (r) => r.length === 1 && r[0]?.value[1] === 1,
    );
    // rate() needs two samples.
    await until(
      () => client.query('sum(rate(revenge_http_requests_total[5m]))'),
      (r) => (r[0]?.value[1] ?? 0) > 0,
    );
    // A few more scrapes, so every range ending now has rates at its last step.
    await until(
      () => client.query('count_over_time(up[1m])'),
      (r) => (r[0]?.value[1] ?? 0) >= 5,
    );
  } catch (err) {
    throw new Error(`Prometheus did not come up: ${String(err)}\n${stderr}`, { cause: err });
  } finally {
    client.close();
  }
}, 90_000);

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  gateway?.close();
  await sandbox?.close();
  await new Promise((r) => (exporter ? exporter.close(r) : r(undefined)));
  await new Promise((r) => (authProxy ? authProxy.close(r) : r(undefined)));
});

describe('metrics with a real Prometheus', () => {
  it('finds the stack pods through owner references, never by name', async () => {
    const pods = await stackPods(gateway, NS, 'revenge');
    expect(pods).toHaveLength(3);
    expect(pods).toContain('postgres-0');
    expect(pods.filter((p) => p.startsWith(`${primary}-`))).toHaveLength(2);
    expect(pods).not.toContain(`${primary}-decoy`);
    expect(pods.some((p) => p.startsWith(`${primary}-shadow-`))).toBe(false);
  });

  it('builds the dashboard from a Prometheus URL: rates, error share, latency, cache ratio, jobs, per-pod series', async () => {
    const client = createPrometheusClient({ kind: 'url', url: promUrl });
    const discovery = { source: { kind: 'url' as const, description: `Prometheus at ${promUrl}`, notes: [] }, client };
    const board = await buildDashboard({
      context: SANDBOX_CONTEXT,
      namespace: NS,
      stack: 'revenge',
      range: '15m',
      gateway,
      discovery,
      panels,
    });
    client.close();
    expect(dashboardSchema.parse(board)).toEqual(board);
    expect(board.stepSeconds).toBe(15);
    const panel = (id: string) => board.panels.find((p) => p.id === id)!;
    const last = (id: string, name?: string) => {
      const s = name ? panel(id).series.find((x) => x.name === name) : panel(id).series[0];
      return s?.points.at(-1)?.[1] ?? Number.NaN;
    };
    for (const p of board.panels) expect(p.error, p.id).toBeUndefined();
    expect(panel('request-rate').query).toBe('sum(rate(revenge_http_requests_total[5m]))');
    expect(last('request-rate')).toBeGreaterThan(0);
    // rate() divides by the whole 5m window, so a young series reads low; shares and ratios are exact.
    expect(last('error-rate')).toBeCloseTo(0.1, 3);
    const p95 = last('latency', 'p95');
    expect(p95).toBeGreaterThan(0.1);
    // histogram_quantile interpolates in float: allow for rounding at the bucket bound.
    expect(p95).toBeLessThanOrEqual(0.25 + 1e-9);
    expect(last('latency', 'p50')).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(last('cache-hit-ratio')).toBeCloseTo(3 / (3 + 1), 3);
    expect(last('jobs', 'enqueued')).toBeGreaterThan(0);
    expect(last('jobs', 'completed') / last('jobs', 'enqueued')).toBeCloseTo(1.5 / 2, 3);
    expect(last('sessions')).toBe(7);
    expect(last('cluster-cpu')).toBeGreaterThan(0);

    const stack = await stackPods(gateway, NS, 'revenge');
    for (const id of ['pod-cpu', 'pod-memory']) {
      expect(
        panel(id)
          .series.map((s) => s.name)
          .sort(),
      ).toEqual(stack);
      expect(panel(id).query).toContain('container!=""');
      expect(panel(id).query).not.toContain(`${primary}-decoy`);
    }
    expect(last('pod-cpu', 'postgres-0')).toBeGreaterThan(0);
    expect(last('pod-memory', 'postgres-0')).toBe(5e7);
  });

  it('says what is missing when a stack has no pods, and which ranges give which steps', async () => {
    const client = createPrometheusClient({ kind: 'url', url: promUrl });
    const discovery = { source: { kind: 'url' as const, description: 'x', notes: [] }, client };
    const steps: Record<string, number> = {};
    for (const range of metricRanges) {
      const board = await buildDashboard({
        context: SANDBOX_CONTEXT,
        namespace: NS,
        stack: 'nothing',
        range,
        gateway,
        discovery,
        panels,
      });
      steps[range] = board.stepSeconds;
      const points = board.panels.find((p) => p.id === 'request-rate')!.series[0]!.points.length;
      expect(points).toBeLessThanOrEqual(RANGES[range].seconds / RANGES[range].stepSeconds + 1);
      expect(board.panels.find((p) => p.id === 'pod-cpu')!.empty).toMatch(/No pods of stack nothing/);
    }
    expect(steps).toEqual({ '15m': 15, '1h': 30, '6h': 120, '24h': 300, '7d': 1800 });
    for (const r of metricRanges) {
      const n = RANGES[r].seconds / RANGES[r].stepSeconds;
      expect(n).toBeGreaterThanOrEqual(60);
      expect(n).toBeLessThanOrEqual(340);
    }
    // A metric nobody exports: the panel says what to check.
    const empty = await client.queryRange(
      'sum(rate(revenge_nothing_total[5m]))',
      started / 1000,
      Date.now() / 1000,
      15,
    );
    expect(empty).toEqual([]);
    client.close();
  });

  it('classifies failures: bad queries with Prometheus text, auth, unreachable', async () => {
    const direct = createPrometheusClient({ kind: 'url', url: promUrl });
    const bad = await direct.query('sum(rate(').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(PrometheusError);
    expect((bad as PrometheusError).reason).toBe('bad-query');
    expect((bad as PrometheusError).message).toMatch(/parse error/);
    direct.close();

    const noAuth = createPrometheusClient({ kind: 'url', url: authProxyUrl });
    await expect(noAuth.query('up')).rejects.toMatchObject({ reason: 'auth', message: expect.stringMatching(/401/) });
    noAuth.close();
    const withAuth = createPrometheusClient({
      kind: 'url',
      url: authProxyUrl,
      auth: { kind: 'basic', username: 'grafana', password: 's3cret-pass' },
    });
    expect((await withAuth.query('up'))[0]?.value[1]).toBe(1);
    withAuth.close();

    const closed = createPrometheusClient({ kind: 'url', url: `http://127.0.0.1:${await freePort()}` });
    await expect(closed.query('up')).rejects.toMatchObject({
      reason: 'unreachable',
      message: expect.stringMatching(/ECONNREFUSED/),
    });
    closed.close();

    const viaProxy = createPrometheusClient({
      kind: 'service',
      gateway,
      namespace: 'monitoring',
      service: 'nowhere',
      port: 9090,
    });
    await expect(viaProxy.query('up')).rejects.toMatchObject({ reason: 'unreachable' });
  });

  it('discovers prometheus-operated through the API server, then metrics-server, then nothing', async () => {
    await post(
      '/api/v1/namespaces/monitoring/services',
      promService('monitoring', 'prometheus-operated', 9090, promUrl),
    );
    const found = await discoverMetrics({ context: SANDBOX_CONTEXT, gateway });
    expect(found.source).toMatchObject({
      kind: 'discovered',
      description: 'kube-prometheus-stack / prometheus-operator: monitoring/prometheus-operated:9090',
    });
    expect((await found.client!.query('up'))[0]?.value[1]).toBe(1);
    const bad = await found.client!.query('sum(').catch((e: unknown) => e);
    expect(bad).toMatchObject({ reason: 'bad-query' });
    const board = await buildDashboard({
      context: SANDBOX_CONTEXT,
      namespace: NS,
      stack: 'revenge',
      range: '1h',
      gateway,
      discovery: found,
      panels,
    });
    expect(board.stepSeconds).toBe(30);
    expect(board.panels.find((p) => p.id === 'request-rate')!.series[0]!.points.at(-1)![1]).toBeGreaterThan(0);

    // Only metrics-server left; a Prometheus Service without endpoints is reported in the notes.
    await del('/api/v1/namespaces/monitoring/services/prometheus-operated');
    await post('/api/v1/namespaces/monitoring/services', {
      ...promService('monitoring', 'prometheus-server', 80),
      metadata: {
        name: 'prometheus-server',
        namespace: 'monitoring',
        labels: { app: 'prometheus', component: 'server' },
      },
    });
    const ms = await discoverMetrics({ context: SANDBOX_CONTEXT, gateway, namespace: NS });
    expect(ms.source.kind).toBe('metrics-server');
    expect(ms.source.notes.join('\n')).toMatch(/monitoring\/prometheus-server:80.*no endpoints available for service/);
    const msBoard = await buildDashboard({
      context: SANDBOX_CONTEXT,
      namespace: NS,
      stack: 'revenge',
      range: '6h',
      gateway,
      discovery: ms,
      panels,
    });
    expect(dashboardSchema.parse(msBoard)).toEqual(msBoard);
    const stack = await stackPods(gateway, NS, 'revenge');
    for (const id of ['pod-cpu', 'pod-memory']) {
      const panel = msBoard.panels.find((p) => p.id === id)!;
      expect(panel.series.map((s) => s.name).sort()).toEqual(stack);
      for (const s of panel.series) {
        expect(s.points).toHaveLength(1);
        expect(s.points[0]![1]).toBeGreaterThan(0);
      }
    }
    expect(msBoard.panels.find((p) => p.id === 'cluster-cpu')!.series[0]!.points[0]![1]).toBeGreaterThan(0);
    for (const id of ['request-rate', 'error-rate', 'latency', 'cache-hit-ratio', 'jobs'])
      expect(msBoard.panels.find((p) => p.id === id)!.empty).toMatch(/needs Prometheus/);

    sandbox.faults.setMetricsServer(false);
    try {
      const none = await discoverMetrics({ context: SANDBOX_CONTEXT, gateway, namespace: NS });
      expect(none.source.kind).toBe('none');
      const notes = none.source.notes.join('\n');
      expect(notes).toMatch(/No Prometheus URL is set/);
      expect(notes).toMatch(/no endpoints available/);
      expect(notes).toMatch(/metrics-server is not installed/);
      const noneBoard = await buildDashboard({
        context: SANDBOX_CONTEXT,
        namespace: NS,
        stack: 'revenge',
        range: '24h',
        gateway,
        discovery: none,
        panels,
      });
      expect(noneBoard.stepSeconds).toBe(300);
      for (const p of noneBoard.panels) {
        expect(p.series).toEqual([]);
        expect(p.empty).toMatch(/metrics-server is not installed/);
      }
    } finally {
      sandbox.faults.setMetricsServer(true);
      await del('/api/v1/namespaces/monitoring/services/prometheus-server');
    }
  });

  it('keeps settings per context with the secret only in the secret store; the URL wins over discovery', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'homeport-metrics-settings-'));
    const secrets = createSecretStore({ dataDir });
    const settings = createMetricsSettings({ dataDir, secrets });
    expect(await settings.get(SANDBOX_CONTEXT)).toEqual({ auth: 'none', hasSecret: false });
    await expect(settings.set(SANDBOX_CONTEXT, { url: authProxyUrl, auth: 'basic' })).rejects.toThrow(/username/);
    const saved = await settings.set(SANDBOX_CONTEXT, {
      url: authProxyUrl,
      auth: 'basic',
      username: 'grafana',
      secret: 's3cret-pass',
    });
    expect(saved).toEqual({ url: authProxyUrl, auth: 'basic', username: 'grafana', hasSecret: true });
    expect(JSON.stringify(saved)).not.toContain('s3cret-pass');
    const file = readFileSync(join(dataDir, 'metrics-settings.json'), 'utf8');
    expect(file).not.toContain('s3cret-pass');
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).not.toContain('s3cret-pass');
    expect(await secrets.get('metrics/homeport-sandbox/secret')).toBe('s3cret-pass');

    // A discoverable Prometheus is there too, but the user's URL wins.
    await post(
      '/api/v1/namespaces/monitoring/services',
      promService('monitoring', 'prometheus-operated', 9090, promUrl),
    );
    const service = createMetricsService({ settings, gatewayFor: async () => gateway, stacks: catalog });
    const board = await service.dashboard({ context: SANDBOX_CONTEXT, namespace: NS, stack: 'revenge', range: '15m' });
    expect(board.source).toMatchObject({ kind: 'url', description: `Prometheus at ${authProxyUrl} (set by you)` });
    // The generic panels, then the stack's own from its signals; a stack the catalog does not know has none.
    const generic = ['cluster-cpu', 'cluster-memory', 'pod-cpu', 'pod-memory'];
    expect(board.panels.map((p) => p.id)).toEqual([...generic, ...panels.map((p) => p.id)]);
    expect(board.panels.find((p) => p.id === 'latency')?.query).toBe(
      panels
        .find((p) => p.id === 'latency')
        ?.queries.map((q) => q.expr)
        .join('\n'),
    );
    const unknownStack = await service.dashboard({
      context: SANDBOX_CONTEXT,
      namespace: NS,
      stack: 'nothing',
      range: '15m',
    });
    expect(unknownStack.panels.map((p) => p.id)).toEqual(generic);
    expect(board.panels.find((p) => p.id === 'request-rate')!.series[0]!.points.at(-1)![1]).toBeGreaterThan(0);

    // Keeping the stored password when only the URL changes; clearing removes both.
    await settings.set(SANDBOX_CONTEXT, { url: authProxyUrl, auth: 'basic', username: 'grafana' });
    expect((await settings.get(SANDBOX_CONTEXT)).hasSecret).toBe(true);
    await settings.clear(SANDBOX_CONTEXT);
    expect(await secrets.has('metrics/homeport-sandbox/secret')).toBe(false);
    expect((await service.source(SANDBOX_CONTEXT)).kind).toBe('discovered');
    await del('/api/v1/namespaces/monitoring/services/prometheus-operated');
  });
});
