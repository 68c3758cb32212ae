/**
 * Where stack references are looked up: NAS exports through the NAS hosts service (over SSH), S3
 * profiles from the saved profiles and the encrypted secret store. Main process only.
 */
import { HomeportError } from '../errors';
import type { NasExports } from '../nas/exports';
import type { NasHosts } from '../nas/hosts';
import type { S3Profiles } from '../s3/profiles';
import type { ReferenceLookups } from './resolve';

/** A failed lookup that names the field of `nfs.nas` at fault. */
class LookupError extends HomeportError {
  constructor(
    readonly field: 'host' | 'export',
    message: string,
  ) {
    super('INVALID_INPUT', message);
  }
}

export function createReferenceLookups(deps: {
  nasHosts: Pick<NasHosts, 'list'>;
  nasExports: Pick<NasExports, 'list'>;
  s3Profiles: Pick<S3Profiles, 'credentials'>;
}): ReferenceLookups {
  return {
    async nasExport(host, exportName) {
      const saved = (await deps.nasHosts.list()).find((h) => h.name === host);
      if (!saved) throw new LookupError('host', `no NAS host named '${host}'; add it on the Storage screen`);
      const found = (await deps.nasExports.list(host)).find((e) => e.name === exportName);
      if (!found) {
        throw new LookupError(
          'export',
          `no export '${exportName}' on NAS host '${host}'; create it on the Storage screen`,
        );
      }
      if (!found.active) {
        throw new LookupError(
          'export',
          `export '${exportName}' on '${host}' is not active (exportfs does not list it)`,
        );
      }
      return { server: saved.address, path: found.path };
    },
    s3Profile: (profile) => deps.s3Profiles.credentials(profile),
  };
}
