/**
 * The saved NAS exports a user stack's values name: `volumes.<volume>.nas: { host, export }`, the
 * same shape as a catalog stack's `nfs.nas`. Deploy-time resolution (electron/core/references)
 * looks each one up and fills `server` and `path` next to it with withNasTargets, as it does for
 * `nfs.nas`; the values keep `nas` for the record.
 */
import { isObj } from './project';

export interface NasPlace {
  /** The values path of the place ('volumes.media'); its reference is at `<path>.nas`. */
  path: string;
  volume: string;
  host: string;
  export: string;
}

export function userStackNasPlaces(values: unknown): NasPlace[] {
  const volumes = isObj(values) && isObj(values.volumes) ? values.volumes : {};
  return Object.entries(volumes).flatMap(([volume, v]): NasPlace[] => {
    const nas = isObj(v) && isObj(v.nas) ? v.nas : undefined;
    if (!nas || typeof nas.host !== 'string' || typeof nas.export !== 'string') return [];
    return [{ path: `volumes.${volume}`, volume, host: nas.host, export: nas.export }];
  });
}

/** The values with each resolved place's server and path filled in (by volume name). */
export function withNasTargets(values: unknown, targets: Record<string, { server: string; path: string }>): unknown {
  if (!isObj(values) || !isObj(values.volumes)) return values;
  const volumes = Object.fromEntries(
    Object.entries(values.volumes).map(([volume, v]) => {
      const t = targets[volume];
      return [volume, t && isObj(v) ? { ...v, server: t.server, path: t.path } : v];
    }),
  );
  return { ...values, volumes };
}
