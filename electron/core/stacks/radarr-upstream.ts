/**
 * What radarr-mvp really does, read from its source: zimmermanc/radarr-mvp at 19a04751 (2025-08-25).
 * References are `<repository>@<commit>:<file>:<line>`; re-check them when moving to a newer commit.
 *
 * Where the owners' deployment plan (seed 003) and the code disagree, the code wins:
 *
 * - One port, 7878 (RADARR_PORT). The plan's metrics port 8080 does not exist: /metrics is served on
 *   7878 (routes/monitoring.rs:28) and, unlike /health, only with the API key in an X-Api-Key header
 *   (middleware.rs:99): a Prometheus scrape without it gets 401, so Homeport declares no scrape.
 * - /ready is not served: the router that has it (routes/mod.rs:14) is a test router main.rs never
 *   mounts; an unknown path falls through to the static files and answers 404. /health (and
 *   /health/detailed) answer 200 without the key (middleware.rs:66).
 * - No config file: every setting comes from the environment (src/config/mod.rs:223-345); the
 *   plan's /app/config ConfigMap would be read by nothing.
 * - The program runs its own migrations (sqlx, embedded at build time) before it listens
 *   (main.rs:147, :255), so no migration job is needed.
 * - No image is published: no Dockerfile exists and releases are `dist` binary archives
 *   (dist-workspace.toml:1-24). Users build their own image; the stack has no default image.
 */
import { postgresImage } from './revenge-upstream';
import type { ImageContract } from './upstream';

const RADARR = 'zimmermanc/radarr-mvp@19a04751';

/** ServerConfig::default (src/config/mod.rs:192), changed by RADARR_PORT (:230). */
export const RADARR_PORT = 7878;
/** The repository name the project's own plan gives its image (seed 003: `image: radarr-mvp:latest`). */
export const RADARR_IMAGE_REPO = 'radarr-mvp';

export const radarrApp: ImageContract = {
  component: 'radarr',
  images: [RADARR_IMAGE_REPO],
  ports: [
    // main.rs:171 binds 0.0.0.0:<server.port>; the default port is 7878 (src/config/mod.rs:192).
    { port: RADARR_PORT, protocol: 'http', ref: `${RADARR}:src/config/mod.rs:192` },
  ],
  http: [
    // Public: no API key needed (crates/api/src/middleware.rs:66).
    {
      port: RADARR_PORT,
      path: '/health',
      roles: ['liveness', 'readiness', 'health'],
      ref: `${RADARR}:crates/api/src/simple_api.rs:373`,
    },
    { port: RADARR_PORT, path: '/health/detailed', roles: ['health'], ref: `${RADARR}:src/main.rs:421` },
    // The embedded web UI (public: middleware.rs:71).
    { port: RADARR_PORT, path: '/', roles: [], ref: `${RADARR}:src/main.rs:483` },
  ],
  settings: {
    // Each variable is read by its own name (std::env::var, src/config/mod.rs:223-345).
    env: { kind: 'exact' },
    fileVariables: { supported: false, ref: `${RADARR}:src/config/mod.rs:223` },
    known: [
      {
        key: 'DATABASE_URL',
        secret: true,
        // Without it the program connects to localhost (mod.rs:203), fails and exits (main.rs:253).
        default: 'postgresql://radarr:radarr@localhost:5432/radarr',
        ref: `${RADARR}:src/config/mod.rs:255`,
      },
      {
        key: 'RADARR_API_KEY',
        // The default 'changeme123' is refused by release builds (mod.rs:372-380), and the API
        // middleware panics on any protected request when the variable is unset (middleware.rs:44).
        required: true,
        secret: true,
        ref: `${RADARR}:src/config/mod.rs:236`,
      },
      { key: 'RADARR_PORT', default: String(RADARR_PORT), check: 'port', ref: `${RADARR}:src/config/mod.rs:230` },
      { key: 'RADARR_HOST', default: '0.0.0.0', ref: `${RADARR}:src/config/mod.rs:227` },
      // Setting it turns TMDB on (mod.rs:321); without it movie lookup is off (main.rs:404).
      { key: 'TMDB_API_KEY', secret: true, ref: `${RADARR}:src/config/mod.rs:319` },
      { key: 'RUST_LOG', default: 'info', ref: `${RADARR}:src/config/mod.rs:334` },
    ],
    urls: [
      // The stack's database: the program connects to DATABASE_URL before it listens and exits when
      // it cannot (main.rs:147, :253; crates/infrastructure/src/database.rs:83).
      // sqlx gives up after the pool's acquire timeout, 3 s (main.rs:251 takes the default of
      // crates/infrastructure/src/database.rs:27).
      { key: 'DATABASE_URL', host: 'postgres', port: 5432, ref: `${RADARR}:src/main.rs:253`, connectsWithin: 3 },
    ],
  },
  expects: [
    {
      host: 'postgres',
      port: 5432,
      why: 'DATABASE_URL names it: the program migrates the database before it listens and exits when it cannot connect',
      ref: `${RADARR}:src/main.rs:147`,
    },
  ],
  // The binary cargo builds (Cargo.toml:11-13); the image must have it on PATH.
  program: { name: 'radarr-mvp', ref: `${RADARR}:Cargo.toml:12` },
  // No image upstream: what Homeport asks of the image you build (an Alpine base, whose BusyBox has
  // sh and wget), so Docker Swarm can run the HTTP health check inside it.
  tools: ['sh', 'wget'],
};

/** Every image contract of the radarr-mvp stack. */
export const radarrContracts: readonly ImageContract[] = [radarrApp, postgresImage];

/** Where facts of this stack come from (for the other radarr-*.ts files). */
export const RADARR_SOURCE = RADARR;
