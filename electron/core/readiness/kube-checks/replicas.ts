/**
 * Readiness checks: how many replicas the primary runs, by the stack's replicas policy ('one':
 * state in one process's memory, more need sticky sessions; 'many': stateless, at least two), and
 * whether a PodDisruptionBudget covers them when there is more than one.
 */
import type { Evidence, ReadinessCheck } from '@shared/readiness-schemas';
import { replicasFix } from '../fixes';
import type { Hpa, Service, Workload } from '../live';
import { result, ref, selects, primaryWorkload, missingPrimary, REAPPLY } from './common';
import type { CheckInputs, Draft } from './common';

interface Scale {
  w: Workload;
  hpa?: Hpa;
  /** Fewest and most replicas it may run (the autoscaler's range, else spec.replicas). */
  floor: number;
  ceiling: number;
  service?: Service;
  evidence: Evidence[];
}

function scaleOf(i: CheckInputs, w: Workload): Scale {
  const hpa = i.snap.hpas.find(
    (h) => h.spec?.scaleTargetRef?.name === w.metadata.name && h.spec.scaleTargetRef.kind === w.kind,
  );
  const replicas = w.spec.replicas ?? 1;
  const evidence: Evidence[] = [{ object: ref(w), field: 'spec.replicas', value: String(w.spec.replicas ?? 'unset') }];
  if (hpa) {
    evidence.push({
      object: `HorizontalPodAutoscaler/${hpa.metadata.name}`,
      field: 'spec.minReplicas..maxReplicas',
      value: `${hpa.spec?.minReplicas ?? 1}..${hpa.spec?.maxReplicas ?? '?'}`,
    });
  }
  const labels = w.spec.template.metadata?.labels;
  const service =
    i.snap.services.find((s) => s.metadata.name === i.signals.primary && selects(s.spec?.selector, labels)) ??
    i.snap.services.find((s) => selects(s.spec?.selector, labels));
  return {
    w,
    hpa,
    floor: hpa ? (hpa.spec?.minReplicas ?? 1) : replicas,
    ceiling: hpa ? (hpa.spec?.maxReplicas ?? replicas) : replicas,
    service,
    evidence,
  };
}

/** Whether the rendered stack has an object of this kind for the primary (re-applying would restore it). */
const renders = (i: CheckInputs, kind: string, test: (o: Record<string, unknown>) => boolean = () => true) =>
  (i.rendered ?? []).some((o) => o.kind === kind && o.metadata.name === i.signals.primary && test(o));

export function primaryReplicas(i: CheckInputs): ReadinessCheck {
  const policy = i.signals.replicas;
  const d: Draft = {
    id: 'distributed.replicas',
    title:
      policy.kind === 'one'
        ? `One replica of ${i.signals.primary}, or sticky sessions`
        : `More than one replica of ${i.signals.primary}`,
    category: 'distributed',
    weight: 5,
  };
  const w = primaryWorkload(i);
  if (!w) return missingPrimary(d, i);
  const s = scaleOf(i, w);
  const runs = s.hpa
    ? `may run ${s.floor} to ${s.ceiling} replicas`
    : `runs ${s.floor} replica${s.floor === 1 ? '' : 's'}`;
  if (policy.kind === 'one') {
    const why = `${policy.why} (${policy.ref})`;
    if (s.ceiling <= 1)
      return result(d, 'pass', `${ref(w)} runs one replica: ${policy.why}`, [...s.evidence, { value: why }], '');
    const affinity = s.service?.spec?.sessionAffinity ?? 'None';
    const evidence = [
      ...s.evidence,
      {
        object: `Service/${s.service?.metadata.name ?? i.signals.primary}`,
        field: 'spec.sessionAffinity',
        value: affinity,
      },
    ];
    if (affinity === 'ClientIP') {
      return result(
        d,
        'warn',
        `${ref(w)} ${runs} with sticky sessions: ${policy.why}`,
        evidence,
        `Clients stay on one replica through the Service's ClientIP affinity, but a restart, a rescheduled pod or a client changing address ends its sessions: ${why}. Run one replica unless you need more.`,
      );
    }
    const sticky = renders(
      i,
      'Service',
      (o) => (o.spec as { sessionAffinity?: string } | undefined)?.sessionAffinity === 'ClientIP',
    );
    return result(
      d,
      'fail',
      `${ref(w)} ${runs} without sticky sessions: ${policy.why}`,
      evidence,
      `Requests of one client land on different replicas: ${why}. Run one replica, or keep clients on one replica (sessionAffinity: ClientIP on the Service${sticky ? ', which re-applying the stack restores' : ''}).`,
      sticky ? REAPPLY : undefined,
    );
  }
  if (s.floor >= 2) return result(d, 'pass', `${ref(w)} ${runs}`, s.evidence, '');
  return result(
    d,
    'fail',
    s.hpa
      ? `${ref(w)} may scale down to ${s.floor} replica`
      : `${ref(w)} runs ${s.floor} replica: a restart or node drain takes it down`,
    s.evidence,
    `Run at least two replicas of ${i.signals.primary} (or autoscale with a minimum of two) so one can restart while the other serves.`,
    replicasFix(i.values, i.signals),
  );
}

export function primaryDisruptionBudget(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.pdb',
    title: `A PodDisruptionBudget covers ${i.signals.primary} when it runs more than one replica`,
    category: 'distributed',
    weight: 3,
  };
  const w = primaryWorkload(i);
  if (!w) return missingPrimary(d, i);
  const s = scaleOf(i, w);
  const labels = w.spec.template.metadata?.labels;
  const pdb = i.snap.pdbs.find((p) => selects(p.spec?.selector?.matchLabels, labels));
  if (!pdb && s.ceiling <= 1 && i.signals.replicas.kind === 'one') {
    return result(
      d,
      'pass',
      `${ref(w)} runs one replica: a PodDisruptionBudget would only block node drains`,
      s.evidence,
      '',
    );
  }
  if (!pdb) {
    const fix =
      s.floor >= 2 ? (renders(i, 'PodDisruptionBudget') ? REAPPLY : undefined) : replicasFix(i.values, i.signals);
    return result(
      d,
      'fail',
      `No PodDisruptionBudget selects the pods of ${ref(w)}`,
      [
        ...s.evidence,
        {
          object: 'PodDisruptionBudget',
          field: 'spec.selector',
          value: `none matches ${JSON.stringify(w.spec.selector?.matchLabels ?? {})}`,
        },
      ],
      `A node drain may evict every pod of ${ref(w)} at once without a PodDisruptionBudget. Homeport renders one (minAvailable 1) when it runs two or more replicas.`,
      fix,
    );
  }
  const value =
    pdb.spec?.minAvailable !== undefined
      ? `minAvailable ${pdb.spec.minAvailable}`
      : `maxUnavailable ${pdb.spec?.maxUnavailable ?? 'unset'}`;
  return result(
    d,
    'pass',
    `PodDisruptionBudget/${pdb.metadata.name} keeps ${value}`,
    [{ object: `PodDisruptionBudget/${pdb.metadata.name}`, field: 'spec', value }],
    '',
  );
}
