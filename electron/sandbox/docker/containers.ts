/**
 * One container of a pod on the engine, through its life as a kubelet drives it: image present
 * or ErrImagePull/ImagePullBackOff, the config the pod spec gives (or CreateContainerConfigError),
 * created and started, watched until it exits, then restarted per restartPolicy with the
 * kubelet's crash-loop back-off (the first restart at once, then 10 s doubling to 5 min, scaled
 * by the sandbox speed). Each restart is a new container, as with a kubelet, so the previous
 * one's log stays for `kubectl logs --previous`.
 */
import type { Probe } from '../probes';
import { KubeletError } from '../container-inputs';
import type { KObject, Store } from '../store';
import type { ContainerRun } from '../runtime';
import type { PodEvent } from '../pod-events';
import { engineWords, isNotFound, type RuntimeEngine } from './engine';
import { createBody, prepareMounts, processOf, serviceAliases, type PodContainer, type PodDirs } from './pod-spec';

export type ProbeKind = 'startup' | 'readiness' | 'liveness';
export type Spec = PodContainer & { startupProbe?: Probe; readinessProbe?: Probe; livenessProbe?: Probe };

export interface Run extends ContainerRun {
  spec: Spec;
  /** The container's fixed address on the namespace network. */
  ip: string;
  /** Engine ids of the last two attempts, oldest first; the last is the current container. */
  attempts: string[];
  /**
   * The last attempt while it is created but not started yet: until it starts, `kubectl logs`
   * still means the container before it, as a kubelet shows the terminated one during a back-off.
   */
  starting?: string;
  /** Containers made for this one so far (the engine's names number them). */
  made: number;
  /** Containers that exited and are not restarted yet: the back-off grows with them. */
  crashes: number;
  imageId: string;
  pullFailures: number;
  /** When the container may be (re)started. */
  due: number;
  /** An engine call in flight for this container (start, re-alias, stop). */
  op?: Promise<void>;
  probes: Partial<Record<ProbeKind, { fails: number; passes: number; next: number; busy: boolean }>>;
  aliases: string;
}

export interface PodContext {
  pod: KObject;
  network: string;
  dirs: PodDirs;
  stopping: boolean;
  everStarted: boolean;
}

export interface ContainerIO {
  store: Store;
  engine: RuntimeEngine;
  sandboxId: string;
  event: PodEvent;
  ms(base: number): number;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
/** The kubelet's back-off before the n-th consecutive restart: none for the first. */
const backoffSeconds = (crashes: number) => (crashes <= 1 ? 0 : Math.min(300, 10 * 2 ** (crashes - 2)));

export function newRun(spec: Spec, ip: string): Run {
  return {
    spec,
    ip,
    attempts: [],
    made: 0,
    state: 'waiting',
    waiting: { reason: 'ContainerCreating' },
    lastState: {},
    restarts: 0,
    crashes: 0,
    startedAt: '',
    imageId: '',
    pullFailures: 0,
    started: false,
    ready: false,
    due: 0,
    probes: {},
    aliases: '',
  };
}

const who = (pod: KObject, r: Run) =>
  `${r.spec.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;

export function createContainers(io: ContainerIO) {
  const { engine } = io;

  async function imageOf(ctx: PodContext, r: Run, t: number): Promise<string | undefined> {
    try {
      const image = await engine.client.request<{ Id: string }>(`/images/${encodeURIComponent(r.spec.image)}/json`);
      r.pullFailures = 0;
      return image.Id;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    // The sandbox never pulls: a missing image fails the way a registry without it would.
    r.pullFailures += 1;
    const image = r.spec.image;
    if (r.pullFailures === 1) {
      const why = `Failed to pull image "${image}": the image is not on the Docker engine at ${engine.address}, and the sandbox does not pull: run docker pull ${image} (or docker load) there`;
      io.event(ctx.pod, 'Failed', why, 'Warning');
      io.event(ctx.pod, 'Failed', 'Error: ErrImagePull', 'Warning');
      r.waiting = { reason: 'ErrImagePull', message: why };
    } else {
      io.event(ctx.pod, 'BackOff', `Back-off pulling image "${image}"`, 'Warning');
      io.event(ctx.pod, 'Failed', 'Error: ImagePullBackOff', 'Warning');
      r.waiting = { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` };
    }
    r.due = t + io.ms(Math.min(300, 10 * 2 ** (r.pullFailures - 1)) * 1000);
    return undefined;
  }

  /** Creates and starts the container's next attempt; on failure the run says why and when to retry. */
  async function start(ctx: PodContext, r: Run, onExit: (r: Run, id: string, code: number) => void) {
    const t = Date.now();
    const { pod } = ctx;
    const imageId = await imageOf(ctx, r, t);
    if (imageId === undefined) return;
    const podWithIp = { ...pod, status: { ...pod.status, podIP: r.ip } };
    let body;
    try {
      const proc = processOf(io.store, podWithIp, r.spec);
      const mounts = await prepareMounts(io.store, pod, r.spec, proc.env, ctx.dirs);
      body = createBody(
        io.store,
        pod,
        r.spec,
        { ...proc, mounts },
        {
          network: ctx.network,
          ip: r.ip,
          sandboxId: io.sandboxId,
        },
      );
    } catch (err) {
      if (!(err instanceof KubeletError)) throw err;
      r.waiting = { reason: 'CreateContainerConfigError', message: err.message };
      io.event(pod, 'Failed', `Error: ${err.message}`, 'Warning');
      r.due = t + io.ms(2000);
      return;
    }
    io.event(pod, 'Pulled', `Container image "${r.spec.image}" already present on machine`);
    const name = `k8s_${r.spec.name}_${pod.metadata.name}_${pod.metadata.namespace}_${pod.metadata.uid}_${r.made}`;
    let id: string;
    try {
      ({ Id: id } = await engine.client.request<{ Id: string }>('/containers/create', {
        method: 'POST',
        query: { name },
        body,
      }));
    } catch (err) {
      const message = engineWords(err, engine.address);
      r.waiting = { reason: 'CreateContainerError', message };
      io.event(pod, 'Failed', `Error: ${message}`, 'Warning');
      r.due = t + io.ms(10_000);
      return;
    }
    r.attempts.push(id);
    r.starting = id;
    r.made += 1;
    r.restarts = r.made - 1;
    r.aliases = JSON.stringify(body.NetworkingConfig.EndpointsConfig[ctx.network]?.Aliases ?? []);
    r.imageId = imageId;
    if (ctx.stopping) return;
    io.event(pod, 'Created', `Created container ${r.spec.name}`);
    try {
      await engine.client.request(`/containers/${id}/start`, { method: 'POST' });
    } catch (err) {
      r.starting = undefined;
      const message = engineWords(err, engine.address);
      io.event(pod, 'Failed', `Error: failed to start container "${r.spec.name}": ${message}`, 'Warning');
      exited(ctx, r, id, 128, { reason: 'StartError', message });
      return;
    }
    r.starting = undefined;
    const info = await engine.client.request<{ State: { StartedAt: string } }>(`/containers/${id}/json`);
    io.event(pod, 'Started', `Started container ${r.spec.name}`);
    ctx.everStarted = true;
    r.state = 'running';
    r.startedAt = info.State.StartedAt.replace(/\.\d+Z$/, 'Z');
    r.started = !r.spec.startupProbe;
    r.ready = false;
    const first = (p: Probe | undefined) =>
      p
        ? { fails: 0, passes: 0, next: Date.now() + io.ms((p.initialDelaySeconds ?? 0) * 1000), busy: false }
        : undefined;
    r.probes = {
      startup: first(r.spec.startupProbe),
      readiness: first(r.spec.readinessProbe),
      liveness: first(r.spec.livenessProbe),
    };
    void watch(r, id, onExit);
    // Only the current and the previous attempt matter (kubectl logs and --previous).
    for (const old of r.attempts.slice(0, -2)) {
      await engine.client
        .request(`/containers/${old}`, { method: 'DELETE', query: { force: true, v: true } })
        .catch(() => undefined);
    }
    r.attempts = r.attempts.slice(-2);
  }

  /** Waits for the container to exit; a lost connection to the engine is looked at again. */
  async function watch(r: Run, id: string, onExit: (r: Run, id: string, code: number) => void) {
    for (;;) {
      try {
        const res = await engine.client.request<{ StatusCode: number }>(`/containers/${id}/wait`, {
          method: 'POST',
          query: { condition: 'not-running' },
          timeoutMs: 60_000,
        });
        return onExit(r, id, res.StatusCode);
      } catch (err) {
        if (isNotFound(err)) return onExit(r, id, 137);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  /** The container exited: terminated, then restarted (or not) as restartPolicy says. */
  function exited(ctx: PodContext, r: Run, id: string, exitCode: number, why?: { reason: string; message: string }) {
    if (ctx.stopping || r.attempts[r.attempts.length - 1] !== id) return;
    const { pod } = ctx;
    r.terminated = {
      exitCode,
      reason: why?.reason ?? (exitCode === 0 ? 'Completed' : 'Error'),
      ...(why ? { message: why.message } : {}),
      startedAt: r.startedAt || now(),
      finishedAt: now(),
      containerID: `docker://${id}`,
    };
    r.state = 'terminated';
    r.ready = false;
    r.started = false;
    r.probes = {};
    const policy = (pod.spec?.restartPolicy as string | undefined) ?? 'Always';
    if (policy === 'Never' || (policy === 'OnFailure' && exitCode === 0)) {
      r.due = Infinity;
      return;
    }
    r.crashes += 1;
    const wait = backoffSeconds(r.crashes);
    r.lastState = { terminated: r.terminated };
    r.due = Date.now() + io.ms(wait * 1000);
    if (wait > 0) {
      r.state = 'waiting';
      r.waiting = {
        reason: 'CrashLoopBackOff',
        message: `back-off ${wait}s restarting failed container=${who(pod, r)}`,
      };
      io.event(
        pod,
        'BackOff',
        `Back-off restarting failed container ${r.spec.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
        'Warning',
      );
    }
  }

  /** Stops the current container within the grace period (the engine kills it after). */
  async function stop(r: Run, graceSeconds: number) {
    const id = r.attempts[r.attempts.length - 1];
    if (!id || r.state !== 'running') return;
    await engine.client
      .request(`/containers/${id}/stop`, {
        method: 'POST',
        query: { t: graceSeconds },
        timeoutMs: (graceSeconds + 15) * 1000,
      })
      .catch(() => undefined);
  }

  /** Gives a running container the Service names that select its pod now, if they changed. */
  async function realias(ctx: PodContext, r: Run, reconnect: (aliases: string[]) => Promise<void>) {
    const aliases = serviceAliases(io.store, ctx.pod, r.spec);
    const key = JSON.stringify(aliases);
    if (r.state !== 'running' || key === r.aliases) return;
    r.aliases = key;
    await reconnect(aliases);
  }

  return { start, exited, stop, realias };
}

/** A pod by name and, once the runtime has it, its containers. */
export type FindPod = (
  namespace: string,
  name: string,
) => { pod?: KObject; worker?: { uid: string; containers: Run[] } };
