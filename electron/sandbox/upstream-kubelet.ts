/**
 * The simulated kubelet for pods running an image with an upstream contract: each container starts
 * only when its program would (else it crash-loops, printing why), and its probes are answered as
 * the program answers them (startup, readiness, liveness, on the probes' own periods and
 * thresholds, scaled by the sandbox speed). Containers of other images in such a pod start and
 * pass every probe, as elsewhere in the sandbox.
 */
import { problemLines, settingLines } from '../core/stacks/upstream-output';
import { contractForImage, startProblems, type ImageContract } from '../core/stacks/upstream';
import { clusterHosts, containerInputs, KubeletError, mountProblem, type ContainerSpec } from './container-inputs';
import { runProbe, type Probe, type ProbeResult } from './probes';
import type { KObject, Store } from './store';
import { containerStatus, type ContainerRun } from './runtime';

export interface KubeletIO {
  event(pod: KObject, reason: string, message: string, type?: 'Normal' | 'Warning'): void;
  log(pod: KObject, line: string): void;
  /** The container exited and will be started again: its log becomes the previous container's. */
  restarted?(pod: KObject): void;
  /** Merges into the pod's status, if the pod is still the same one. */
  setStatus(pod: KObject, status: Record<string, unknown>): void;
  /** A delay in ms, scaled by the sandbox speed. */
  ms(base: number): number;
  /** The image tag that makes a container crash (see README.md). */
  crashes(image: string): boolean;
}

type ProbeKind = 'startup' | 'readiness' | 'liveness';
type Spec = ContainerSpec & { startupProbe?: Probe; readinessProbe?: Probe; livenessProbe?: Probe };

interface Run extends ContainerRun {
  spec: Spec;
  contract?: ImageContract;
  pulled: boolean;
  due: number;
  probes: Partial<Record<ProbeKind, { fails: number; next: number }>>;
}

interface PodRun {
  containers: Run[];
  mounted: boolean;
  ip: string;
  everStarted: boolean;
  written: string;
  transitions: Record<string, string>;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const title = (k: ProbeKind) => `${k[0]?.toUpperCase()}${k.slice(1)}`;
/** The kubelet's crash-loop back-off: 10 s doubling up to 5 minutes. */
const backoffSeconds = (restarts: number) => Math.min(300, 10 * 2 ** Math.max(0, restarts - 1));

export function createUpstreamKubelet(store: Store, io: KubeletIO, contracts: readonly ImageContract[]) {
  const runs = new Map<string, PodRun>();
  const specsOf = (pod: KObject) => ((pod.spec?.containers as Spec[] | undefined) ?? []).filter((c) => c?.name);

  /** Whether any container of the pod runs an image with a contract. */
  const applies = (pod: KObject) =>
    contracts.length > 0 && specsOf(pod).some((c) => contractForImage(contracts, c.image) !== undefined);

  function runOf(pod: KObject): PodRun {
    const uid = pod.metadata.uid ?? '';
    let run = runs.get(uid);
    if (!run) {
      const ip = `10.42.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
      const containers = specsOf(pod).map((spec): Run => ({
        spec,
        contract: contractForImage(contracts, spec.image),
        state: 'waiting',
        waiting: { reason: 'ContainerCreating' },
        lastState: {},
        restarts: 0,
        startedAt: '',
        pulled: false,
        started: false,
        ready: false,
        due: 0,
        probes: {},
      }));
      runs.set(uid, (run = { containers, mounted: false, ip, everStarted: false, written: '', transitions: {} }));
      io.setStatus(pod, { podIP: ip, podIPs: [{ ip }], startTime: now() });
    }
    return run;
  }

  /** The container exited (or was killed): restart after back-off, or stay down under restartPolicy Never. */
  function exited(pod: KObject, r: Run, t: number, exitCode: number) {
    const terminated = {
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt: r.startedAt,
      finishedAt: now(),
    };
    r.ready = false;
    r.started = false;
    r.probes = {};
    if (pod.spec?.restartPolicy === 'Never') {
      r.state = 'terminated';
      r.terminated = terminated;
      r.due = Infinity;
      return;
    }
    r.lastState = { terminated };
    r.restarts += 1;
    io.restarted?.(pod);
    const wait = backoffSeconds(r.restarts);
    const who = `${r.spec.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
    r.state = 'waiting';
    r.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${wait}s restarting failed container=${who}` };
    io.event(
      pod,
      'BackOff',
      `Back-off restarting failed container ${r.spec.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
      'Warning',
    );
    r.due = t + io.ms(wait * 1000);
  }

  function start(pod: KObject, run: PodRun, r: Run, t: number) {
    let inputs;
    try {
      inputs = containerInputs(store, { ...pod, status: { ...pod.status, podIP: run.ip } }, r.spec);
    } catch (err) {
      if (!(err instanceof KubeletError)) throw err;
      r.waiting = { reason: 'CreateContainerConfigError', message: err.message };
      io.event(pod, 'Failed', `Error: ${err.message}`, 'Warning');
      r.due = t + io.ms(2000);
      return;
    }
    io.event(
      pod,
      'Pulled',
      r.pulled
        ? `Container image "${r.spec.image}" already present on machine`
        : `Successfully pulled image "${r.spec.image}"`,
    );
    r.pulled = true;
    io.event(pod, 'Created', `Created container ${r.spec.name}`);
    io.event(pod, 'Started', `Started container ${r.spec.name}`);
    run.everStarted = true;
    r.startedAt = now();
    const crash = io.crashes(r.spec.image);
    const problems = crash ? [] : r.contract ? startProblems(r.contract, inputs) : [];
    if (crash || problems.length > 0) {
      if (crash) io.log(pod, 'ERROR exiting: simulated crash');
      for (const line of problemLines(problems)) io.log(pod, line);
      exited(pod, r, t, 1);
      return;
    }
    io.log(pod, `INFO ${r.spec.name} starting (image ${r.spec.image})`);
    if (r.contract) for (const line of settingLines(r.contract, inputs)) io.log(pod, line);
    r.state = 'running';
    r.started = !r.spec.startupProbe;
    r.ready = false;
    const first = (p: Probe | undefined) =>
      p ? { fails: 0, next: t + io.ms(300 + (p.initialDelaySeconds ?? 0) * 1000) } : undefined;
    r.probes = {
      startup: first(r.spec.startupProbe),
      readiness: first(r.spec.readinessProbe),
      liveness: first(r.spec.livenessProbe),
    };
    r.due = t + io.ms(300);
  }

  function probe(pod: KObject, run: PodRun, r: Run, kind: ProbeKind, t: number): ProbeResult | undefined {
    const p = r.spec[`${kind}Probe`];
    const st = r.probes[kind];
    if (!p || !st || st.next > t) return undefined;
    st.next = t + io.ms((p.periodSeconds ?? 10) * 1000);
    const result = r.contract
      ? runProbe(r.contract, r.spec, p, run.ip, clusterHosts(store, pod))
      : { ok: true as const };
    if (result.ok) {
      st.fails = 0;
      return result;
    }
    st.fails += 1;
    io.event(
      pod,
      'Unhealthy',
      `${title(kind)} probe ${result.errored ? 'errored' : 'failed'}: ${result.message}`,
      'Warning',
    );
    return result;
  }

  /** Runs the probes due now; a failing startup or liveness probe kills the container at its threshold. */
  function probeAll(pod: KObject, run: PodRun, r: Run, t: number): void {
    for (const kind of ['startup', 'liveness', 'readiness'] as const) {
      if (r.state !== 'running' || (kind !== 'startup' && !r.started) || (kind === 'startup' && r.started)) continue;
      const p = r.spec[`${kind}Probe`] as Probe;
      const result = probe(pod, run, r, kind, t);
      if (!result) continue;
      const st = r.probes[kind] as { fails: number };
      if (kind === 'startup' && result.ok) {
        r.started = true;
        for (const k of ['readiness', 'liveness'] as const) if (r.probes[k]) (r.probes[k] as { next: number }).next = t;
      }
      if (kind === 'readiness') {
        if (result.ok) r.ready = true;
        else if (st.fails >= (p.failureThreshold ?? 3)) r.ready = false;
      }
      if (kind !== 'readiness' && !result.ok && st.fails >= (p.failureThreshold ?? 3)) {
        io.event(pod, 'Killing', `Container ${r.spec.name} failed ${kind} probe, will be restarted`);
        exited(pod, r, t, 137);
      }
    }
    if (r.state === 'running' && r.started && !r.spec.readinessProbe) r.ready = true;
  }

  function writeStatus(pod: KObject, run: PodRun) {
    const containerStatuses = run.containers.map((r) => containerStatus(r, { imageID: '' }));
    const allReady = run.containers.every((r) => r.ready);
    const allDown = run.containers.every((r) => r.state === 'terminated');
    const phase = allDown ? 'Failed' : run.everStarted ? 'Running' : 'Pending';
    const flags: Record<string, boolean> = {
      PodScheduled: true,
      Initialized: true,
      ContainersReady: allReady,
      Ready: allReady,
    };
    const signature = JSON.stringify({ containerStatuses, flags, phase });
    if (signature === run.written) return;
    run.written = signature;
    const conditions = Object.entries(flags).map(([type, ok]) => {
      const status = ok ? 'True' : 'False';
      const key = `${type}=${status}`;
      if (!run.transitions[key]) {
        delete run.transitions[`${type}=${ok ? 'False' : 'True'}`];
        run.transitions[key] = now();
      }
      return { type, status, lastTransitionTime: run.transitions[key] };
    });
    io.setStatus(pod, { phase, conditions, containerStatuses });
  }

  /** One kubelet pass over a contract pod; returns when it next needs a pass. */
  function step(pod: KObject, t: number, nodeReady: boolean): number {
    const run = runOf(pod);
    if (!run.mounted) {
      const why = mountProblem(store, pod);
      if (why) {
        io.event(pod, 'FailedMount', why, 'Warning');
        writeStatus(pod, run);
        return t + io.ms(2000);
      }
      run.mounted = true;
    }
    let next = t + io.ms(1000);
    for (const r of run.containers) {
      if (r.state === 'waiting' && r.due <= t) start(pod, run, r, t);
      if (r.state === 'running' && nodeReady) probeAll(pod, run, r, t);
      if (!nodeReady) r.ready = false;
      if (r.state === 'waiting') next = Math.min(next, r.due);
      for (const p of Object.values(r.probes)) if (p) next = Math.min(next, p.next);
    }
    writeStatus(pod, run);
    return Math.max(next, t + 1);
  }

  const forget = (uid: string) => void runs.delete(uid);

  return { applies, step, forget };
}
