/** What a backup of radarr-mvp holds: its PostgreSQL database (no buckets). */
import type { StackBackup } from './backup-declaration';

const PG = 'docker-library/postgres@6edb0a8c';

export const radarrBackup: StackBackup = {
  databases: [
    {
      kind: 'postgres',
      // POSTGRES_DB and POSTGRES_USER of the postgres component (radarr-stack.ts).
      component: 'postgres',
      database: 'radarr',
      user: 'radarr',
      // The image's server listens there and trusts local connections (docker-entrypoint.sh:207-212).
      socketDir: '/var/run/postgresql',
      ref: `${PG}:18/alpine3.23/docker-entrypoint.sh:207`,
    },
  ],
  buckets: () => [],
  // A drill's copy publishes nothing: the live stack holds the host port and the ingress host.
  scratchValues: { ingress: { enabled: false }, swarm: { publish: { http: null } } },
};
