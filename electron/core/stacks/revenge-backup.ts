/** What a backup of Revenge holds: its PostgreSQL database and the bucket of a saved S3 profile. */
import type { StackBackup } from './backup-declaration';

const PG = 'docker-library/postgres@6edb0a8c';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export const revengeBackup: StackBackup = {
  databases: [
    {
      kind: 'postgres',
      // POSTGRES_DB and POSTGRES_USER of the postgres component (revenge-stack.ts).
      component: 'postgres',
      database: 'revenge',
      user: 'revenge',
      // The image's libpq and server use this socket (Dockerfile:114-116) and trust local
      // connections: its entrypoint runs psql there with --no-password (docker-entrypoint.sh:207-212);
      // pg_dump and pg_restore are part of the same image.
      socketDir: '/var/run/postgresql',
      ref: `${PG}:18/alpine3.23/docker-entrypoint.sh:207`,
    },
  ],
  buckets(values) {
    const store = isObject(values) ? values.objectStore : undefined;
    if (!isObject(store) || typeof store.profile !== 'string' || typeof store.bucket !== 'string') return [];
    // 'profile' as recorded in a revision, or 'external' with the profile it was resolved from.
    if (store.mode !== 'profile' && store.mode !== 'external') return [];
    return [{ profile: store.profile, bucket: store.bucket }];
  },
  // A drill's copy publishes nothing: the live stack holds the host ports and the ingress host.
  scratchValues: {
    ingress: { enabled: false },
    swarm: { publish: { frontend: null, api: null, objectStore: null } },
  },
};
