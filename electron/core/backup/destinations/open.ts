/**
 * Opens a backup destination from its spec: a local folder, a saved NAS host's directory over
 * SFTP, or a saved S3 profile's bucket. Credentials are read here, in the main process, and stay
 * inside the destination.
 */
import { backupDestinationSchema } from '@shared/backup-schemas';
import { checkField } from '../../errors';
import type { NasConnector } from '../../nas/connector';
import { openS3Objects } from '../../s3/objects';
import type { S3Profiles } from '../../s3/profiles';
import type { OpenDestination } from '../destination';
import { createLocalDestination } from './local';
import { createS3Destination } from './s3';
import { openNasDestination } from './sftp';

export interface OpenDestinationDeps {
  /** The saved NAS hosts (their connect() verifies the host key as everywhere else). */
  nasHosts: NasConnector;
  /** The saved S3 profiles; their secret keys are read per open. */
  s3Profiles: Pick<S3Profiles, 'credentials'>;
}

export function createOpenDestination(deps: OpenDestinationDeps): OpenDestination {
  return async (input) => {
    const spec = checkField(backupDestinationSchema, 'destination', input);
    switch (spec.kind) {
      case 'file':
        return createLocalDestination(spec.dir);
      case 'nas':
        return openNasDestination(deps.nasHosts, spec.host, spec.dir);
      case 's3': {
        const objects = await openS3Objects(deps.s3Profiles, spec.profile);
        const under = spec.prefix ? ` under ${spec.prefix.replace(/\/+$/, '')}/` : '';
        return createS3Destination(objects, {
          bucket: spec.bucket,
          prefix: spec.prefix,
          label: `S3 '${spec.profile}' bucket '${spec.bucket}'${under}`,
        });
      }
    }
  };
}
