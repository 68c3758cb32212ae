/** Readiness checks: State management. */
import type { Evidence, ReadinessCheck, ReadinessFix } from '@shared/readiness-schemas';
import { LEADER_ELECTION_ANNOTATION } from '../../stacks/types';
import type { Lease } from '../live';
import {
  result,
  ref,
  containerField,
  podReady,
  selects,
  apiWorkload,
  envOf,
  apiContainer,
  missingApi,
  hostOf,
  LOCAL_HOSTS,
} from './common';
import type { CheckInputs, Draft } from './common';

export function sessionsAndCache(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'state.sessions-cache',
    title: 'Sessions and cache are externalized',
    category: 'state',
    weight: 5,
  };
  const w = apiWorkload(i.snap);
  const c = apiContainer(w);
  if (!w || !c) return missingApi(d);
  const evidence: Evidence[] = [];
  const problems: string[] = [];
  for (const [name, what] of [
    ['REVENGE_CACHE_URL', 'cache'],
    ['REVENGE_DATABASE_URL', 'database (sessions)'],
  ] as const) {
    const v = envOf(c, name);
    const field = containerField(c, `env[${name}]`);
    if (!v?.value) {
      problems.push(`${name} is not set`);
      evidence.push({ object: ref(w), field, value: v ? 'set from a reference' : 'not set' });
      continue;
    }
    const host = hostOf(v.value);
    const service = host?.split('.')[0];
    // The URL's host, never the whole URL: it may embed a password placeholder.
    evidence.push({ object: ref(w), field, value: `host ${host ?? '(unparsable)'}` });
    if (!host || LOCAL_HOSTS.has(host)) problems.push(`the ${what} is ${host ?? 'not a URL'}, inside the pod`);
    else if (!i.snap.services.some((s) => s.metadata.name === service)) {
      problems.push(`the ${what} host '${host}' is not a Service of the stack`);
      evidence.push({ object: `Service/${service}`, value: 'not found' });
    } else evidence.push({ object: `Service/${service}`, value: 'exists' });
  }
  if (problems.length === 0) {
    return result(d, 'pass', 'Sessions live in PostgreSQL and the cache in a shared Service', evidence, '');
  }
  return result(
    d,
    'fail',
    problems.join('; '),
    evidence,
    'Point REVENGE_CACHE_URL and REVENGE_DATABASE_URL at the cache and database Services so every replica shares sessions and cache; re-apply the stack.',
    { label: 'Re-apply the stack', values: {} },
  );
}

export function avatarsOnS3(i: CheckInputs): ReadinessCheck {
  const d: Draft = { id: 'state.avatars-s3', title: 'Avatars are stored on S3', category: 'state', weight: 4 };
  const w = apiWorkload(i.snap);
  const c = apiContainer(w);
  if (!w || !c) return missingApi(d);
  const backend = envOf(c, 'REVENGE_STORAGE_BACKEND')?.value;
  const endpoint = envOf(c, 'REVENGE_STORAGE_S3_ENDPOINT')?.value;
  const evidence: Evidence[] = [
    { object: ref(w), field: containerField(c, 'env[REVENGE_STORAGE_BACKEND]'), value: backend ?? 'not set' },
    { object: ref(w), field: containerField(c, 'env[REVENGE_STORAGE_S3_ENDPOINT]'), value: endpoint ?? 'not set' },
  ];
  const fix: ReadinessFix = {
    label: 'Store avatars on the bundled object store',
    values: { objectStore: { mode: 'bundled' } },
  };
  const remediation =
    'Set REVENGE_STORAGE_BACKEND=s3 with an S3 endpoint (the bundled object store, an existing S3 service or a saved S3 profile): local avatar files are not shared between replicas.';
  if (backend !== 's3') {
    return result(
      d,
      'fail',
      `Avatars go to ${backend ?? 'the default local'} storage, one copy per pod`,
      evidence,
      remediation,
      fix,
    );
  }
  if (!endpoint) return result(d, 'fail', 'S3 storage is selected without an endpoint', evidence, remediation, fix);
  return result(d, 'pass', `Avatars go to S3 at ${endpoint}`, evidence, '');
}

export function leaderElection(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'state.leader-election',
    title: 'Periodic jobs run on one leader',
    category: 'state',
    weight: 4,
  };
  const w = apiWorkload(i.snap);
  if (!w) return missingApi(d);
  const annotated = w.spec.template.metadata?.annotations?.[LEADER_ELECTION_ANNOTATION];
  const lease: Lease | undefined =
    i.snap.leases.find((l) => l.metadata.name === annotated) ??
    i.snap.leases.find((l) => l.metadata.name.startsWith(`${i.snap.stack}-`));
  const evidence: Evidence[] = [
    {
      object: ref(w),
      field: `spec.template.metadata.annotations[${LEADER_ELECTION_ANNOTATION}]`,
      value: annotated ?? 'not set',
    },
  ];
  const remediation =
    'The API elects a leader through a Kubernetes Lease so periodic jobs run once; re-applying the stack restores the leader-election annotation, its ServiceAccount and Role. A Lease nobody renews means no API pod is Running and Ready.';
  const fix: ReadinessFix = { label: 'Re-apply the stack', values: {} };
  if (!annotated && !lease) {
    return result(
      d,
      'fail',
      'No leader election: every replica would run the periodic jobs',
      evidence,
      remediation,
      fix,
    );
  }
  const leaseName = lease?.metadata.name ?? annotated ?? '';
  if (!lease) {
    evidence.push({ object: `Lease/${leaseName}`, value: 'not found' });
    return result(
      d,
      'fail',
      `Lease/${leaseName} does not exist: no API pod has become leader`,
      evidence,
      remediation,
      fix,
    );
  }
  const holder = lease.spec?.holderIdentity;
  const duration = lease.spec?.leaseDurationSeconds ?? 15;
  const renewed = lease.spec?.renewTime ? Date.parse(lease.spec.renewTime) : NaN;
  const age = Number.isNaN(renewed) ? Infinity : (i.now.getTime() - renewed) / 1000;
  evidence.push({ object: `Lease/${leaseName}`, field: 'spec.holderIdentity', value: holder || 'none' });
  evidence.push({
    object: `Lease/${leaseName}`,
    field: 'spec.renewTime',
    value: `${lease.spec?.renewTime ?? 'never'} (lease duration ${duration}s)`,
  });
  if (!holder) return result(d, 'fail', `Lease/${leaseName} has no holder`, evidence, remediation, fix);
  if (age > duration) {
    return result(d, 'fail', `Lease/${leaseName} expired: ${holder} stopped renewing it`, evidence, remediation, fix);
  }
  const holderPod = i.snap.pods.find((p) => p.metadata.name === holder || holder.startsWith(`${p.metadata.name}_`));
  const ofWorkload = holderPod !== undefined && selects(w.spec.selector?.matchLabels, holderPod.metadata.labels);
  evidence.push({
    object: `Pod/${holder}`,
    field: 'status',
    value: holderPod
      ? `${holderPod.status?.phase ?? 'unknown'}${podReady(holderPod) ? ', Ready' : ', not Ready'}`
      : 'not found',
  });
  if (!holderPod || !ofWorkload || !podReady(holderPod)) {
    return result(
      d,
      'fail',
      `Lease/${leaseName} is held by ${holder}, which is not a Running and Ready pod of ${ref(w)}`,
      evidence,
      remediation,
      fix,
    );
  }
  return result(d, 'pass', `Lease/${leaseName} is held by ${holder}`, evidence, '');
}
