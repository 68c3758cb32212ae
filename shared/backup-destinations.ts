/** A backup destination in the user's words, for messages and screens (the same on both sides). */
import type { BackupDestinationSpec } from './backup-schemas';

export function describeDestination(d: BackupDestinationSpec): string {
  switch (d.kind) {
    case 'nas':
      return d.dir.startsWith('/') ? `${d.dir} on NAS host '${d.host}'` : `export '${d.dir}' of NAS host '${d.host}'`;
    case 's3':
      return `bucket '${d.bucket}'${d.prefix ? ` under ${d.prefix}/` : ''} of S3 profile '${d.profile}'`;
    case 'file':
      return `folder ${d.dir}`;
  }
}
