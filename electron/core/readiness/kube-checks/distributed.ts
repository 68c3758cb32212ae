/** Readiness checks: Distributed concerns. */
import type { Evidence, ReadinessCheck, ReadinessFix } from '@shared/readiness-schemas';
import {
  STOP_TIMEOUT_SECONDS,
  DEFAULT_GRACE_SECONDS,
  API,
  result,
  ref,
  componentOf,
  containerField,
  podReady,
  selects,
  podsOf,
  apiWorkload,
  missingApi,
} from './common';
import type { CheckInputs, Verdict, Draft } from './common';

export function probesPresent(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.probes',
    title: 'Health probes on every container',
    category: 'distributed',
    weight: 5,
  };
  const missing: Evidence[] = [];
  for (const w of i.snap.workloads) {
    for (const c of w.spec.template.spec.containers) {
      const required: ('livenessProbe' | 'readinessProbe' | 'startupProbe')[] = ['livenessProbe', 'readinessProbe'];
      if (componentOf(w) === API) required.push('startupProbe');
      for (const probe of required) {
        if (!c[probe]) missing.push({ object: ref(w), field: containerField(c, probe), value: 'missing' });
      }
    }
  }
  if (missing.length > 0) {
    return result(
      d,
      'fail',
      `Missing probes: ${missing.map((m) => `${m.object} ${m.field?.split('.').pop() ?? ''}`).join(', ')}`,
      missing,
      'Homeport renders liveness and readiness probes for every container (and a startup probe for the API on /health/startup); a missing one was removed by hand. Re-applying the stack with its current values puts them back.',
      { label: 'Re-apply the stack (restores the probes)', values: {} },
    );
  }
  const count = i.snap.workloads.reduce((n, w) => n + w.spec.template.spec.containers.length, 0);
  return result(
    d,
    'pass',
    `All ${count} containers have liveness and readiness probes (the API a startup probe too)`,
    [{ field: 'spec.template.spec.containers[].{liveness,readiness}Probe', value: `present on ${count} containers` }],
    '',
  );
}

export function probesPassing(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.probes-passing',
    title: 'Pods pass their probes',
    category: 'distributed',
    weight: 4,
  };
  const evidence: Evidence[] = [];
  let worst: Verdict = 'pass';
  for (const w of i.snap.workloads) {
    const pods = podsOf(i.snap, w);
    const ready = pods.filter(podReady).length;
    evidence.push({ object: ref(w), field: 'pods Ready', value: `${ready}/${pods.length}` });
    if (ready === 0 && (w.spec.replicas ?? 1) > 0) worst = 'fail';
    else if (ready < pods.length && worst === 'pass') worst = 'warn';
  }
  const notReady = evidence.filter((e) => !/^(\d+)\/\1$/.test(e.value));
  if (worst === 'pass') return result(d, 'pass', 'Every pod of the stack is Ready', evidence, '');
  return result(
    d,
    worst,
    `Not all pods are Ready: ${notReady.map((e) => `${e.object} ${e.value}`).join(', ')}`,
    evidence,
    'Look at the events and logs of the pods that are not Ready (Workloads screen); a failing readiness probe keeps a pod out of its Service.',
  );
}

export function gracefulShutdown(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.graceful-shutdown',
    title: 'Graceful shutdown has time to finish',
    category: 'distributed',
    weight: 2,
  };
  const evidence: Evidence[] = [];
  const short: string[] = [];
  for (const w of i.snap.workloads) {
    const need = STOP_TIMEOUT_SECONDS[componentOf(w)];
    if (need === undefined) continue;
    const grace = w.spec.template.spec.terminationGracePeriodSeconds;
    const effective = grace ?? DEFAULT_GRACE_SECONDS;
    evidence.push({
      object: ref(w),
      field: 'spec.template.spec.terminationGracePeriodSeconds',
      value: `${grace ?? `unset (default ${DEFAULT_GRACE_SECONDS})`}; the app stops within ${need}s`,
    });
    if (effective < need) short.push(`${ref(w)} gets ${effective}s, needs ${need}s`);
  }
  if (evidence.length === 0) return missingApi(d);
  if (short.length > 0) {
    return result(
      d,
      'fail',
      short.join('; '),
      evidence,
      "Give pods at least the application's stop timeout before they are killed; re-applying the stack sets it.",
      { label: 'Re-apply the stack', values: {} },
    );
  }
  return result(d, 'pass', "The grace period covers the API's stop timeout", evidence, '');
}

/** The values patch that gives the API at least two replicas, as fits the live values. */
export function replicasFix(values: unknown): ReadinessFix {
  const api = (values as { api?: { autoscale?: { enabled?: boolean; max?: number } } } | undefined)?.api;
  if (api?.autoscale?.enabled) {
    return {
      label: 'Autoscale the API from 2 replicas',
      values: { api: { autoscale: { enabled: true, min: 2, max: Math.max(2, api.autoscale.max ?? 2) } } },
    };
  }
  return { label: 'Run 2 API replicas', values: { api: { replicas: 2 } } };
}

export function apiReplicas(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.replicas',
    title: 'More than one API replica',
    category: 'distributed',
    weight: 5,
  };
  const w = apiWorkload(i.snap);
  if (!w) return missingApi(d);
  const hpa = i.snap.hpas.find(
    (h) => h.spec?.scaleTargetRef?.name === w.metadata.name && h.spec.scaleTargetRef.kind === w.kind,
  );
  const replicas = w.spec.replicas ?? 1;
  const evidence: Evidence[] = [{ object: ref(w), field: 'spec.replicas', value: String(w.spec.replicas ?? 'unset') }];
  if (hpa)
    evidence.push({
      object: `HorizontalPodAutoscaler/${hpa.metadata.name}`,
      field: 'spec.minReplicas',
      value: String(hpa.spec?.minReplicas ?? 1),
    });
  const floor = hpa ? (hpa.spec?.minReplicas ?? 1) : replicas;
  if (floor >= 2)
    return result(
      d,
      'pass',
      hpa ? `The API autoscales from ${floor} replicas` : `The API runs ${replicas} replicas`,
      evidence,
      '',
    );
  return result(
    d,
    'fail',
    hpa
      ? `The API may scale down to ${floor} replica`
      : `The API runs ${replicas} replica: a restart or node drain takes it down`,
    evidence,
    'Run at least two API replicas (or autoscale with a minimum of two) so one can restart while the other serves.',
    replicasFix(i.values),
  );
}

export function apiDisruptionBudget(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.pdb',
    title: 'A PodDisruptionBudget covers the API',
    category: 'distributed',
    weight: 3,
  };
  const w = apiWorkload(i.snap);
  if (!w) return missingApi(d);
  const labels = w.spec.template.metadata?.labels;
  const pdb = i.snap.pdbs.find((p) => selects(p.spec?.selector?.matchLabels, labels));
  if (!pdb) {
    return result(
      d,
      'fail',
      `No PodDisruptionBudget selects the pods of ${ref(w)}`,
      [
        {
          object: 'PodDisruptionBudget',
          field: 'spec.selector',
          value: `none matches ${JSON.stringify(w.spec.selector?.matchLabels ?? {})}`,
        },
      ],
      'A node drain may evict every API pod at once without a PodDisruptionBudget. Homeport renders one (minAvailable 1) when the API runs two or more replicas.',
      replicasFix(i.values),
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

export function requestIds(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.request-id',
    title: 'X-Request-ID is echoed',
    category: 'distributed',
    weight: 2,
  };
  const remediation =
    'Revenge echoes X-Request-ID on every response so a request can be followed across replicas in the logs; an API image that does not is too old.';
  const r = i.requestId;
  if (!r || 'unavailable' in r) {
    return result(
      d,
      'unknown',
      "Not observed: it needs an HTTP request to the API through the API server's service proxy",
      [
        {
          object: `Service/${API}`,
          field: 'GET /proxy/health/live with X-Request-ID',
          value: r?.unavailable ?? 'not attempted',
        },
      ],
      remediation,
    );
  }
  const evidence: Evidence[] = [
    { object: `Service/${API}`, field: 'response header X-Request-ID', value: r.got ?? 'absent' },
  ];
  if (r.echoed) return result(d, 'pass', 'The API echoed the X-Request-ID it was sent', evidence, '');
  return result(d, 'fail', `The API answered HTTP ${r.status} without echoing X-Request-ID`, evidence, remediation);
}
