/** Schemas of the readiness scorecard and the metrics dashboards. */
import { z } from 'zod';

/** The six categories of the cluster-readiness scorecard, in its order. */
export const readinessCategories = [
  'state',
  'configuration',
  'discovery',
  'distributed',
  'observability',
  'storage',
] as const;
export type ReadinessCategory = (typeof readinessCategories)[number];
export const categoryTitles: Record<ReadinessCategory, string> = {
  state: 'State management',
  configuration: 'Configuration',
  discovery: 'Service discovery',
  distributed: 'Distributed concerns',
  observability: 'Observability',
  storage: 'Storage',
};

export const verdicts = ['pass', 'warn', 'fail', 'unknown'] as const;
export type Verdict = (typeof verdicts)[number];

/** What a check saw: an object's field and its value, or a query and its answer. */
export const evidenceSchema = z.object({
  /** 'Deployment/web', 'Lease/web-jobs', 'Service shop_web' */
  object: z.string().optional(),
  /** 'spec.template.spec.containers[api].readinessProbe' */
  field: z.string().optional(),
  /** A PromQL query, for checks answered by Prometheus. */
  query: z.string().optional(),
  value: z.string(),
});
export type Evidence = z.infer<typeof evidenceSchema>;

/**
 * A fix Homeport can make itself: a change to the stack's values (deep-merged into the live
 * revision's values), applied through the normal plan-and-apply path.
 */
export const readinessFixSchema = z.object({
  label: z.string(),
  values: z.record(z.string(), z.unknown()),
});
export type ReadinessFix = z.infer<typeof readinessFixSchema>;

export const readinessCheckSchema = z.object({
  id: z.string(),
  title: z.string(),
  category: z.enum(readinessCategories),
  /** How much the check counts within its category (1-5). */
  weight: z.number().int().min(1).max(5),
  verdict: z.enum(verdicts),
  /** One line on what was found. */
  summary: z.string(),
  evidence: z.array(evidenceSchema),
  remediation: z.string(),
  fix: readinessFixSchema.optional(),
});
export type ReadinessCheck = z.infer<typeof readinessCheckSchema>;

export const categoryScoreSchema = z.object({
  category: z.enum(readinessCategories),
  /** Percent over the checks that could be observed (pass = full weight, warn = half); null when none could. */
  score: z.number().nullable(),
  passed: z.number().int(),
  observed: z.number().int(),
  total: z.number().int(),
});
export type CategoryScore = z.infer<typeof categoryScoreSchema>;

export const readinessReportSchema = z.object({
  stack: z.string(),
  /** 'namespace media of context home', 'swarm endpoint nas' */
  target: z.string(),
  generatedAt: z.string(),
  /** Percent over every observable check, weighted. */
  score: z.number().nullable(),
  categories: z.array(categoryScoreSchema),
  checks: z.array(readinessCheckSchema),
  /** Why the live cluster could not be read just now; the rest is the last report that could. */
  error: z.string().optional(),
});
export type ReadinessReport = z.infer<typeof readinessReportSchema>;

export const metricRanges = ['15m', '1h', '6h', '24h', '7d'] as const;
export type MetricRange = (typeof metricRanges)[number];

/** Where metrics come from, as the Metrics screen says it. */
export const metricsSourceSchema = z.object({
  kind: z.enum(['url', 'discovered', 'metrics-server', 'none']),
  /** 'Prometheus at https://prom.lan (set by you)', 'kube-prometheus-stack: monitoring/prometheus-operated:9090' */
  description: z.string(),
  /** Why the better sources were not used, for the empty state. */
  notes: z.array(z.string()),
});
export type MetricsSource = z.infer<typeof metricsSourceSchema>;

export const seriesSchema = z.object({
  name: z.string(),
  /** [unix seconds, value] */
  points: z.array(z.tuple([z.number(), z.number()])),
});
export type Series = z.infer<typeof seriesSchema>;

export const panelSchema = z.object({
  id: z.string(),
  title: z.string(),
  unit: z.enum(['cores', 'bytes', 'rps', 'ratio', 'seconds', 'count']),
  /** The PromQL behind it (absent for metrics.k8s.io panels). */
  query: z.string().optional(),
  series: z.array(seriesSchema),
  /** Why there is nothing to draw: what is missing. */
  empty: z.string().optional(),
  error: z.string().optional(),
});
export type Panel = z.infer<typeof panelSchema>;

export const dashboardSchema = z.object({
  source: metricsSourceSchema,
  range: z.enum(metricRanges),
  stepSeconds: z.number().int(),
  generatedAt: z.string(),
  panels: z.array(panelSchema),
  /**
   * Why the source could not be queried at all (a dead URL, refused credentials): said once for
   * the screen, not once per panel.
   */
  error: z.string().optional(),
});
export type Dashboard = z.infer<typeof dashboardSchema>;

/** The user's Prometheus for a context (credentials are stored apart, encrypted). */
export const prometheusSettingsSchema = z.object({
  url: z.string().optional(),
  auth: z.enum(['none', 'basic', 'bearer']),
  username: z.string().optional(),
  /** A CA file for a Prometheus behind a private CA. */
  caFile: z.string().optional(),
  hasSecret: z.boolean(),
});
export type PrometheusSettings = z.infer<typeof prometheusSettingsSchema>;

/** What testing Prometheus settings before saving them found. */
export const prometheusTestSchema = z.object({
  ok: z.boolean(),
  /** 'Prometheus 2.53 at https://prom.lan answered in 42 ms', or what failed and what to check. */
  message: z.string(),
});
export type PrometheusTest = z.infer<typeof prometheusTestSchema>;
