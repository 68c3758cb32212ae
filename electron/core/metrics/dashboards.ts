/**
 * The Metrics screen's dashboard of one stack: cluster and per-pod CPU and memory, then the panels
 * the stack brings in its signals (its own metric names and PromQL). The stack's pods are found
 * through owner references (Deployments and StatefulSets labelled with the stack, their
 * ReplicaSets, the pods they own), never by name prefix.
 */
import type { Dashboard, MetricRange, MetricsSource, Panel, Series } from '@shared/readiness-schemas';
import { errorMessage } from '../errors';
import type { KubeGateway } from '../kube/kube-gateway';
import type { DashboardPanel } from '../stacks/signals';
import { STACK_LABEL, type StackCatalog, type StackKnowledge } from '../stacks/types';
import { discoverMetrics, type Discovery } from './discovery';
import { PrometheusError, type PrometheusClient } from './prometheus-client';
import type { MetricsSettingsStore, PrometheusSettingsInput } from './settings';
import { testPrometheusSettings } from './test-settings';

type Gateway = Pick<KubeGateway, 'getJson' | 'listAll' | 'server'>;

/** The span of each range and its step: 60 to 340 points a series. */
export const RANGES: Record<MetricRange, { seconds: number; stepSeconds: number }> = {
  '15m': { seconds: 15 * 60, stepSeconds: 15 },
  '1h': { seconds: 3600, stepSeconds: 30 },
  '6h': { seconds: 6 * 3600, stepSeconds: 120 },
  '24h': { seconds: 24 * 3600, stepSeconds: 300 },
  '7d': { seconds: 7 * 24 * 3600, stepSeconds: 1800 },
};

interface Owned {
  metadata: {
    name: string;
    uid?: string;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
  };
  status?: { phase?: string };
}

/** Pods of the stack: owned by its StatefulSets, or by ReplicaSets owned by its Deployments. */
export async function stackPods(gateway: Gateway, namespace: string, stack: string): Promise<string[]> {
  const ns = encodeURIComponent(namespace);
  const selector = `labelSelector=${encodeURIComponent(`${STACK_LABEL}=${stack}`)}`;
  const [deployments, statefulSets, replicaSets, pods] = await Promise.all([
    gateway.listAll<Owned>(`/apis/apps/v1/namespaces/${ns}/deployments?${selector}`),
    gateway.listAll<Owned>(`/apis/apps/v1/namespaces/${ns}/statefulsets?${selector}`),
    gateway.listAll<Owned>(`/apis/apps/v1/namespaces/${ns}/replicasets`),
    gateway.listAll<Owned>(`/api/v1/namespaces/${ns}/pods`),
  ]);
  const ownedBy = (o: Owned, uids: Set<string>) => (o.metadata.ownerReferences ?? []).some((r) => uids.has(r.uid));
  const deploymentUids = new Set(deployments.items.map((d) => d.metadata.uid ?? ''));
  const ownerUids = new Set([
    ...statefulSets.items.map((s) => s.metadata.uid ?? ''),
    ...replicaSets.items.filter((rs) => ownedBy(rs, deploymentUids)).map((rs) => rs.metadata.uid ?? ''),
  ]);
  ownerUids.delete('');
  return pods.items
    .filter((p) => ownedBy(p, ownerUids))
    .map((p) => p.metadata.name)
    .sort();
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const quote = (s: string) => JSON.stringify(s);

interface QueryDef {
  /** Series name; for a 'by (pod)' query the pod label names each series instead. */
  name: string;
  expr: string;
  fallback?: string;
}
interface PanelDef {
  id: string;
  title: string;
  unit: Panel['unit'];
  queries: QueryDef[];
  byPod?: boolean;
  /** Said when no query returns a series. */
  empty: string;
}

const RATE = '[5m]';

/** The generic CPU and memory panels, then the stack's own. */
export function panelDefs(
  namespace: string,
  pods: string[],
  stack: string,
  stackPanels: readonly DashboardPanel[],
): PanelDef[] {
  const podSel = `namespace=${quote(namespace)},pod=~${quote(`^(${pods.map(escapeRegex).join('|')})$`)},container!=""`;
  const noPods = `No pods of stack ${stack} in namespace ${namespace} (looked through its Deployments and StatefulSets)`;
  return [
    {
      id: 'cluster-cpu',
      title: 'Cluster CPU',
      unit: 'cores',
      queries: [
        {
          name: 'used',
          expr: `sum(rate(node_cpu_seconds_total{mode!="idle"}${RATE}))`,
          fallback: `sum(rate(container_cpu_usage_seconds_total{container!=""}${RATE}))`,
        },
      ],
      empty:
        'node_cpu_seconds_total and container_cpu_usage_seconds_total have no samples: are node-exporter or the kubelets scraped?',
    },
    {
      id: 'cluster-memory',
      title: 'Cluster memory',
      unit: 'bytes',
      queries: [
        {
          name: 'used',
          expr: 'sum(node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes)',
          fallback: 'sum(container_memory_working_set_bytes{container!=""})',
        },
      ],
      empty:
        'node_memory_* and container_memory_working_set_bytes have no samples: are node-exporter or the kubelets scraped?',
    },
    {
      id: 'pod-cpu',
      title: `CPU of ${stack}'s pods`,
      unit: 'cores',
      byPod: true,
      queries: pods.length
        ? [{ name: 'pod', expr: `sum by (pod) (rate(container_cpu_usage_seconds_total{${podSel}}${RATE}))` }]
        : [],
      empty: pods.length
        ? "container_cpu_usage_seconds_total has no samples for these pods: is the kubelets' cAdvisor scraped?"
        : noPods,
    },
    {
      id: 'pod-memory',
      title: `Memory of ${stack}'s pods`,
      unit: 'bytes',
      byPod: true,
      queries: pods.length
        ? [{ name: 'pod', expr: `sum by (pod) (container_memory_working_set_bytes{${podSel}})` }]
        : [],
      empty: pods.length
        ? "container_memory_working_set_bytes has no samples for these pods: is the kubelets' cAdvisor scraped?"
        : noPods,
    },
    ...stackPanels.map((p) => ({ ...p, queries: p.queries.map((q) => ({ ...q })) })),
  ];
}

async function prometheusPanel(
  client: PrometheusClient,
  def: PanelDef,
  start: number,
  end: number,
  step: number,
): Promise<Panel> {
  const base = { id: def.id, title: def.title, unit: def.unit };
  if (def.queries.length === 0) return { ...base, series: [], empty: def.empty };
  const queries: string[] = [];
  try {
    const series: Series[] = [];
    for (const q of def.queries) {
      let expr = q.expr;
      let result = await client.queryRange(expr, start, end, step);
      if (result.length === 0 && q.fallback) {
        expr = q.fallback;
        result = await client.queryRange(expr, start, end, step);
      }
      queries.push(expr);
      for (const r of result)
        if (r.values.length) series.push({ name: def.byPod ? (r.metric.pod ?? q.name) : q.name, points: r.values });
    }
    const query = queries.join('\n');
    return series.length ? { ...base, query, series } : { ...base, query, series, empty: def.empty };
  } catch (err) {
    return {
      ...base,
      query: [...queries, def.queries[queries.length]?.expr].filter(Boolean).join('\n'),
      series: [],
      error: errorMessage(err),
    };
  }
}

/** Kubernetes quantities as metrics-server writes them: '12345n', '5m', '2' cores; '1234Ki', '5Mi' bytes. */
export function parseQuantity(q: string): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  const f: Record<string, number> = {
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    '': 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
  };
  const factor = f[m[2] ?? ''];
  return factor === undefined ? Number.NaN : n * factor;
}

interface UsageList {
  items?: {
    metadata: { name: string };
    timestamp?: string;
    usage?: { cpu?: string; memory?: string };
    containers?: { usage?: { cpu?: string; memory?: string } }[];
  }[];
}

async function metricsServerPanels(
  gateway: Gateway,
  defs: PanelDef[],
  namespace: string,
  pods: string[],
): Promise<Panel[]> {
  const needs = 'needs Prometheus: metrics-server only has the current CPU and memory';
  const now = Math.floor(Date.now() / 1000);
  const point = (ts: string | undefined, v: number): [number, number] => [
    ts ? Math.floor(Date.parse(ts) / 1000) : now,
    v,
  ];
  let podList: UsageList | undefined;
  let nodeList: UsageList | undefined;
  let podErr: string | undefined;
  let nodeErr: string | undefined;
  try {
    podList = await gateway.getJson<UsageList>(
      `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods`,
    );
  } catch (err) {
    podErr = errorMessage(err);
  }
  try {
    nodeList = await gateway.getJson<UsageList>('/apis/metrics.k8s.io/v1beta1/nodes');
  } catch (err) {
    nodeErr = errorMessage(err);
  }
  const wanted = new Set(pods);
  const podSeries = (res: 'cpu' | 'memory'): Series[] =>
    (podList?.items ?? [])
      .filter((i) => wanted.has(i.metadata.name))
      .map((i) => ({
        name: i.metadata.name,
        points: [
          point(
            i.timestamp,
            (i.containers ?? []).reduce((s, c) => s + parseQuantity(c.usage?.[res] ?? '0'), 0),
          ),
        ],
      }));
  const clusterSeries = (res: 'cpu' | 'memory'): Series[] =>
    nodeList?.items?.length
      ? [
          {
            name: 'used',
            points: [
              point(
                nodeList.items[0]?.timestamp,
                nodeList.items.reduce((s, n) => s + parseQuantity(n.usage?.[res] ?? '0'), 0),
              ),
            ],
          },
        ]
      : [];
  return defs.map((def) => {
    const base = { id: def.id, title: def.title, unit: def.unit };
    if (def.id === 'cluster-cpu' || def.id === 'cluster-memory') {
      const series = clusterSeries(def.id === 'cluster-cpu' ? 'cpu' : 'memory');
      if (nodeErr) return { ...base, series, error: nodeErr };
      return series.length ? { ...base, series } : { ...base, series, empty: 'metrics-server reports no nodes' };
    }
    if (def.id === 'pod-cpu' || def.id === 'pod-memory') {
      if (pods.length === 0) return { ...base, series: [], empty: def.empty };
      const series = podSeries(def.id === 'pod-cpu' ? 'cpu' : 'memory');
      if (podErr) return { ...base, series, error: podErr };
      return series.length
        ? { ...base, series }
        : { ...base, series, empty: "metrics-server reports none of the stack's pods yet (are they running?)" };
    }
    return { ...base, series: [], empty: needs };
  });
}

export interface DashboardRequest {
  context: string;
  namespace: string;
  stack: string;
  range: MetricRange;
}

/** The panels a stack brings (none for a stack the catalog does not know). */
export type StackPanels = Pick<StackCatalog, 'has'> & Pick<StackKnowledge, 'signals'>;

/** Builds the dashboard from a source already discovered. */
export async function buildDashboard(
  req: DashboardRequest & {
    gateway: Gateway;
    discovery: Discovery;
    /** The stack's own panels, from its signals. */
    panels: readonly DashboardPanel[];
    now?: number;
  },
): Promise<Dashboard> {
  const { gateway, discovery, range } = req;
  const { seconds, stepSeconds } = RANGES[range];
  const source: MetricsSource = { ...discovery.source, notes: [...discovery.source.notes] };
  const generatedAt = new Date().toISOString();
  let pods: string[] = [];
  let podsError: string | undefined;
  if (source.kind !== 'none') {
    try {
      pods = await stackPods(gateway, req.namespace, req.stack);
    } catch (err) {
      podsError = `Could not find the pods of stack ${req.stack}: ${errorMessage(err)}`;
      source.notes.push(podsError);
    }
  }
  const defs = panelDefs(req.namespace, pods, req.stack, req.panels);
  let panels: Panel[];
  if (discovery.client) {
    // The range ends now (not at a step boundary) so the newest samples are always drawn.
    const end = Math.round((req.now ?? Date.now() / 1000) * 1000) / 1000;
    const start = end - seconds;
    const client = discovery.client;
    // One query first: a Prometheus that cannot be reached at all is one error for the screen,
    // not the same error in every panel.
    const dead = await client.query('vector(1)').then(
      () => undefined,
      (err: unknown) => (err instanceof PrometheusError && err.reason !== 'bad-query' ? err : undefined),
    );
    if (dead) {
      const empty = `No data: ${client.describe} could not be queried (see above).`;
      panels = defs.map((d) => ({ id: d.id, title: d.title, unit: d.unit, series: [], empty }));
      return { source, range, stepSeconds, generatedAt, panels, error: dead.message };
    }
    panels = await Promise.all(defs.map((d) => prometheusPanel(client, d, start, end, stepSeconds)));
  } else if (source.kind === 'metrics-server') {
    panels = await metricsServerPanels(gateway, defs, req.namespace, pods);
  } else {
    const why = [source.description, ...source.notes].join(' ');
    panels = defs.map((d) => ({ id: d.id, title: d.title, unit: d.unit, series: [], empty: why }));
  }
  if (podsError)
    panels = panels.map((p) =>
      p.id === 'pod-cpu' || p.id === 'pod-memory' ? { ...p, series: [], empty: undefined, error: podsError } : p,
    );
  return { source, range, stepSeconds, generatedAt, panels };
}

export interface MetricsServiceDeps {
  settings: MetricsSettingsStore;
  /** The gateway of a kube context (shared with the rest of Homeport; not closed here). */
  gatewayFor(context: string): Promise<Gateway>;
  /** The stacks' own dashboard panels. */
  stacks: StackPanels;
}

/** Discovery and dashboards for any context, with the user's settings. */
export function createMetricsService(deps: MetricsServiceDeps) {
  async function discover(context: string, namespace?: string): Promise<Discovery> {
    const gateway = await deps.gatewayFor(context);
    return discoverMetrics({ context, gateway, configured: await deps.settings.resolve(context), namespace });
  }
  return {
    settings: deps.settings,
    async source(context: string): Promise<MetricsSource> {
      const d = await discover(context);
      d.client?.close();
      return d.source;
    },
    /**
     * The Prometheus the Metrics screen uses for a context (the user's URL, else one found in the
     * cluster), as one-shot instant queries; undefined when there is none.
     */
    async querier(
      context: string,
    ): Promise<{ query(promql: string): Promise<{ value: number; labels: Record<string, string> }[]> } | undefined> {
      const client = (await discover(context)).client;
      if (!client) return undefined;
      return {
        async query(promql) {
          try {
            return (await client.query(promql)).map((s) => ({ value: s.value[1], labels: s.metric }));
          } finally {
            client.close();
          }
        },
      };
    },
    /** Queries the Prometheus these settings name, without saving them. */
    testSettings: (context: string, input: PrometheusSettingsInput) =>
      testPrometheusSettings(deps.settings, context, input),
    async dashboard(req: DashboardRequest): Promise<Dashboard> {
      const gateway = await deps.gatewayFor(req.context);
      const discovery = await discover(req.context, req.namespace);
      try {
        const panels = deps.stacks.has(req.stack) ? deps.stacks.signals(req.stack).dashboard : [];
        return await buildDashboard({ ...req, gateway, discovery, panels });
      } finally {
        discovery.client?.close();
      }
    },
  };
}
export type MetricsService = ReturnType<typeof createMetricsService>;
