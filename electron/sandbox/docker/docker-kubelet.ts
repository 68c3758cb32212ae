/**
 * The sandbox's kubelet when pods are real containers (`--runtime docker`): schedules each pod on
 * a simulated node, runs its containers on the local engine (containers.ts), probes them for real
 * (probes.ts), and writes the pod status the way a kubelet reports it. Logs, exec and
 * port-forward read from the same containers (logs.ts, streams.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountProblem } from '../container-inputs';
import { createPodEvents } from '../pod-events';
import { containerStatus, gracefulDelete, placePod, PODS, readyNodes, type PodRuntime } from '../runtime';
import type { KObject, Store } from '../store';
import { createContainers, newRun, type PodContext, type Run, type Spec } from './containers';
import { engineWords, runtimeEngine } from './engine';
import { HomeportError } from '../../core/errors';
import { createNetworks } from './networks';
import { SANDBOX_LABEL } from './pod-spec';
import { runRealProbe } from './probes';
import { createLogServer } from './logs';
import { createPodStreams } from './streams';

export interface Worker extends PodContext {
  uid: string;
  containers: Run[];
  stage: 'scheduling' | 'networking' | 'mounting' | 'running';
  /** The pod's engine step in flight (making its network): one at a time; close waits for it. */
  op?: Promise<void>;
  next: number;
  written: string;
  transitions: Record<string, string>;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const title = (k: string) => `${k[0]?.toUpperCase()}${k.slice(1)}`;

export async function createDockerKubelet(store: Store, speed: number, dockerHost: string): Promise<PodRuntime> {
  const engine = runtimeEngine(dockerHost);
  try {
    await engine.client.request('/version', { timeoutMs: 5000 });
  } catch (err) {
    engine.close();
    throw new HomeportError(
      'UNAVAILABLE',
      `--runtime docker: the Docker engine at ${dockerHost} does not answer (${engineWords(err, dockerHost)}): start it, or name another one with --runtime docker=unix:///path/to/docker.sock`,
    );
  }
  const sandboxId = randomBytes(4).toString('hex');
  const stateDir = await mkdtemp(join(tmpdir(), `homeport-sandbox-${sandboxId}-`));
  const events = createPodEvents(store);
  const ms = (base: number) => Math.max(10, Math.round(base * speed));
  const networks = createNetworks(engine, sandboxId);
  const containers = createContainers({ store, engine, sandboxId, event: events.event, ms });
  const workers = new Map<string, Worker>();
  let nextNode = 0;

  function setStatus(w: Worker, status: Record<string, unknown>, spec?: Record<string, unknown>) {
    const current = store.peek(PODS, w.pod.metadata.namespace, w.pod.metadata.name);
    if (!current || current.metadata.uid !== w.uid) return;
    store.update(PODS, { ...current, spec: { ...current.spec, ...spec }, status: { ...current.status, ...status } });
  }

  /** Runs an engine step for the pod at most once at a time; a failure is retried after a while. */
  function busy(w: Worker, what: string, op: () => Promise<void>) {
    w.op = op()
      .catch((err: unknown) => {
        events.event(w.pod, 'Failed', `${what}: ${err instanceof Error ? err.message : String(err)}`, 'Warning');
        w.next = Date.now() + ms(5000);
      })
      .finally(() => (w.op = undefined));
  }

  function step(w: Worker, t: number) {
    if (w.op || t < w.next) return;
    const { pod } = w;
    switch (w.stage) {
      case 'scheduling': {
        const node = placePod(store, pod, nextNode);
        if (!node) return;
        if (!pod.spec?.nodeName) nextNode++;
        const address = ((node.status?.addresses as { type: string; address: string }[]) ?? []).find(
          (a) => a.type === 'InternalIP',
        );
        setStatus(
          w,
          {
            conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: now() }],
            hostIP: address?.address,
          },
          { nodeName: node.metadata.name },
        );
        events.event(
          pod,
          'Scheduled',
          `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node.metadata.name}`,
        );
        w.stage = 'networking';
        return;
      }
      case 'networking':
        return busy(w, 'FailedCreatePodSandBox', async () => {
          const net = await networks.forNamespace(pod.metadata.namespace ?? 'default');
          w.network = net.name;
          const specs = (pod.spec?.containers as Spec[] | undefined) ?? [];
          w.containers = specs.map((spec) => newRun(spec, net.allocate(`${w.uid}/${spec.name}`)));
          const ip = w.containers[0]?.ip;
          setStatus(w, { podIP: ip, podIPs: ip ? [{ ip }] : [], startTime: now() });
          w.stage = 'mounting';
        });
      case 'mounting': {
        const why = mountProblem(store, pod);
        if (why) {
          events.event(pod, 'FailedMount', why, 'Warning');
          w.next = t + ms(2000);
          return;
        }
        w.stage = 'running';
        return;
      }
      case 'running':
        for (const r of w.containers) runContainer(w, r, t);
    }
  }

  const onExit = (w: Worker) => (r: Run, id: string, code: number) => {
    void engine.client
      .request<{ State: { OOMKilled?: boolean } }>(`/containers/${id}/json`)
      .catch(() => undefined)
      .then((info) =>
        containers.exited(w, r, id, code, info?.State.OOMKilled ? { reason: 'OOMKilled', message: '' } : undefined),
      );
  };

  function track(r: Run, op: Promise<void>) {
    r.op = op.finally(() => (r.op = undefined));
  }

  function runContainer(w: Worker, r: Run, t: number) {
    if (r.op) return;
    if (r.state !== 'running') {
      if (t >= r.due)
        track(
          r,
          containers.start(w, r, onExit(w)).catch((err: unknown) => {
            r.waiting = { reason: 'CreateContainerError', message: err instanceof Error ? err.message : String(err) };
            r.due = Date.now() + ms(10_000);
          }),
        );
      return;
    }
    const id = r.attempts[r.attempts.length - 1] as string;
    track(
      r,
      containers.realias(w, r, (aliases) => networks.realias(w.network, id, aliases, r.ip)).catch(() => undefined),
    );
    const nodeReady = readyNodes(store).some((n) => n.metadata.name === w.pod.spec?.nodeName);
    if (!nodeReady) r.ready = false;
    else for (const kind of ['startup', 'liveness', 'readiness'] as const) probe(w, r, kind, id, t);
    if (r.started && !r.spec.readinessProbe && nodeReady) r.ready = true;
  }

  function probe(w: Worker, r: Run, kind: 'startup' | 'liveness' | 'readiness', id: string, t: number) {
    const p = r.spec[`${kind}Probe`];
    const st = r.probes[kind];
    if (!p || !st || st.busy || st.next > t || (kind === 'startup') === r.started) return;
    st.busy = true;
    void runRealProbe(engine, r.spec, p, id, r.ip).then((result) => {
      st.busy = false;
      st.next = Date.now() + ms((p.periodSeconds ?? 10) * 1000);
      if (w.stopping || r.state !== 'running' || r.attempts[r.attempts.length - 1] !== id || r.probes[kind] !== st)
        return;
      if (result.ok) {
        st.fails = 0;
        st.passes += 1;
        if (kind === 'startup') {
          r.started = true;
          for (const k of ['readiness', 'liveness'] as const) if (r.probes[k]) r.probes[k].next = Date.now();
        }
        if (kind === 'readiness' && st.passes >= (p.successThreshold ?? 1)) r.ready = true;
        return;
      }
      st.passes = 0;
      st.fails += 1;
      events.event(
        w.pod,
        'Unhealthy',
        `${title(kind)} probe ${result.errored ? 'errored' : 'failed'}: ${result.message}`,
        'Warning',
      );
      if (st.fails < (p.failureThreshold ?? 3)) return;
      if (kind === 'readiness') r.ready = false;
      else {
        events.event(w.pod, 'Killing', `Container ${r.spec.name} failed ${kind} probe, will be restarted`);
        st.fails = 0;
        track(r, containers.stop(r, graceOf(w.pod)));
      }
    });
  }

  const graceOf = (pod: KObject) =>
    Math.max(
      0,
      Math.ceil(
        ((pod.metadata.deletionGracePeriodSeconds as number | undefined) ??
          (pod.spec?.terminationGracePeriodSeconds as number | undefined) ??
          30) * speed,
      ),
    );

  function writeStatus(w: Worker) {
    if (w.stage !== 'running' && w.containers.length === 0) return;
    const containerStatuses = w.containers.map((r) => {
      const id = r.attempts[r.attempts.length - 1];
      return containerStatus(r, {
        imageID: r.imageId ? `docker-pullable://${r.imageId}` : '',
        containerID: id ? `docker://${id}` : undefined,
      });
    });
    const allReady = w.containers.length > 0 && w.containers.every((r) => r.ready);
    const final = w.containers.length > 0 && w.containers.every((r) => r.state === 'terminated' && r.due === Infinity);
    const failed = w.containers.some((r) => (r.terminated?.exitCode as number | undefined) !== 0);
    const phase = final ? (failed ? 'Failed' : 'Succeeded') : w.everStarted ? 'Running' : 'Pending';
    const flags = { PodScheduled: true, Initialized: true, ContainersReady: allReady, Ready: allReady };
    const signature = JSON.stringify({ containerStatuses, flags, phase });
    if (signature === w.written) return;
    w.written = signature;
    const conditions = Object.entries(flags).map(([type, ok]) => {
      const status = ok ? 'True' : 'False';
      if (!w.transitions[`${type}=${status}`]) {
        delete w.transitions[`${type}=${ok ? 'False' : 'True'}`];
        w.transitions[`${type}=${status}`] = now();
      }
      return { type, status, lastTransitionTime: w.transitions[`${type}=${status}`] };
    });
    setStatus(w, { phase, conditions, containerStatuses });
  }

  /** Stops the pod's containers (gracefully when deleted, at once when it vanished) and forgets it. */
  async function teardown(w: Worker, graceful: boolean) {
    w.stopping = true;
    await Promise.all(w.containers.map((r) => r.op));
    if (graceful) {
      await Promise.all(
        w.containers.map(async (r) => {
          if (r.state === 'running') events.event(w.pod, 'Killing', `Stopping container ${r.spec.name}`);
          await containers.stop(r, graceOf(w.pod));
        }),
      );
    }
    for (const r of w.containers) {
      for (const id of r.attempts) {
        await engine.client
          .request(`/containers/${id}`, { method: 'DELETE', query: { force: true, v: true } })
          .catch(() => undefined);
      }
    }
    await rm(w.dirs.pod, { recursive: true, force: true });
    // Only gives back addresses: a network the sandbox has since removed is not made again.
    for (const r of w.containers) networks.release(w.pod.metadata.namespace ?? 'default', `${w.uid}/${r.spec.name}`);
    const current = store.peek(PODS, w.pod.metadata.namespace, w.pod.metadata.name);
    if (current?.metadata.uid === w.uid) store.remove(PODS, w.pod.metadata.namespace, w.pod.metadata.name);
    events.forget(w.uid);
    workers.delete(w.uid);
  }

  function tick() {
    const t = Date.now();
    const seen = new Set<string>();
    for (const pod of store.list(PODS)) {
      const uid = pod.metadata.uid ?? '';
      seen.add(uid);
      let w = workers.get(uid);
      if (!w) {
        // Pods made already running (bench fixtures) are not the runtime's.
        if (pod.status?.phase === 'Running') continue;
        w = {
          pod,
          uid,
          network: '',
          dirs: { pod: join(stateDir, 'pods', uid), claims: join(stateDir, 'claims') },
          stopping: false,
          everStarted: false,
          containers: [],
          stage: 'scheduling',
          next: 0,
          written: '',
          transitions: {},
        };
        workers.set(uid, w);
      }
      w.pod = pod;
      if (w.stopping) continue;
      if (pod.metadata.deletionTimestamp) {
        void teardown(w, true);
        continue;
      }
      step(w, t);
      writeStatus(w);
    }
    for (const w of workers.values()) if (!seen.has(w.uid) && !w.stopping) void teardown(w, false);
  }

  /** Removes, killing if need be, every container this sandbox made. */
  async function removeContainers() {
    const filters = JSON.stringify({ label: [`${SANDBOX_LABEL}=${sandboxId}`] });
    const list = await engine.client
      .request<{ Id: string }[]>('/containers/json', { query: { all: true, filters } })
      .catch(() => []);
    await Promise.all(
      list.map((c) =>
        engine.client
          .request(`/containers/${c.Id}`, { method: 'DELETE', query: { force: true, v: true } })
          .catch(() => undefined),
      ),
    );
  }

  function find(namespace: string, name: string) {
    const pod = store.get(PODS, namespace, name);
    return { pod, worker: pod ? workers.get(pod.metadata.uid ?? '') : undefined };
  }

  return {
    tick,
    deletePod: (namespace, name, grace) => gracefulDelete(store, namespace, name, grace),
    killPod(namespace, name) {
      store.remove(PODS, namespace, name);
    },
    serveLogs: createLogServer(engine, find),
    streams: createPodStreams(engine, find),
    async close() {
      const all = [...workers.values()];
      for (const w of all) w.stopping = true;
      // The containers go first: a stop in flight (a failed liveness probe's restart) waits out the
      // pod's grace period unless its container is killed. A start in flight may still make one, so
      // they are listed again once every operation has settled. A network that cannot be removed is
      // named in the error, after everything else is gone.
      await removeContainers();
      // A pod's network being made, then the containers' operations (a pod whose network was just
      // made has its containers only now).
      await Promise.all(all.map((w) => w.op));
      await Promise.all(all.flatMap((w) => w.containers.map((r) => r.op)));
      await removeContainers();
      try {
        await networks.removeAll();
      } finally {
        await rm(stateDir, { recursive: true, force: true });
        engine.close();
      }
    },
  };
}
