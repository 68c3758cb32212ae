/**
 * What Goverse tells the generic scorecard, dashboards and leader view, from its source
 * (xiaonanln/goverse at 542b6c71, as in goverse-upstream.ts). Metric names and labels:
 * util/metrics/metrics.go:11-210.
 */
import type { StackSignals } from './signals';

const RATE = '[5m]';
const calls = `sum(rate(goverse_method_calls_total${RATE}))`;
const latency = (q: number) =>
  `histogram_quantile(${q}, sum by (le) (rate(goverse_method_call_duration_bucket${RATE})))`;
const scraped = (metric: string) =>
  `${metric} has no samples: are the nodes' /metrics (8080) and the gates' (9090) scraped?`;

export const goverseSignals: StackSignals = {
  // status is success or error (util/metrics/metrics.go:347). Clients connect to the gates (gate/gateserver/http_handler.go:66-77); the gates hold no state of their own.
  primary: 'gate',
  replicas: { kind: 'many', scale: { replicas: 'gate.replicas' } },
  externalState: [],
  // Persistent objects (server/server.go:79-97).
  database: { component: 'postgres' },
  dashboard: [
    {
      id: 'method-calls',
      title: 'Object method calls',
      unit: 'rps',
      queries: [{ name: 'calls', expr: calls }],
      empty: scraped('goverse_method_calls_total'),
    },
    {
      id: 'method-errors',
      title: 'Failed method calls (share)',
      unit: 'ratio',
      queries: [
        {
          name: 'failed',
          expr: `(sum(rate(goverse_method_calls_total{status="error"}${RATE})) or vector(0)) / ${calls}`,
        },
      ],
      empty: scraped('goverse_method_calls_total'),
    },
    {
      id: 'method-latency',
      title: 'Method call latency',
      unit: 'seconds',
      queries: [
        { name: 'p50', expr: latency(0.5) },
        { name: 'p95', expr: latency(0.95) },
        { name: 'p99', expr: latency(0.99) },
      ],
      empty: scraped('goverse_method_call_duration_bucket'),
    },
    {
      id: 'shards',
      title: 'Shards per node',
      unit: 'count',
      queries: [{ name: 'shards', expr: 'sum by (node) (goverse_shards_total)' }],
      empty: scraped('goverse_shards_total'),
    },
    {
      id: 'gate-clients',
      title: 'Clients on the gates',
      unit: 'count',
      queries: [{ name: 'clients', expr: 'sum(goverse_gate_active_clients)' }],
      empty: scraped('goverse_gate_active_clients'),
    },
  ],
};
