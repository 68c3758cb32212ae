/** Swarm readiness checks: Service discovery and Distributed concerns. */
import type { ReadinessCheck } from '@shared/readiness-schemas';
import { answersHttp, contractForImage } from '../../stacks/upstream';
import type { LiveService } from '../../swarm/engine-api';
import { replicasFix } from '../fixes';
import {
  componentOf,
  longRunning,
  make,
  noPrimary,
  obj,
  primaryService,
  REAPPLY,
  running,
  SECOND,
  unknown,
  type Draft,
  type SwarmInputs,
} from './common';

export function discoveryChecks(i: SwarmInputs): ReadinessCheck[] {
  const d: Draft = {
    id: 'discovery.services',
    title: 'Every component answers on its service name',
    category: 'discovery',
    weight: 5,
  };
  const services = longRunning(i);
  const evidence = services.map((s) => ({
    object: obj(s),
    field: 'running tasks / network aliases',
    value: `${running(i, s)} / ${(s.Spec.TaskTemplate.Networks ?? []).flatMap((n) => n.Aliases ?? []).join(', ') || 'none'}`,
  }));
  const dead = services.filter((s) => running(i, s) === 0);
  return [
    dead.length > 0
      ? make(d, 'fail', `No running task behind ${dead.map(obj).join(', ')}`, evidence, 'Look at the tasks.')
      : make(d, 'pass', `${services.length} services with running tasks`, evidence),
    unknown(
      { id: 'discovery.selectors', title: 'Services select the right pods', category: 'discovery', weight: 3 },
      'Not applicable on Docker Swarm: services route to their own tasks by name, there are no selectors',
    ),
  ];
}

/** What is wrong with a health check by the image's contract: an HTTP check on a path the program does not serve. */
function healthProblem(i: SwarmInputs, s: LiveService): string | undefined {
  const spec = s.Spec.TaskTemplate.ContainerSpec;
  const contract = contractForImage(i.contracts, spec.Image);
  if (!contract) return undefined;
  for (const arg of spec.Healthcheck?.Test ?? []) {
    const m = /https?:\/\/(?:127\.0\.0\.1|localhost):(\d+)(\/[^\s'"]*)?/.exec(arg);
    if (m && !answersHttp(contract, Number(m[1]), m[2] ?? '/')) {
      return `GET :${m[1]}${m[2] ?? '/'}, which the program does not serve`;
    }
  }
  return undefined;
}

function probes(i: SwarmInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.probes',
    title: 'Health checks on every service',
    category: 'distributed',
    weight: 5,
  };
  const evidence: ReadinessCheck['evidence'] = [];
  const bad: string[] = [];
  let restorable = false;
  const none = (test: readonly string[] | undefined) => !test || test.length === 0 || test[0] === 'NONE';
  // One-shot jobs run to their end: nothing to check while they run.
  const checked = longRunning(i);
  for (const s of checked) {
    const test = s.Spec.TaskTemplate.ContainerSpec.Healthcheck?.Test;
    // The stack renders none where the image cannot run its check on Swarm (stacks/swarm-instances.ts).
    const rendered = i.recorded?.services.find((x) => x.Name === s.Spec.Name);
    const imageCannot =
      none(test) && rendered !== undefined && none(rendered.TaskTemplate.ContainerSpec.Healthcheck.Test);
    const problem = imageCannot
      ? 'none: its image cannot run one on Swarm'
      : none(test)
        ? 'missing'
        : healthProblem(i, s);
    if (!problem) continue;
    if (!imageCannot) restorable = true;
    bad.push(problem === 'missing' ? obj(s) : imageCannot ? `${obj(s)} (${problem})` : `${obj(s)} checks ${problem}`);
    evidence.push({ object: obj(s), field: 'TaskTemplate.ContainerSpec.Healthcheck', value: problem });
  }
  if (bad.length > 0) {
    return restorable
      ? make(
          d,
          'fail',
          `No working health check: ${bad.join(', ')}`,
          evidence,
          'Re-deploying the stack restores the health checks Homeport renders from the probes, on the endpoints the upstream contracts list.',
          REAPPLY,
        )
      : make(
          d,
          'fail',
          `No working health check: ${bad.join(', ')}`,
          evidence,
          'Swarm sees these services healthy once they run. An image with a tool for the check (nc, wget or curl) would let Swarm check them; or deploy to Kubernetes, which runs the probes itself.',
        );
  }
  return make(d, 'pass', `All ${checked.length} services have health checks`, [
    { field: 'TaskTemplate.ContainerSpec.Healthcheck', value: `present on ${checked.length} services` },
  ]);
}

function tasksHealthy(i: SwarmInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.probes-passing',
    title: 'Tasks pass their health checks',
    category: 'distributed',
    weight: 4,
  };
  const desired = (s: LiveService) => s.Spec.Mode?.Replicated?.Replicas ?? 0;
  const evidence = i.services.map((s) => ({
    object: obj(s),
    field: 'running / desired tasks',
    value: `${running(i, s)}/${desired(s)}`,
  }));
  const short = i.services.filter((s) => running(i, s) < desired(s));
  return short.length === 0
    ? make(d, 'pass', 'Every service runs its desired tasks (unhealthy tasks are replaced by Swarm)', evidence)
    : make(
        d,
        short.some((s) => running(i, s) === 0) ? 'fail' : 'warn',
        `Short of tasks: ${short.map(obj).join(', ')}`,
        evidence,
        'Look at the failed tasks of these services.',
      );
}

function gracefulShutdown(i: SwarmInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.graceful-shutdown',
    title: 'Graceful shutdown has time to finish',
    category: 'distributed',
    weight: 2,
  };
  if (!i.recorded) {
    return make(d, 'unknown', 'Homeport recorded no revision of the stack to know how long its programs take to stop', [
      { value: 'no current revision' },
    ]);
  }
  const evidence: ReadinessCheck['evidence'] = [];
  const short: string[] = [];
  for (const s of i.services) {
    const want = i.recorded.services.find((x) => x.Name === s.Spec.Name)?.TaskTemplate.ContainerSpec.StopGracePeriod;
    if (want === undefined) continue;
    const grace = s.Spec.TaskTemplate.ContainerSpec.StopGracePeriod ?? 10 * SECOND;
    evidence.push({
      object: obj(s),
      field: 'TaskTemplate.ContainerSpec.StopGracePeriod',
      value: `${grace / SECOND}s; the stack gives it ${want / SECOND}s`,
    });
    if (grace < want) short.push(`${obj(s)} gets ${grace / SECOND}s, needs ${want / SECOND}s`);
  }
  return short.length > 0
    ? make(d, 'fail', short.join('; '), evidence, 'Re-deploy the stack to give every service its stop time.', REAPPLY)
    : make(d, 'pass', `${evidence.length} services get the stop time the stack gives them`, evidence);
}

function replicas(i: SwarmInputs): ReadinessCheck {
  const policy = i.signals.replicas;
  const primary = i.signals.primary;
  const d: Draft = {
    id: 'distributed.replicas',
    title:
      policy.kind === 'one' ? `One replica of ${primary}, or sticky sessions` : `More than one replica of ${primary}`,
    category: 'distributed',
    weight: 5,
  };
  const s = primaryService(i);
  if (!s) return noPrimary(d, i);
  // A component run one service per instance (stacks/swarm-instances.ts) has its replicas spread over them.
  const all = i.services.filter((x) => componentOf(x) === primary);
  const count = (x: LiveService) => x.Spec.Mode?.Replicated?.Replicas ?? 0;
  const n = all.reduce((sum, x) => sum + count(x), 0);
  const evidence = all.map((x) => ({ object: obj(x), field: 'Mode.Replicated.Replicas', value: String(count(x)) }));
  if (policy.kind === 'one') {
    const why = `${policy.why} (${policy.ref})`;
    if (n <= 1) return make(d, 'pass', `${obj(s)} runs one replica: ${policy.why}`, [...evidence, { value: why }]);
    return make(
      d,
      'fail',
      `${obj(s)} runs ${n} replicas: ${policy.why}`,
      evidence,
      `Docker Swarm's routing mesh has no sticky sessions, so one client's requests land on different replicas: ${why}. Run one replica.`,
    );
  }
  const who = all.length === 1 ? obj(s) : `${primary} (${all.map((x) => x.Spec.Name).join(', ')})`;
  return n >= 2
    ? make(d, 'pass', `${who} runs ${n} replicas`, evidence)
    : make(
        d,
        'fail',
        `${who} runs ${n} replica`,
        evidence,
        `Run at least two replicas of ${primary}.`,
        replicasFix(i.values, i.signals),
      );
}

function updateRollback(i: SwarmInputs): ReadinessCheck {
  const d: Draft = {
    id: 'distributed.update-rollback',
    title: 'Failed updates roll back',
    category: 'distributed',
    weight: 3,
  };
  // A one-shot job is never updated: a new spec is a new job (stacks/swarm-jobs.ts).
  const services = longRunning(i);
  const bad = services.filter((s) => s.Spec.UpdateConfig?.FailureAction !== 'rollback');
  const evidence = services.map((s) => ({
    object: obj(s),
    field: 'UpdateConfig.FailureAction',
    value: s.Spec.UpdateConfig?.FailureAction ?? 'unset (pause)',
  }));
  return bad.length === 0
    ? make(d, 'pass', 'Every service rolls back a failed update', evidence)
    : make(d, 'fail', `No automatic rollback: ${bad.map(obj).join(', ')}`, evidence, 'Re-deploy.', REAPPLY);
}

export function distributedChecks(i: SwarmInputs): ReadinessCheck[] {
  const header = i.signals.requestId?.header ?? 'X-Request-ID';
  return [
    probes(i),
    tasksHealthy(i),
    gracefulShutdown(i),
    replicas(i),
    updateRollback(i),
    unknown(
      { id: 'distributed.request-id', title: `${header} is echoed`, category: 'distributed', weight: 2 },
      i.signals.requestId
        ? `Not observed: it needs an HTTP request to ${i.signals.primary}, which the Docker engine API cannot make`
        : 'The stack declares no request-ID header',
    ),
  ];
}
