/**
 * Finding the metrics of a context, best source first: the Prometheus the user set; a Prometheus
 * of a common install found as a Service through the API server and verified with a query of
 * `up` through the Service proxy; metrics-server (metrics.k8s.io, shipped by k3s); or nothing,
 * with notes saying what was tried.
 */
import type { MetricsSource } from '@shared/readiness-schemas';
import { errorMessage } from '../errors';
import type { KubeGateway } from '../kube/kube-gateway';
import { createPrometheusClient, type PrometheusClient } from './prometheus-client';
import type { ResolvedPrometheus } from './settings';

type Gateway = Pick<KubeGateway, 'getJson' | 'listAll' | 'server'>;

export interface Discovery {
  source: MetricsSource;
  /** Set for kinds 'url' and 'discovered'. */
  client?: PrometheusClient;
}

interface ServiceObject {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: { ports?: { name?: string; port: number }[] };
}

export interface PrometheusCandidate {
  namespace: string;
  service: string;
  port: number;
  /** 'kube-prometheus-stack', 'prometheus-community Helm chart', 'plain Prometheus' */
  install: string;
  rank: number;
}

const hasPort = (s: ServiceObject, port: number) => (s.spec?.ports ?? []).some((p) => p.port === port);

/** The Services of the common Prometheus installs, best guess first. */
export function prometheusCandidates(services: ServiceObject[]): PrometheusCandidate[] {
  const out: PrometheusCandidate[] = [];
  for (const s of services) {
    const name = s.metadata.name;
    const namespace = s.metadata.namespace ?? 'default';
    const l = s.metadata.labels ?? {};
    const promLabelled =
      l['app.kubernetes.io/name'] === 'prometheus' || l['operated-prometheus'] === 'true' || l.app === 'prometheus';
    if (name === 'prometheus-operated' && hasPort(s, 9090))
      out.push({
        namespace,
        service: name,
        port: 9090,
        install: 'kube-prometheus-stack / prometheus-operator',
        rank: 0,
      });
    else if (name.endsWith('-kube-prometheus-prometheus') && hasPort(s, 9090))
      out.push({ namespace, service: name, port: 9090, install: 'kube-prometheus-stack', rank: 1 });
    else if (name.endsWith('-prometheus') && promLabelled && hasPort(s, 9090))
      out.push({ namespace, service: name, port: 9090, install: 'prometheus-operator', rank: 2 });
    else if (
      name.endsWith('prometheus-server') &&
      hasPort(s, 80) &&
      (l['app.kubernetes.io/name'] === 'prometheus' || (l.app === 'prometheus' && l.component === 'server'))
    )
      out.push({ namespace, service: name, port: 80, install: 'prometheus-community Helm chart', rank: 3 });
    else if (name === 'prometheus' && hasPort(s, 9090))
      out.push({ namespace, service: name, port: 9090, install: 'plain Prometheus', rank: 4 });
  }
  return out.sort((a, b) => a.rank - b.rank || a.namespace.localeCompare(b.namespace));
}

export async function discoverMetrics(opts: {
  context: string;
  gateway: Gateway;
  /** The user's Prometheus for the context, from the settings. */
  configured?: ResolvedPrometheus;
  /** Where metrics.k8s.io is probed (default: all namespaces). */
  namespace?: string;
  timeoutMs?: number;
}): Promise<Discovery> {
  const { gateway, configured } = opts;
  const notes: string[] = [];
  if (configured) {
    const client = createPrometheusClient({
      kind: 'url',
      url: configured.url,
      auth: configured.auth,
      ca: configured.ca,
      timeoutMs: opts.timeoutMs,
    });
    return { source: { kind: 'url', description: `Prometheus at ${configured.url} (set by you)`, notes }, client };
  }
  notes.push(`No Prometheus URL is set for context '${opts.context}'.`);

  let candidates: PrometheusCandidate[] = [];
  try {
    const { items } = await gateway.listAll<ServiceObject>('/api/v1/services', { timeoutMs: opts.timeoutMs });
    candidates = prometheusCandidates(items);
    if (candidates.length === 0)
      notes.push(
        'No Prometheus Service found (looked for prometheus-operated:9090, *-kube-prometheus-prometheus:9090, prometheus-server:80 and prometheus:9090 in every namespace).',
      );
  } catch (err) {
    notes.push(`Could not list Services to look for Prometheus: ${errorMessage(err)}`);
  }
  for (const c of candidates) {
    const ref = `${c.namespace}/${c.service}:${c.port}`;
    const client = createPrometheusClient({
      kind: 'service',
      gateway,
      namespace: c.namespace,
      service: c.service,
      port: c.port,
      timeoutMs: opts.timeoutMs ?? 5_000,
    });
    try {
      await client.query('up');
      return { source: { kind: 'discovered', description: `${c.install}: ${ref}`, notes }, client };
    } catch (err) {
      notes.push(`Found ${c.install} at ${ref}, but a query of up through the API server failed: ${errorMessage(err)}`);
    }
  }

  const path = opts.namespace
    ? `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(opts.namespace)}/pods`
    : '/apis/metrics.k8s.io/v1beta1/pods';
  try {
    await gateway.getJson<unknown>(`${path}?limit=1`, { timeoutMs: opts.timeoutMs ?? 5_000 });
    return {
      source: {
        kind: 'metrics-server',
        description: 'metrics-server (metrics.k8s.io): current CPU and memory only',
        notes: [...notes, 'Without Prometheus there is no history, no request, latency, cache or job metrics.'],
      },
    };
  } catch (err) {
    const status = (err as { status?: number }).status;
    notes.push(
      status === 404
        ? 'metrics.k8s.io is not served: metrics-server is not installed.'
        : `metrics.k8s.io did not answer: ${errorMessage(err)}`,
    );
  }
  return {
    source: {
      kind: 'none',
      description: 'No metrics source: set a Prometheus URL, or install Prometheus or metrics-server in the cluster',
      notes,
    },
  };
}
