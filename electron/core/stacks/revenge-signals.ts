/**
 * What Revenge tells the generic scorecard, dashboards and leader view, with the source of each
 * fact (lusoris/revenge at e102b189; River v0.30.2 as its go.mod pins it; docker-library/postgres at
 * 6edb0a8c, as in revenge-upstream.ts).
 */
import type { StackSignals } from './signals';
import { REVENGE_API_PORT } from './revenge-upstream';

const REVENGE = 'lusoris/revenge@e102b189';
/** The River Revenge builds with (go.mod:64). */
const RIVER = 'riverqueue/river@v0.30.2';
const RATE = '[5m]';
const requests = `sum(rate(revenge_http_requests_total${RATE}))`;
const latency = (q: number) =>
  `histogram_quantile(${q}, sum by (le) (rate(revenge_http_request_duration_seconds_bucket${RATE})))`;
const hits = `sum(rate(revenge_cache_hits_total${RATE}))`;
const misses = `sum(rate(revenge_cache_misses_total${RATE}))`;
const scraped = (metric: string) => `${metric} has no samples: is Revenge's metrics port (9096) scraped?`;

export const revengeSignals: StackSignals = {
  primary: 'revenge',
  replicas: {
    kind: 'one',
    why: 'playback sessions live in the memory of one API process: another replica answers 404 for them',
    ref: `${REVENGE}:internal/playback/hls/handler.go:87`,
  },
  externalState: [
    { setting: 'cache.url', component: 'dragonfly', what: 'cache' },
    { setting: 'database.url', component: 'postgres', what: 'database (sessions)' },
  ],
  objectStorage: {
    setting: 'storage.backend',
    value: 's3',
    endpointSetting: 'storage.s3.endpoint',
    // Avatar URLs are endpoint/bucket/key, loaded by browsers (internal/service/storage/s3.go:167).
    ref: `${REVENGE}:internal/service/user/service.go:346`,
    // Avatar keys are avatars/<user>/<id>.<ext> (internal/service/storage/storage.go:169).
    publicPrefix: 'avatars/',
  },
  database: { component: 'postgres' },
  media: { volume: 'media' },
  requestId: {
    port: REVENGE_API_PORT,
    path: '/healthz',
    header: 'X-Request-ID',
    ref: `${REVENGE}:internal/api/middleware/request_id.go:14`,
  },
  leader: {
    kind: 'postgres-table',
    component: 'postgres',
    // POSTGRES_DB and POSTGRES_USER of the postgres component (revenge-stack.ts).
    database: 'revenge',
    user: 'revenge',
    // River migrates without a schema (rivermigrate.New(..., nil), module.go:55), so its tables go
    // unqualified into the first schema of the connection's search_path (River's
    // rivermigrate/river_migrate.go:548): Revenge's is public,shared,movie,tvshow
    // (docker-compose.prod.yml:8), and public always exists.
    schema: 'public',
    table: 'river_leader',
    // One row (name = 'default', 004_pending_and_more.up.sql:42-45); River deletes it once
    // expires_at is past (river_leader.sql:40-42) and a leader renews it every 5 s with a 15 s TTL
    // (internal/leadership/elector.go:26-28, :538).
    columns: { holder: 'leader_id', since: 'elected_at', expires: 'expires_at' },
    // The postgres image's libpq looks for the server there (Dockerfile:114-116) and trusts local
    // connections: its own entrypoint runs psql over that socket with --no-password
    // (docker-entrypoint.sh:207-212), so Homeport needs, and sends, no password.
    socketDir: '/var/run/postgresql',
    ref: `${REVENGE}:internal/infra/jobs/module.go:54`,
    tableRef: `${RIVER}:riverdriver/riverpgxv5/migration/main/002_initial_schema.up.sql:85`,
  },
  // Metric names: internal/infra/observability/metrics.go:13-126.
  dashboard: [
    {
      id: 'request-rate',
      title: 'Requests',
      unit: 'rps',
      queries: [{ name: 'requests', expr: requests }],
      empty: scraped('revenge_http_requests_total'),
    },
    {
      id: 'error-rate',
      title: 'Server errors (5xx share)',
      unit: 'ratio',
      queries: [
        {
          name: '5xx',
          expr: `(sum(rate(revenge_http_requests_total{status=~"5.."}${RATE})) or vector(0)) / ${requests}`,
        },
      ],
      empty: scraped('revenge_http_requests_total'),
    },
    {
      id: 'latency',
      title: 'Request latency',
      unit: 'seconds',
      queries: [
        { name: 'p50', expr: latency(0.5) },
        { name: 'p95', expr: latency(0.95) },
        { name: 'p99', expr: latency(0.99) },
      ],
      empty: scraped('revenge_http_request_duration_seconds_bucket'),
    },
    {
      id: 'cache-hit-ratio',
      title: 'Cache hit ratio',
      unit: 'ratio',
      queries: [{ name: 'hit ratio', expr: `${hits} / (${hits} + ${misses})` }],
      empty: scraped('revenge_cache_hits_total / revenge_cache_misses_total'),
    },
    {
      id: 'jobs',
      title: 'Jobs',
      unit: 'rps',
      queries: [
        { name: 'enqueued', expr: `sum(rate(revenge_jobs_enqueued_total${RATE}))` },
        { name: 'completed', expr: `sum(rate(revenge_jobs_completed_total${RATE}))` },
      ],
      empty: scraped('revenge_jobs_enqueued_total / revenge_jobs_completed_total'),
    },
    {
      id: 'sessions',
      title: 'Active sessions',
      unit: 'count',
      queries: [{ name: 'sessions', expr: 'sum(revenge_sessions_active_total)' }],
      empty: scraped('revenge_sessions_active_total'),
    },
  ],
};
