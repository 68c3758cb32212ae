import type * as http from 'node:http';
import type { ImageContract } from '../core/stacks/upstream';
import { ApiError, notFound } from './http-util';
import { gracefulDelete, NODES, placePod, PODS, readyNodes, type PodRuntime } from './runtime';
import type { KObject, Store } from './store';
import { createPodEvents } from './pod-events';
import { createUpstreamKubelet } from './upstream-kubelet';

export { NODES, PODS };

/** Image tags that make the simulated kubelet fail, for demos and tests (see README.md here). */
export const FAIL_PULL_TAG = 'homeport-fail-pull';
export const CRASH_TAG = 'homeport-crash';

type Containers = { name: string; image: string }[];
const containersOf = (pod: KObject) => ((pod.spec?.containers as Containers | undefined) ?? []).filter((c) => c?.name);
const tagOf = (image: string) => image.split('/').pop()?.split(':')[1] ?? 'latest';
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

interface LogBook {
  lines: string[];
  previous?: string[];
  /** The container exited and has not started again: `lines` are the terminated container's. */
  exited?: boolean;
  followers: Set<http.ServerResponse>;
}

interface PodState {
  stage: 'pending' | 'scheduled' | 'creating' | 'running' | 'ready' | 'failing' | 'done';
  next: number;
  restarts: number;
  /** The pod runs an image with an upstream contract: upstream-kubelet.ts drives its containers. */
  upstream?: boolean;
}

/**
 * The scheduler and kubelets of every simulated node: moves pods Pending -> ContainerCreating ->
 * Running -> Ready on speed-scaled delays, writes Events and log lines, fails marked images,
 * completes Job pods, and finishes graceful deletions. Pods running an image that has one of
 * `contracts` start and answer probes only as that program would (upstream-kubelet.ts).
 */
export function createKubelet(
  store: Store,
  speed: number,
  contracts: readonly ImageContract[] = [],
): PodRuntime & { forget(pod: KObject): void } {
  const states = new Map<string, PodState>();
  /** When each restarted pod's container last exited (the lastState the kubelet reports). */
  const lastExits = new Map<string, string>();
  /** Per pod: the current container's lines and, after a restart, the terminated one's (what `previous` reads). */
  const logs = new Map<string, LogBook>();
  const events = createPodEvents(store);
  const event = events.event;
  const ms = (base: number) => Math.max(10, Math.round(base * speed));
  let nextNode = 0;

  function log(pod: KObject, line: string) {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    let book = logs.get(key);
    if (!book) logs.set(key, (book = { lines: [], followers: new Set() }));
    if (book.exited) {
      // The first line of the next container: the exited one's log becomes the previous container's.
      book.previous = book.lines;
      book.lines = [];
      book.exited = false;
    }
    const text = `${new Date().toISOString()} ${line}`;
    book.lines.push(text);
    if (book.lines.length > 5000) book.lines.splice(0, 1000);
    for (const res of book.followers) res.write(`${text}\n`);
  }

  /**
   * The container exited and will be started again. Followers see the end of the stream. Until the
   * next container starts (the back-off), its log is still what `kubectl logs` shows, and what
   * `--previous` shows too (lastState.terminated); then it becomes the previous container's log, as
   * the kubelet's validateContainerLogStatus picks them (pkg/kubelet/kubelet_pods.go).
   */
  function restarted(pod: KObject) {
    const book = logs.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
    if (!book) return;
    book.exited = true;
    for (const res of book.followers) res.end();
    book.followers.clear();
  }

  function update(pod: KObject, status: Record<string, unknown>, spec?: Record<string, unknown>) {
    const current = store.peek(PODS, pod.metadata.namespace, pod.metadata.name);
    if (!current || current.metadata.uid !== pod.metadata.uid) return;
    store.update(PODS, { ...current, spec: { ...current.spec, ...spec }, status: { ...current.status, ...status } });
  }

  const upstream = createUpstreamKubelet(
    store,
    {
      event,
      log,
      restarted,
      setStatus: (pod, status) => update(pod, status),
      ms,
      crashes: (image) => tagOf(image) === CRASH_TAG,
    },
    contracts,
  );

  const condition = (type: string, status: boolean) => ({
    type,
    status: status ? 'True' : 'False',
    lastTransitionTime: now(),
  });
  /** Scheduled and initialized; whether the containers (and so the pod) are ready. */
  const podConditions = (ready: boolean) => [
    condition('PodScheduled', true),
    condition('Initialized', true),
    condition('ContainersReady', ready),
    condition('Ready', ready),
  ];

  function containerStatuses(pod: KObject, state: Record<string, unknown>, ready: boolean, restarts: number) {
    const lastExit = lastExits.get(pod.metadata.uid ?? '');
    return containersOf(pod).map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready,
      restartCount: restarts,
      started: 'running' in state,
      state,
      ...(lastExit ? { lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: lastExit } } } : {}),
    }));
  }

  /** Init containers ran to completion before the app containers started (the sandbox runs nothing in them). */
  function initContainerStatuses(pod: KObject) {
    const inits = ((pod.spec?.initContainers as Containers | undefined) ?? []).filter((c) => c?.name);
    const at = now();
    return inits.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready: true,
      restartCount: 0,
      started: false,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at } },
    }));
  }

  function step(pod: KObject, st: PodState, t: number) {
    if (t < st.next) return;
    const images = containersOf(pod).map((c) => tagOf(c.image));
    const isJob = ((pod.metadata.ownerReferences ?? []) as { kind: string }[]).some((o) => o.kind === 'Job');
    switch (st.stage) {
      case 'pending': {
        const node = placePod(store, pod, nextNode);
        if (!node) return;
        if (!pod.spec?.nodeName) nextNode++;
        update(pod, { conditions: [condition('PodScheduled', true)] }, { nodeName: node.metadata.name });
        event(
          pod,
          'Scheduled',
          `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node.metadata.name}`,
        );
        Object.assign(st, { stage: 'creating', next: t + ms(300) });
        return;
      }
      case 'creating': {
        for (const c of containersOf(pod)) event(pod, 'Pulling', `Pulling image "${c.image}"`);
        update(pod, {
          containerStatuses: containerStatuses(pod, { waiting: { reason: 'ContainerCreating' } }, false, 0),
          hostIP: '10.0.0.10',
        });
        if (images.includes(FAIL_PULL_TAG)) {
          const bad = containersOf(pod).find((c) => tagOf(c.image) === FAIL_PULL_TAG);
          event(pod, 'Failed', `Failed to pull image "${bad?.image}": not found`, 'Warning');
          update(pod, {
            containerStatuses: containerStatuses(
              pod,
              { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${bad?.image}"` } },
              false,
              0,
            ),
          });
          event(pod, 'BackOff', `Back-off pulling image "${bad?.image}"`, 'Warning');
          Object.assign(st, { stage: 'failing', next: Infinity });
          return;
        }
        Object.assign(st, { stage: 'scheduled', next: t + ms(700) });
        return;
      }
      case 'scheduled': {
        if (upstream.applies(pod)) {
          Object.assign(st, { stage: 'running', upstream: true, next: t });
          return;
        }
        for (const c of containersOf(pod)) {
          event(pod, 'Pulled', `Successfully pulled image "${c.image}"`);
          event(pod, 'Created', `Created container ${c.name}`);
          event(pod, 'Started', `Started container ${c.name}`);
        }
        const ip = `10.42.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
        update(pod, {
          phase: 'Running',
          podIP: ip,
          podIPs: [{ ip }],
          startTime: now(),
          ...(pod.spec?.initContainers ? { initContainerStatuses: initContainerStatuses(pod) } : {}),
          containerStatuses: containerStatuses(pod, { running: { startedAt: now() } }, false, st.restarts),
        });
        for (const c of containersOf(pod)) log(pod, `INFO ${c.name} starting (image ${c.image})`);
        Object.assign(st, { stage: 'running', next: t + ms(images.includes(CRASH_TAG) ? 600 : 300) });
        return;
      }
      case 'running': {
        if (images.includes(CRASH_TAG) && pod.spec?.restartPolicy === 'Never') {
          // Not restarted: the container stays terminated and the pod is Failed (a Job makes another).
          log(pod, 'ERROR exiting: simulated crash');
          update(pod, {
            phase: 'Failed',
            containerStatuses: containerStatuses(
              pod,
              { terminated: { reason: 'Error', exitCode: 1, finishedAt: now() } },
              false,
              st.restarts,
            ),
            conditions: podConditions(false),
          });
          Object.assign(st, { stage: 'done', next: Infinity });
          return;
        }
        if (images.includes(CRASH_TAG)) {
          st.restarts += 1;
          log(pod, 'ERROR exiting: simulated crash');
          lastExits.set(pod.metadata.uid ?? '', now());
          restarted(pod);
          update(pod, {
            containerStatuses: containerStatuses(
              pod,
              { waiting: { reason: 'CrashLoopBackOff', message: `back-off restarting failed container` } },
              false,
              st.restarts,
            ),
            conditions: podConditions(false),
          });
          event(pod, 'BackOff', 'Back-off restarting failed container', 'Warning');
          Object.assign(st, { stage: 'scheduled', next: t + ms(Math.min(5000, 500 * 2 ** st.restarts)) });
          return;
        }
        update(pod, {
          containerStatuses: containerStatuses(pod, { running: { startedAt: now() } }, true, st.restarts),
          conditions: podConditions(true),
        });
        Object.assign(st, { stage: 'ready', next: t + ms(isJob ? 1000 : 1500) });
        return;
      }
      case 'ready': {
        if (isJob) {
          log(pod, 'INFO job finished');
          update(pod, {
            phase: 'Succeeded',
            containerStatuses: containerStatuses(
              pod,
              { terminated: { reason: 'Completed', exitCode: 0, finishedAt: now() } },
              false,
              st.restarts,
            ),
            conditions: podConditions(false),
          });
          Object.assign(st, { stage: 'done', next: Infinity });
          return;
        }
        const c = containersOf(pod)[0];
        if (c) log(pod, `INFO ${c.name} handled GET /health/ready status=200`);
        st.next = t + ms(1500);
        return;
      }
      default:
    }
  }

  /** Runs one pass over every pod: lifecycle steps, graceful deletions, node readiness. */
  function tick() {
    const t = Date.now();
    const notReady = new Set(
      store
        .list(NODES)
        .filter((n) => !readyNodes(store).includes(n))
        .map((n) => n.metadata.name),
    );
    for (const pod of store.list(PODS)) {
      const uid = pod.metadata.uid ?? '';
      if (pod.metadata.deletionTimestamp) {
        if (t - Date.parse(pod.metadata.deletionTimestamp) >= ms(500)) finishDelete(pod);
        continue;
      }
      let st = states.get(uid);
      if (!st) {
        // Pods created already running (bench fixtures) skip the lifecycle.
        st = { stage: pod.status?.phase === 'Running' ? 'ready' : 'pending', next: t, restarts: 0 };
        if (pod.status?.phase === 'Running') st.next = Infinity;
        states.set(uid, st);
      }
      if (st.upstream) {
        if (t >= st.next) st.next = upstream.step(pod, t, !notReady.has(pod.spec?.nodeName as string));
        continue;
      }
      if (notReady.has(pod.spec?.nodeName as string) && st.stage === 'ready') {
        update(pod, {
          conditions: podConditions(false),
          containerStatuses: containerStatuses(pod, { running: { startedAt: now() } }, false, st.restarts),
        });
        st.stage = 'running';
        st.next = Infinity;
        continue;
      }
      if (!notReady.has(pod.spec?.nodeName as string) && st.stage === 'running' && st.next === Infinity) st.next = t;
      step(pod, st, t);
    }
  }

  function finishDelete(pod: KObject) {
    event(pod, 'Killing', `Stopping container ${containersOf(pod)[0]?.name ?? ''}`);
    store.remove(PODS, pod.metadata.namespace, pod.metadata.name);
    forget(pod);
  }

  function forget(pod: KObject) {
    states.delete(pod.metadata.uid ?? '');
    lastExits.delete(pod.metadata.uid ?? '');
    upstream.forget(pod.metadata.uid ?? '');
    events.forget(pod.metadata.uid);
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    for (const res of logs.get(key)?.followers ?? []) res.end();
    logs.delete(key);
  }

  const deletePod = (namespace: string | undefined, name: string, grace?: number) =>
    gracefulDelete(store, namespace, name, grace);

  /** Fault: the pod vanishes at once, as if its node lost it. */
  function killPod(namespace: string, name: string) {
    const pod = store.remove(PODS, namespace, name);
    if (pod) forget(pod);
  }

  function serveLogs(namespace: string, name: string, q: URLSearchParams, res: http.ServerResponse) {
    const pod = store.get(PODS, namespace, name);
    if (!pod) throw notFound('pods', name);
    const container = q.get('container');
    if (container && !containersOf(pod).some((c) => c.name === container)) {
      throw Object.assign(notFound('containers', container), { code: 400, reason: 'BadRequest' });
    }
    const book = logs.get(`${namespace}/${name}`);
    const previous = q.get('previous') === 'true';
    const previousLines = book?.exited ? book.lines : book?.previous;
    if (previous && !previousLines) {
      // The kubelet's words (pkg/kubelet/kubelet_pods.go, validateContainerLogStatus), sent as a 400.
      const which = container ?? containersOf(pod)[0]?.name ?? '';
      throw new ApiError(400, 'BadRequest', `previous terminated container "${which}" in pod "${name}" not found`);
    }
    const tail = Number(q.get('tailLines') ?? 0);
    const lines = (previous ? previousLines : book?.lines) ?? [];
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    const shown = tail > 0 ? lines.slice(-tail) : lines;
    if (shown.length > 0) res.write(`${shown.join('\n')}\n`);
    // A terminated container writes nothing more: following its log ends at once.
    if (q.get('follow') !== 'true' || !book || previous || book.exited) return void res.end();
    book.followers.add(res);
    res.on('close', () => book.followers.delete(res));
  }

  return { tick, deletePod, killPod, serveLogs, forget };
}
