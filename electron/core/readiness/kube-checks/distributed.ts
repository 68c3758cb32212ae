/** Readiness checks: Distributed concerns (probes, shutdown, request IDs). Replicas are in replicas.ts. */
import type { Evidence, ReadinessCheck } from '@shared/readiness-schemas';
import { answersHttp, contractForImage, listensOn } from '../../stacks/upstream';
import type { Container, ProbeSpec, Workload } from '../live';
import { DEFAULT_GRACE_SECONDS, result, ref, containerField, podReady, podsOf, REAPPLY } from './common';
import type { CheckInputs, Verdict, Draft } from './common';

type ProbeField = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

/** A probe's port as a number (a named port is looked up on the container). */
function probePort(c: Container, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

/** What is wrong with a probe by the image's contract (undefined when nothing is, or there is no contract). */
function probeProblem(i: CheckInputs, c: Container, probe: ProbeSpec): string | undefined {
  const contract = contractForImage(i.contracts, c.image ?? '');
  if (!contract) return undefined;
  if (probe.httpGet) {
    const port = probePort(c, probe.httpGet.port);
    const path = probe.httpGet.path ?? '/';
    if (port === undefined || !answersHttp(contract, port, path)) {
      return `GET :${port ?? probe.httpGet.port}${path}, which the program does not serve`;
    }
  }
  if (probe.tcpSocket) {
    const port = probePort(c, probe.tcpSocket.port);
    if (port === undefined || !listensOn(contract, port))
      return `port ${probe.tcpSocket.port}, where the program does not listen`;
  }
  return undefined;
}

/** The probes a container needs: liveness and readiness, and startup when its program serves a startup endpoint. */
function requiredProbes(i: CheckInputs, c: Container): ProbeField[] {
  const contract = contractForImage(i.contracts, c.image ?? '');
  const startup = contract?.http.some((h) => h.roles.includes('startup')) ?? false;
  return ['livenessProbe', 'readinessProbe', ...(startup ? (['startupProbe'] as const) : [])];
}

export function probesPresent(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.probes',
    title: 'Health probes on every container',
    category: 'distributed',
    weight: 5,
  };
  const missing: Evidence[] = [];
  const wrong: Evidence[] = [];
  for (const w of i.snap.workloads) {
    for (const c of w.spec.template.spec.containers) {
      for (const probe of requiredProbes(i, c)) {
        if (!c[probe]) missing.push({ object: ref(w), field: containerField(c, probe), value: 'missing' });
      }
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        const spec = c[probe];
        const problem = spec && probeProblem(i, c, spec);
        if (problem) wrong.push({ object: ref(w), field: containerField(c, probe), value: problem });
      }
    }
  }
  if (missing.length > 0 || wrong.length > 0) {
    const what = [
      ...missing.map((m) => `missing ${m.object} ${m.field?.split('.').pop() ?? ''}`),
      ...wrong.map((m) => `${m.object} ${m.field?.split('.').pop() ?? ''} probes ${m.value}`),
    ];
    return result(
      d,
      'fail',
      `Probes: ${what.join(', ')}`,
      [...missing, ...wrong],
      'Homeport renders liveness and readiness probes for every container (and a startup probe where the program serves one) on the endpoints its upstream contract lists; a missing or different one was changed by hand. Re-applying the stack with its current values puts them back.',
      { label: 'Re-apply the stack (restores the probes)', values: {} },
    );
  }
  const count = i.snap.workloads.reduce((n, w) => n + w.spec.template.spec.containers.length, 0);
  return result(
    d,
    'pass',
    `All ${count} containers have liveness and readiness probes on endpoints their programs serve`,
    [
      {
        field: 'spec.template.spec.containers[].{liveness,readiness,startup}Probe',
        value: `present on ${count} containers`,
      },
    ],
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

type Rendered = { kind: string; metadata: { name: string }; spec?: { template?: Workload['spec']['template'] } };

export function gracefulShutdown(i: CheckInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.graceful-shutdown',
    title: 'Graceful shutdown has time to finish',
    category: 'distributed',
    weight: 2,
  };
  if (!i.rendered) {
    return result(
      d,
      'unknown',
      'Homeport has no revision of the stack to know how long its programs take to stop',
      [{ value: 'no current revision' }],
      '',
    );
  }
  const rendered = i.rendered as readonly Rendered[];
  const evidence: Evidence[] = [];
  const short: string[] = [];
  for (const w of i.snap.workloads) {
    const want = rendered.find((o) => o.kind === w.kind && o.metadata.name === w.metadata.name)?.spec?.template?.spec
      .terminationGracePeriodSeconds;
    if (want === undefined) continue;
    const grace = w.spec.template.spec.terminationGracePeriodSeconds;
    const effective = grace ?? DEFAULT_GRACE_SECONDS;
    evidence.push({
      object: ref(w),
      field: 'spec.template.spec.terminationGracePeriodSeconds',
      value: `${grace ?? `unset (default ${DEFAULT_GRACE_SECONDS})`}; the stack gives it ${want}s to stop`,
    });
    if (effective < want) short.push(`${ref(w)} gets ${effective}s, needs ${want}s`);
  }
  if (short.length > 0) {
    return result(
      d,
      'fail',
      short.join('; '),
      evidence,
      'Give pods the time their programs need to stop before they are killed; re-applying the stack sets it.',
      REAPPLY,
    );
  }
  return result(d, 'pass', `${evidence.length} workloads get the stop time the stack gives them`, evidence, '');
}

export function requestIds(i: CheckInputs): ReadinessCheck {
  const rid = i.signals.requestId;
  const header = rid?.header ?? 'X-Request-ID';
  const d: Draft = {
    id: 'distributed.request-id',
    title: `${header} is echoed`,
    category: 'distributed',
    weight: 2,
  };
  if (!rid) return result(d, 'unknown', 'The stack declares no request-ID header', [], '');
  const service = `Service/${i.signals.primary}`;
  const remediation = `The program echoes ${header} on every response (${rid.ref}) so a request can be followed across replicas in the logs; an image that does not is too old.`;
  const r = i.requestId;
  if (!r || 'unavailable' in r) {
    return result(
      d,
      'unknown',
      "Not observed: it needs an HTTP request to the primary component through the API server's service proxy",
      [
        {
          object: service,
          field: `GET :${rid.port}${rid.path} with ${header}`,
          value: r?.unavailable ?? 'not attempted',
        },
      ],
      remediation,
    );
  }
  const evidence: Evidence[] = [{ object: service, field: `response header ${header}`, value: r.got ?? 'absent' }];
  if (r.echoed) return result(d, 'pass', `${service} echoed the ${header} it was sent`, evidence, '');
  return result(d, 'fail', `${service} answered HTTP ${r.status} without echoing ${header}`, evidence, remediation);
}
