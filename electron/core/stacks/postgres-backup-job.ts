/**
 * The in-cluster backup of a stack's PostgreSQL database, from the stack's backup declaration: a
 * scheduled job running the database's own image, which dumps over TCP to the database's service
 * (`pg_dump -Fc`, as the declared user) into an NFS directory and keeps the newest `keep` dumps.
 *
 * It runs a small POSIX sh script (DUMP_SCRIPT) because a run is a sequence no program in the image
 * does alone: name the file after the UTC time of the run, write it under a temporary name and
 * rename it only once pg_dump succeeded (so a dump cut short never looks whole), then delete the
 * oldest dumps beyond `keep`. Everything it needs comes from the environment (libpq's PG* variables
 * and BACKUP_*), never from text pasted into the script.
 */
import type { PostgresBackup } from './backup-declaration';
import type { ScheduledJob, SecretEnvVar } from './model';

/** Where the NFS directory is mounted in the job's container. */
export const BACKUP_MOUNT = '/backup';

/**
 * On Swarm a secret reaches the environment only as a file (PGPASSWORD_FILE, see swarm.ts);
 * libpq reads PGPASSWORD, so the script reads the file into it.
 */
export const DUMP_SCRIPT = `set -eu
if [ -n "\${PGPASSWORD_FILE:-}" ]; then PGPASSWORD=$(cat "$PGPASSWORD_FILE"); export PGPASSWORD; fi
name="$BACKUP_PREFIX-$(date -u +%Y%m%dT%H%M%SZ).dump"
tmp="$BACKUP_DIR/.$name.partial"
trap 'rm -f "$tmp"' EXIT
pg_dump -Fc -f "$tmp"
mv "$tmp" "$BACKUP_DIR/$name"
echo "wrote $name ($(wc -c < "$BACKUP_DIR/$name") bytes)"
ls -1 "$BACKUP_DIR" | grep -E "^$BACKUP_PREFIX-[0-9]{8}T[0-9]{6}Z[.]dump\\$" | sort -r |
  tail -n "+$((BACKUP_KEEP + 1))" | while read -r old; do rm -f "$BACKUP_DIR/$old"; echo "removed $old"; done
`;

export interface PostgresBackupJobOptions {
  /** The database component's image (it has pg_dump of the server's own version). */
  image: string;
  /** Five cron fields, UTC. */
  schedule: string;
  /** How many dumps to keep in the directory. */
  keep: number;
  /** The model's shared volume (read-write NFS) the dumps go to. */
  volume: string;
  /** Where the volume is, for the description ("nas.lan:/export/backups"). */
  place: string;
  /** The key of the stack's secret holding the database user's password. */
  password: Pick<SecretEnvVar, 'secret' | 'key'>;
  /** The database's service port. */
  port: number;
  /** The image's own user (from its upstream contract), so dumps are owned by it on the NAS. */
  user?: { uid: number; gid: number };
}

export const postgresBackupJobName = (db: PostgresBackup) => `${db.component}-backup`;

export function postgresBackupJob(db: PostgresBackup, o: PostgresBackupJobOptions): ScheduledJob {
  return {
    name: postgresBackupJobName(db),
    image: o.image,
    schedule: o.schedule,
    command: ['sh', '-c', DUMP_SCRIPT, 'pg-backup'],
    env: [
      // The component's service name resolves on both targets (Kubernetes Service, Swarm alias).
      { name: 'PGHOST', value: db.component },
      { name: 'PGPORT', value: String(o.port) },
      { name: 'PGUSER', value: db.user },
      { name: 'PGDATABASE', value: db.database },
      { name: 'BACKUP_DIR', value: BACKUP_MOUNT },
      { name: 'BACKUP_KEEP', value: String(o.keep) },
    ],
    stackNameEnv: 'BACKUP_PREFIX',
    secretEnv: [{ name: 'PGPASSWORD', secret: o.password.secret, key: o.password.key }],
    mounts: [{ volume: o.volume, mountPath: BACKUP_MOUNT, readOnly: false }],
    user: o.user,
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    description:
      `pg_dump -Fc of database ${db.database} to ${o.place} as <stack>-<UTC time>.dump at '${o.schedule}' UTC, ` +
      `keeping the newest ${o.keep}`,
  };
}
