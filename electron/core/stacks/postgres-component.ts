/**
 * The PostgreSQL component every catalog stack runs (the official image, postgresImage's contract
 * in revenge-upstream.ts): one stateful instance, its data in a per-instance volume, the superuser
 * password from a generated secret, and `pg_isready` over TCP to the container's loopback as every
 * probe (the image's temporary setup server listens only on the socket, so a probe over TCP does not
 * pass before the real server is up: docker-library/postgres docker-entrypoint.sh:285-301).
 */
import type { Component, Resources } from './model';
import { postgresImage } from './revenge-upstream';

export const POSTGRES_PORT = 5432;

export interface PostgresOptions {
  image: string;
  user: string;
  database: string;
  password: { secret: string; key: string };
  storage: { size: string; storageClass?: string };
  resources: Resources;
  /** Components that connect to it. */
  acceptsFrom: string[];
}

export function postgresComponent(o: PostgresOptions): Component {
  const ready = { type: 'exec' as const, command: ['pg_isready', '-h', '127.0.0.1', '-U', o.user, '-d', o.database] };
  return {
    name: 'postgres',
    image: o.image,
    tools: postgresImage.tools,
    ports: [{ name: 'postgres', port: POSTGRES_PORT }],
    identityEnv: [],
    secretEnv: [{ name: 'POSTGRES_PASSWORD', ...o.password }],
    env: [
      { name: 'POSTGRES_USER', value: o.user },
      { name: 'POSTGRES_DB', value: o.database },
      // Kept where earlier deploys put the data: PostgreSQL 18's default (/var/lib/postgresql/18/docker) would start empty.
      { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
    ],
    mounts: [],
    stateful: true,
    data: { mountPath: '/var/lib/postgresql/data', size: o.storage.size, storageClass: o.storage.storageClass },
    probes: {
      liveness: { check: ready, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
      readiness: { check: ready, periodSeconds: 5, timeoutSeconds: 5 },
      startup: { check: ready, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 60 },
    },
    replicas: 1,
    resources: o.resources,
    acceptsFrom: o.acceptsFrom,
    stopGracePeriodSeconds: 60,
  };
}
