/** Revenge's in-cluster backup (values backup.inCluster): its PostgreSQL dumped to an NFS export on a schedule. */
import { postgresBackupJob } from './postgres-backup-job';
import type { ScheduledJob, SharedVolume } from './model';
import type { RevengeValues } from './revenge';
import { revengeBackup } from './revenge-backup';
import { postgresImage } from './revenge-upstream';

/** The shared volume the dumps go to. */
export const BACKUP_VOLUME = 'backups';

/** Refuses backup.inCluster.nfs.nas left unresolved, as the build does for nfs.nas. */
export function checkBackupResolved(values: RevengeValues): void {
  const b = values.backup.inCluster;
  if (b.enabled && (b.nfs.server === undefined || b.nfs.path === undefined)) {
    throw new Error(
      `backup.inCluster.nfs.nas: the export '${b.nfs.nas?.export ?? ''}' on NAS host '${b.nfs.nas?.host ?? ''}' ` +
        'is not resolved; Homeport resolves it at deploy time (electron/core/references)',
    );
  }
}

export function revengeBackupJob(
  values: RevengeValues,
  o: { password: { secret: string; key: string }; port: number },
): { volume: SharedVolume; job: ScheduledJob } | undefined {
  const b = values.backup.inCluster;
  const db = revengeBackup.databases[0];
  if (!b.enabled || !db || b.nfs.server === undefined || b.nfs.path === undefined) return undefined;
  const volume: SharedVolume = {
    name: BACKUP_VOLUME,
    type: 'nfs',
    server: b.nfs.server,
    path: b.nfs.path,
    readOnly: false,
    // Nominal: an NFS volume is as large as its export.
    size: '100Gi',
  };
  const job = postgresBackupJob(db, {
    image: values.postgres.image,
    schedule: b.schedule,
    keep: b.keep,
    volume: BACKUP_VOLUME,
    place: `NFS ${b.nfs.server}:${b.nfs.path}`,
    password: o.password,
    port: o.port,
    user: postgresImage.user && { uid: postgresImage.user.uid, gid: postgresImage.user.gid },
  });
  return { volume, job };
}
