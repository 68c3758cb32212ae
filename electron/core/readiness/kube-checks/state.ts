/** Readiness checks: State management, from the primary's effective settings and the stack's leader source. */
import type { Evidence, ReadinessCheck } from '@shared/readiness-schemas';
import { LEADER_ELECTION_ANNOTATION } from '../../stacks/types';
import { tableLeaderCheck } from '../leader';
import { externalStateCheck, objectStorageCheck } from '../program-checks';
import {
  result,
  ref,
  podReady,
  selects,
  primaryWorkload,
  primaryContainer,
  missingPrimary,
  programOf,
  REAPPLY,
  workloadOf,
  placeOf,
} from './common';
import type { CheckInputs, Draft } from './common';

export function sessionsAndCache(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'state.sessions-cache',
    title: 'Sessions and cache are externalized',
    category: 'state',
    weight: 5,
  };
  const w = primaryWorkload(i);
  const c = primaryContainer(i, w);
  if (!w || !c) return missingPrimary(d, i);
  return externalStateCheck(d, i.signals, programOf(i, w, c), placeOf(i, w));
}

export function avatarsOnS3(i: CheckInputs): ReadinessCheck {
  const d: Draft = { id: 'state.avatars-s3', title: 'User files are stored on S3', category: 'state', weight: 4 };
  const w = primaryWorkload(i);
  const c = primaryContainer(i, w);
  if (!w || !c) return missingPrimary(d, i);
  return objectStorageCheck(d, i.signals, programOf(i, w, c), placeOf(i, w));
}

export function leaderElection(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'state.leader-election',
    title: 'Periodic jobs run on one leader',
    category: 'state',
    weight: 4,
  };
  const source = i.signals.leader;
  if (!source) return result(d, 'unknown', 'The stack declares no leader election', [], '');
  if (source.kind !== 'lease') {
    const holder = workloadOf(i.snap, source.component);
    return tableLeaderCheck(d, source, holder ? ref(holder) : `component ${source.component}`, i.tableLeader);
  }
  const w = primaryWorkload(i);
  if (!w) return missingPrimary(d, i);
  const leaseName = source.lease;
  const lease = i.snap.leases.find((l) => l.metadata.name === leaseName);
  const annotated = w.spec.template.metadata?.annotations?.[LEADER_ELECTION_ANNOTATION];
  const evidence: Evidence[] = [
    {
      object: ref(w),
      field: `spec.template.metadata.annotations[${LEADER_ELECTION_ANNOTATION}]`,
      value: annotated ?? 'not set',
    },
  ];
  const remediation = `The pods of ${ref(w)} elect a leader through Lease/${leaseName} so periodic jobs run once; re-applying the stack restores what leader election needs. A Lease nobody renews means no pod is Running and Ready.`;
  if (!lease) {
    evidence.push({ object: `Lease/${leaseName}`, value: 'not found' });
    const summary = `Lease/${leaseName} does not exist: no pod of ${ref(w)} has become leader`;
    return result(d, 'fail', summary, evidence, remediation, REAPPLY);
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
  if (!holder) return result(d, 'fail', `Lease/${leaseName} has no holder`, evidence, remediation, REAPPLY);
  if (age > duration) {
    const summary = `Lease/${leaseName} expired: ${holder} stopped renewing it`;
    return result(d, 'fail', summary, evidence, remediation, REAPPLY);
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
      REAPPLY,
    );
  }
  return result(d, 'pass', `Lease/${leaseName} is held by ${holder}`, evidence, '');
}
