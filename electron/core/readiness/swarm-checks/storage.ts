/** Swarm readiness checks: Observability and Storage. */
import { backupCheck } from '../backup-check';
import type { ReadinessCheck } from '@shared/readiness-schemas';
import { SWARM_DATA_LABEL, type SwarmMount } from '../../stacks/swarm';
import { metricsEndpoint } from '../program';
import {
  make,
  noPrimary,
  noService,
  obj,
  primaryService,
  programOf,
  REAPPLY,
  serviceOf,
  unknown,
  type Draft,
  type SwarmInputs,
} from './common';

export function observabilityChecks(i: SwarmInputs): ReadinessCheck[] {
  const primary = i.signals.primary;
  const d: Draft = {
    id: 'observability.metrics-labels',
    title: `${primary} is labelled for Prometheus`,
    category: 'observability',
    weight: 3,
  };
  const up = unknown(
    { id: 'observability.prometheus-up', title: `Prometheus scrapes ${primary}`, category: 'observability', weight: 3 },
    'Prometheus was not found for this Swarm endpoint',
  );
  const s = primaryService(i);
  if (!s) return [noPrimary(d, i), up];
  const metrics = metricsEndpoint(programOf(i, s).contract);
  const labels = { ...s.Spec.Labels, ...s.Spec.TaskTemplate.ContainerSpec.Labels };
  const scrape = labels['prometheus.io/scrape'];
  const evidence = [
    { object: obj(s), field: 'Labels[prometheus.io/scrape]', value: scrape ?? 'not set' },
    { object: obj(s), field: 'Labels[prometheus.io/port]', value: labels['prometheus.io/port'] ?? 'not set' },
    {
      object: obj(s),
      field: 'TaskTemplate.Networks',
      value: (s.Spec.TaskTemplate.Networks ?? []).map((n) => n.Target).join(', ') || 'none',
    },
  ];
  const where = metrics ? `:${metrics.port}${metrics.path}` : 'its metrics endpoint';
  if (scrape !== 'true') {
    return [
      make(
        d,
        'warn',
        `${obj(s)} serves metrics at ${where} but carries no prometheus.io labels for dockerswarm_sd`,
        evidence,
        `Add prometheus.io/scrape=true${metrics ? `, prometheus.io/port=${metrics.port} and prometheus.io/path=${metrics.path}` : ''} labels to the service, or scrape its tasks with a static job on the stack network.`,
      ),
      up,
    ];
  }
  if (metrics && Number(labels['prometheus.io/port']) !== metrics.port) {
    return [
      make(
        d,
        'fail',
        `${obj(s)} is labelled for port ${labels['prometheus.io/port'] ?? '?'}, but the program serves metrics at ${where}`,
        evidence,
        `Label the service with prometheus.io/port=${metrics.port} (${metrics.ref}).`,
      ),
      up,
    ];
  }
  return [make(d, 'pass', `Prometheus can find ${obj(s)} through its labels`, evidence), up];
}

export function storageChecks(i: SwarmInputs): ReadinessCheck[] {
  return [database(i), media(i), backup(i)];
}

function database(i: SwarmInputs): ReadinessCheck {
  const d: Draft = { id: 'storage.database', title: 'The database is on a volume', category: 'storage', weight: 5 };
  const db = i.signals.database;
  if (!db) return make(d, 'unknown', 'The stack declares no database component', []);
  const s = serviceOf(i, db.component);
  if (!s) return noService(d, db.component);
  const mount = volumeMounts(s).find((m) => m.VolumeOptions?.Labels?.[SWARM_DATA_LABEL] === 'true');
  return mount
    ? make(d, 'pass', `${obj(s)} keeps its data on the volume ${mount.Source}`, [
        { object: obj(s), field: `Mounts[${mount.Target}]`, value: `volume ${mount.Source}` },
      ])
    : make(
        d,
        'fail',
        `${obj(s)} keeps its data in the container`,
        [{ object: obj(s), field: 'Mounts', value: 'no data volume' }],
        'Re-deploy the stack: Homeport mounts a data volume for the database.',
        REAPPLY,
      );
}

function media(i: SwarmInputs): ReadinessCheck {
  const d: Draft = { id: 'storage.media', title: 'Media is on shared NFS storage', category: 'storage', weight: 4 };
  const library = i.signals.media;
  if (!library) return make(d, 'unknown', 'The stack declares no shared media library', []);
  const s = primaryService(i);
  if (!s) return noPrimary(d, i);
  // Shared volumes are `<stack>_<volume>_<hash of the options>`.
  const m = volumeMounts(s).find((x) => x.Source.startsWith(`${i.stack}_${library.volume}_`));
  const opts = m?.VolumeOptions?.DriverConfig?.Options ?? {};
  const evidence = [
    {
      object: obj(s),
      field: `Mounts[${library.volume}]`,
      value: m
        ? `${m.Source} at ${m.Target} type=${opts.type ?? '?'} ${opts.device ?? ''}${m.ReadOnly ? ' (read-only)' : ''}`
        : 'none',
    },
  ];
  const remediation = `Mount the media library ('${library.volume}') read-only from NFS: enable it in the stack's values.`;
  if (!m) return make(d, 'warn', `${obj(s)} mounts no shared media library`, evidence, remediation);
  return opts.type === 'nfs' && m.ReadOnly
    ? make(d, 'pass', `Media from NFS ${opts.o ?? ''} ${opts.device ?? ''}, read-only`, evidence)
    : make(d, 'fail', 'The media volume is not a read-only NFS volume', evidence, remediation);
}

function backup(i: SwarmInputs): ReadinessCheck {
  return backupCheck(i.backup, i.signals.database?.component, i.now ?? new Date());
}

/** The service's volume mounts (tmpfs mounts hold nothing that outlives a task). */
function volumeMounts(s: { Spec: { TaskTemplate: { ContainerSpec: { Mounts?: SwarmMount[] } } } }) {
  return (s.Spec.TaskTemplate.ContainerSpec.Mounts ?? []).filter(
    (m): m is Extract<SwarmMount, { Type: 'volume' }> => m.Type === 'volume',
  );
}
