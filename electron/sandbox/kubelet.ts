import type * as http from 'node:http';
import type { ImageContract } from '../core/stacks/upstream';
import { notFound } from './http-util';
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
  const logs = new Map<string, { lines: string[]; followers: Set<http.ServerResponse> }>();
  const events = createPodEvents(store);
  const event = events.event;
  const ms = (base: number) => Math.max(10, Math.round(base * speed));
  let nextNode = 0;

  function log(pod: KObject, line: string) {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    let book = logs.get(key);
    if (!book) logs.set(key, (book = { lines: [], followers: new Set() }));
    const text = `${new Date().toISOString()} ${line}`;
    book.lines.push(text);
    if (book.lines.length > 5000) book.lines.splice(0, 1000);
    for (const res of book.followers) res.write(`${text}\n`);
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
    return containersOf(pod).map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready,
      restartCount: restarts,
      started: 'running' in state,
      state,
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
    const tail = Number(q.get('tailLines') ?? 0);
    const lines = book?.lines ?? [];
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    const shown = tail > 0 ? lines.slice(-tail) : lines;
    if (shown.length > 0) res.write(`${shown.join('\n')}\n`);
    if (q.get('follow') !== 'true' || !book) return void res.end();
    book.followers.add(res);
    res.on('close', () => book.followers.delete(res));
  }

  return { tick, deletePod, killPod, serveLogs, forget };
}
