/**
 * What Revenge's images really do, read from their sources. References are
 * `<repository>@<commit>:<file>:<line>`; re-check them when moving to a newer commit.
 *
 * - Revenge: lusoris/revenge at e102b189 (2026-02-15).
 * - PostgreSQL: docker-library/postgres at 6edb0a8c (2026-02-26), the 18/alpine3.23 image.
 * - Dragonfly and Typesense: as Revenge's own compose files and test containers run them.
 */
import type { ImageContract } from './upstream';

const REVENGE = 'lusoris/revenge@e102b189';
const PG = 'docker-library/postgres@6edb0a8c';

/** Environment variables whose setting name keeps an underscore (loader.go:134-156). */
const COMPOUND: Record<string, string> = {
  REVENGE_SEARCH_API_KEY: 'search.api_key',
  REVENGE_MOVIE_TMDB_API_KEY: 'movie.tmdb.api_key',
  REVENGE_MOVIE_TMDB_RATE_LIMIT: 'movie.tmdb.rate_limit',
  REVENGE_MOVIE_TMDB_CACHE_TTL: 'movie.tmdb.cache_ttl',
  REVENGE_INTEGRATIONS_RADARR_API_KEY: 'integrations.radarr.api_key',
  REVENGE_INTEGRATIONS_RADARR_BASE_URL: 'integrations.radarr.base_url',
  REVENGE_INTEGRATIONS_SONARR_API_KEY: 'integrations.sonarr.api_key',
  REVENGE_INTEGRATIONS_SONARR_BASE_URL: 'integrations.sonarr.base_url',
  REVENGE_EMAIL_SENDGRID_API_KEY: 'email.sendgrid.api_key',
  REVENGE_EMAIL_SMTP_SKIP_VERIFY: 'email.smtp.skip_verify',
  REVENGE_LEGACY_ENCRYPTION_KEY: 'legacy.encryption_key',
  REVENGE_SERVER_RATE_LIMIT_ENABLED: 'server.rate_limit.enabled',
  REVENGE_SERVER_RATE_LIMIT_BACKEND: 'server.rate_limit.backend',
  REVENGE_SERVER_RATE_LIMIT_GLOBAL_REQUESTS_PER_SECOND: 'server.rate_limit.global.requests_per_second',
  REVENGE_SERVER_RATE_LIMIT_GLOBAL_BURST: 'server.rate_limit.global.burst',
  REVENGE_SERVER_RATE_LIMIT_AUTH_REQUESTS_PER_SECOND: 'server.rate_limit.auth.requests_per_second',
  REVENGE_SERVER_RATE_LIMIT_AUTH_BURST: 'server.rate_limit.auth.burst',
  REVENGE_CACHE_L1_MAX_SIZE: 'cache.l1_max_size',
  REVENGE_CACHE_L1_TTL: 'cache.l1_ttl',
  REVENGE_PLAYBACK_MAX_CONCURRENT_SESSIONS: 'playback.max_concurrent_sessions',
  REVENGE_PLAYBACK_SESSION_TIMEOUT: 'playback.session_timeout',
};

export const REVENGE_API_PORT = 8096;
/** The observability server: server.port + 1000 (internal/infra/observability/server.go:55). */
export const REVENGE_METRICS_PORT = 9096;
export const REVENGE_CONFIG_PATH = '/app/config/config.yaml';
export const TYPESENSE_CONFIG_PATH = '/etc/typesense/typesense-server.ini';

export const revengeApi: ImageContract = {
  component: 'revenge',
  images: ['ghcr.io/lusoris/revenge'],
  ports: [
    { port: REVENGE_API_PORT, protocol: 'http', ref: `${REVENGE}:Dockerfile:84` },
    { port: REVENGE_METRICS_PORT, protocol: 'http', ref: `${REVENGE}:internal/infra/observability/server.go:55` },
  ],
  http: [
    { port: 8096, path: '/healthz', roles: ['liveness', 'health'], ref: `${REVENGE}:api/openapi/openapi.yaml:53` },
    { port: 8096, path: '/readyz', roles: ['readiness'], ref: `${REVENGE}:api/openapi/openapi.yaml:73` },
    { port: 8096, path: '/startupz', roles: ['startup'], ref: `${REVENGE}:api/openapi/openapi.yaml:99` },
    { port: 9096, path: '/metrics', roles: ['metrics'], ref: `${REVENGE}:internal/infra/observability/server.go:39` },
    {
      port: 9096,
      path: '/health/live',
      roles: ['liveness'],
      ref: `${REVENGE}:internal/infra/observability/server.go:42`,
    },
    {
      port: 9096,
      path: '/health/ready',
      roles: ['readiness'],
      ref: `${REVENGE}:internal/infra/observability/server.go:46`,
    },
  ],
  settings: {
    env: {
      kind: 'prefix',
      prefix: 'REVENGE_',
      separator: '.',
      compound: COMPOUND,
      ref: `${REVENGE}:internal/config/loader.go:46`,
    },
    fileVariables: { supported: false, ref: `${REVENGE}:internal/config/loader.go:44` },
    // Relative to WORKDIR /app (Dockerfile:66); /app/config also holds casbin_model.conf (Dockerfile:72).
    configFile: { path: REVENGE_CONFIG_PATH, format: 'yaml', ref: `${REVENGE}:internal/config/loader.go:20` },
    known: [
      {
        key: 'database.url',
        required: true,
        secret: true,
        // Without a URL Revenge tries localhost (config.go:795) and its migration fails.
        default: 'postgres://revenge:changeme@localhost:5432/revenge?sslmode=disable',
        ref: `${REVENGE}:internal/config/config.go:175`,
      },
      { key: 'server.port', default: '8096', check: 'port', ref: `${REVENGE}:internal/config/config.go:788` },
      { key: 'cache.enabled', default: 'false', check: 'boolean', ref: `${REVENGE}:internal/config/config.go:804` },
      { key: 'cache.url', ref: `${REVENGE}:internal/config/config.go:803` },
      { key: 'search.enabled', default: 'false', check: 'boolean', ref: `${REVENGE}:internal/config/config.go:838` },
      { key: 'search.url', ref: `${REVENGE}:internal/config/config.go:836` },
      { key: 'search.api_key', secret: true, ref: `${REVENGE}:internal/config/config.go:837` },
      { key: 'logging.level', default: 'info', ref: `${REVENGE}:internal/config/config.go:241` },
      { key: 'logging.format', default: 'text', ref: `${REVENGE}:internal/config/config.go:244` },
      { key: 'auth.jwt_secret', check: 'min32', secret: true, ref: `${REVENGE}:internal/config/config.go:253` },
      { key: 'auth.encryption_key', check: 'hex64', secret: true, ref: `${REVENGE}:internal/config/config.go:277` },
      { key: 'storage.backend', default: 'local', ref: `${REVENGE}:internal/config/config.go:906` },
      { key: 'storage.s3.endpoint', ref: `${REVENGE}:internal/config/config.go:621` },
      {
        key: 'storage.s3.region',
        requiredWhen: { key: 'storage.backend', equals: 's3' },
        default: 'us-east-1',
        ref: `${REVENGE}:internal/config/config.go:624`,
      },
      {
        key: 'storage.s3.bucket',
        requiredWhen: { key: 'storage.backend', equals: 's3' },
        ref: `${REVENGE}:internal/config/config.go:627`,
      },
      {
        key: 'storage.s3.access_key_id',
        requiredWhen: { key: 'storage.backend', equals: 's3' },
        secret: true,
        ref: `${REVENGE}:internal/config/config.go:630`,
      },
      {
        key: 'storage.s3.secret_access_key',
        requiredWhen: { key: 'storage.backend', equals: 's3' },
        secret: true,
        ref: `${REVENGE}:internal/config/config.go:633`,
      },
      { key: 'storage.s3.use_path_style', check: 'boolean', ref: `${REVENGE}:internal/config/config.go:636` },
      // The Radarr client starts only when enabled, with a base URL and an API key (integration/radarr/module.go:68-73).
      {
        key: 'integrations.radarr.enabled',
        default: 'false',
        check: 'boolean',
        ref: `${REVENGE}:internal/config/config.go:491`,
      },
      { key: 'integrations.radarr.base_url', ref: `${REVENGE}:internal/config/config.go:494` },
      { key: 'integrations.radarr.api_key', secret: true, ref: `${REVENGE}:internal/config/config.go:497` },
    ],
    urls: [
      // The entrypoint waits for `postgres` before migrating with database.url (scripts/docker-entrypoint.sh:35, :46).
      { key: 'database.url', host: 'postgres', port: 5432, ref: `${REVENGE}:scripts/docker-entrypoint.sh:35` },
    ],
  },
  expects: [
    {
      host: 'postgres',
      port: 5432,
      why: 'the entrypoint waits for pg_isready -h postgres -U revenge',
      ref: `${REVENGE}:scripts/docker-entrypoint.sh:35`,
    },
  ],
  // Alpine's BusyBox; the image's own HEALTHCHECK uses wget (Dockerfile:41, :88).
  tools: ['sh', 'wget', 'pg_isready', 'psql'],
  user: { uid: 1000, gid: 1000, ref: `${REVENGE}:Dockerfile:63` },
  // Data and cache directories (Dockerfile:79); HLS segments in /tmp/revenge-segments (config.go:919).
  writes: ['/data', '/cache', '/tmp'],
};

export const revengeFrontend: ImageContract = {
  component: 'frontend',
  images: ['ghcr.io/lusoris/revenge-frontend'],
  ports: [{ port: 3000, protocol: 'http', ref: `${REVENGE}:web/nginx.conf:65` }],
  http: [
    { port: 3000, path: '/health', roles: ['liveness', 'readiness', 'health'], ref: `${REVENGE}:web/nginx.conf:131` },
    { port: 3000, path: '/', roles: [], ref: `${REVENGE}:web/nginx.conf:126` },
  ],
  settings: {
    env: { kind: 'exact' },
    fileVariables: { supported: false, ref: `${REVENGE}:web/Dockerfile:39` },
    known: [],
  },
  expects: [
    {
      host: 'revenge',
      port: REVENGE_API_PORT,
      why: 'nginx proxies /api/ and /hls/ to http://revenge:8096 and will not start if it cannot resolve it',
      ref: `${REVENGE}:web/nginx.conf:100`,
    },
  ],
  // nginx on Alpine (fholzer/nginx-brotli); the image's HEALTHCHECK uses wget (web/Dockerfile:36).
  tools: ['sh', 'wget'],
  // nginx keeps its pid and temp files in /tmp (web/nginx.conf:3, :12-16) and writes its caches and logs.
  writes: ['/tmp', '/var/cache/nginx', '/var/log/nginx'],
};

export const postgresImage: ImageContract = {
  component: 'postgres',
  images: ['postgres', 'docker.io/library/postgres', 'library/postgres'],
  ports: [{ port: 5432, protocol: 'tcp', ref: `${PG}:18/alpine3.23/Dockerfile:236` }],
  http: [],
  settings: {
    env: { kind: 'exact' },
    fileVariables: { supported: true, ref: `${PG}:18/alpine3.23/docker-entrypoint.sh:235` },
    known: [
      {
        key: 'POSTGRES_PASSWORD',
        requiredUnless: { key: 'POSTGRES_HOST_AUTH_METHOD', equals: 'trust' },
        secret: true,
        ref: `${PG}:18/alpine3.23/docker-entrypoint.sh:106`,
      },
      { key: 'POSTGRES_USER', default: 'postgres', ref: `${PG}:18/alpine3.23/docker-entrypoint.sh:237` },
      { key: 'POSTGRES_DB', ref: `${PG}:18/alpine3.23/docker-entrypoint.sh:238` },
      { key: 'PGDATA', default: '/var/lib/postgresql/18/docker', ref: `${PG}:18/alpine3.23/Dockerfile:204` },
    ],
  },
  expects: [],
  // Alpine's BusyBox sh, and PostgreSQL's client programs, which the build installs with the server
  // (`make install-world-bin`: docker-library/postgres@6edb0a8c:18/alpine3.23/Dockerfile:161):
  // pg_dump and pg_restore among them, as backups and restores use them in the container.
  tools: ['sh', 'pg_isready', 'psql', 'pg_dump', 'pg_restore'],
  user: { uid: 70, gid: 70, ref: `${PG}:18/alpine3.23/Dockerfile:12` },
  writes: ['/var/lib/postgresql', '/var/run/postgresql'],
  // The image's libpq and server put the socket in /var/run/postgresql, not /tmp (Dockerfile:114-116).
  sockets: [{ path: '/var/run/postgresql/.s.PGSQL.5432', ref: `${PG}:18/alpine3.23/Dockerfile:114` }],
};

export const dragonflyImage: ImageContract = {
  component: 'dragonfly',
  images: ['docker.dragonflydb.io/dragonflydb/dragonfly', 'docker.io/dragonflydb/dragonfly'],
  ports: [{ port: 6379, protocol: 'tcp', ref: `${REVENGE}:internal/testutil/containers.go:203` }],
  http: [],
  settings: {
    env: { kind: 'exact' },
    fileVariables: { supported: false, ref: `${REVENGE}:docker-compose.prod.yml:40` },
    args: { supported: true, ref: `${REVENGE}:docker-compose.dev.yml:168` },
    known: [],
  },
  expects: [],
  // Revenge's compose health check runs redis-cli in the image (docker-compose.prod.yml:42).
  tools: ['redis-cli'],
  requiredArgs: {
    args: ['--cluster_mode=emulated'],
    why: "Revenge's Redis client (rueidis) needs a single-node Dragonfly in emulated cluster mode",
    ref: `${REVENGE}:internal/testutil/containers.go:199`,
  },
};

export const typesenseImage: ImageContract = {
  component: 'typesense',
  images: ['typesense/typesense', 'docker.io/typesense/typesense'],
  ports: [{ port: 8108, protocol: 'http', ref: `${REVENGE}:docker-compose.dev.yml:200` }],
  http: [
    {
      port: 8108,
      path: '/health',
      roles: ['liveness', 'readiness', 'health'],
      ref: `${REVENGE}:docker-compose.prod.yml:70`,
    },
  ],
  settings: {
    // TYPESENSE_API_KEY / TYPESENSE_DATA_DIR (docker-compose.prod.yml:65-66) are --api-key / --data-dir.
    env: {
      kind: 'prefix',
      prefix: 'TYPESENSE_',
      separator: '-',
      compound: {},
      ref: `${REVENGE}:docker-compose.prod.yml:65`,
    },
    fileVariables: { supported: false, ref: `${REVENGE}:docker-compose.prod.yml:64` },
    args: { supported: true, ref: `${REVENGE}:docker-compose.dev.yml:197` },
    configFile: {
      path: TYPESENSE_CONFIG_PATH,
      format: 'ini',
      arg: '--config',
      ref: 'typesense.org/docs/0.25.2/api/server-configuration',
    },
    known: [
      { key: 'api-key', required: true, secret: true, ref: `${REVENGE}:docker-compose.dev.yml:198` },
      { key: 'data-dir', required: true, ref: `${REVENGE}:docker-compose.dev.yml:197` },
    ],
  },
  expects: [],
  // Revenge's compose health check runs curl in the image (docker-compose.prod.yml:70).
  tools: ['sh', 'curl'],
};

/** Every image contract of the Revenge stack (the object store is a user's choice: no contract). */
export const revengeContracts: readonly ImageContract[] = [
  revengeApi,
  revengeFrontend,
  postgresImage,
  dragonflyImage,
  typesenseImage,
];
