import type * as http from 'node:http';
import { createHash } from 'node:crypto';
import { ApiError, labelMatcher, notFound, sendJson } from './http-util';
import { NODES, PODS } from './kubelet';
import type { KObject, Store } from './store';

/**
 * metrics.k8s.io/v1beta1 as metrics-server serves it (k3s ships metrics-server): PodMetrics for
 * running pods and NodeMetrics for nodes, with small synthetic usage that wobbles over time.
 */
export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_GV = 'metrics.k8s.io/v1beta1';
const PREFIX = `/apis/${METRICS_GV}`;

export function isMetricsApi(pathname: string): boolean {
  return pathname === `/apis/${METRICS_GROUP}` || pathname === PREFIX || pathname.startsWith(`${PREFIX}/`);
}

export function metricsGroup() {
  return {
    name: METRICS_GROUP,
    versions: [{ groupVersion: METRICS_GV, version: 'v1beta1' }],
    preferredVersion: { groupVersion: METRICS_GV, version: 'v1beta1' },
  };
}

const seed = (s: string) => createHash('sha256').update(s).digest().readUInt32BE(0);
const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Nanocores and KiB for one container: a stable base from its name plus a slow wave. */
function usage(key: string) {
  const base = seed(key);
  const wave = 1 + 0.2 * Math.sin(Date.now() / 20_000 + (base % 7));
  const milli = (5 + (base % 95)) * wave;
  const mib = (16 + ((base >>> 8) % 240)) * wave;
  return { cpu: `${Math.round(milli * 1e6)}n`, memory: `${Math.round(mib * 1024)}Ki` };
}

function podMetrics(pod: KObject) {
  const containers = ((pod.spec?.containers as { name?: string }[] | undefined) ?? []).filter((c) => c?.name);
  return {
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      creationTimestamp: stamp(),
      labels: pod.metadata.labels ?? {},
    },
    timestamp: stamp(),
    window: '15s',
    containers: containers.map((c) => ({
      name: c.name,
      usage: usage(`${pod.metadata.namespace}/${pod.metadata.name}/${c.name}`),
    })),
  };
}

function nodeMetrics(node: KObject, pods: KObject[]) {
  let nanocores = 0;
  let kib = 0;
  for (const p of pods.filter((x) => x.spec?.nodeName === node.metadata.name))
    for (const c of podMetrics(p).containers) {
      nanocores += Number(c.usage.cpu.slice(0, -1));
      kib += Number(c.usage.memory.slice(0, -2));
    }
  // The node's own processes (kubelet, containerd, the OS).
  const own = usage(`node/${node.metadata.name}`);
  nanocores += Number(own.cpu.slice(0, -1)) * 2;
  kib += Number(own.memory.slice(0, -2)) * 4;
  return {
    metadata: { name: node.metadata.name, creationTimestamp: stamp(), labels: node.metadata.labels ?? {} },
    timestamp: stamp(),
    window: '20s',
    usage: { cpu: `${nanocores}n`, memory: `${kib}Ki` },
  };
}

export function serveMetricsApi(store: Store, req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
  const path = url.pathname.replace(/\/+$/, '');
  if (path === `/apis/${METRICS_GROUP}`)
    return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...metricsGroup() });
  if (path === PREFIX) {
    return sendJson(res, 200, {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: METRICS_GV,
      resources: [
        { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
        { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
      ],
    });
  }
  if (req.method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', `${req.method} is not supported`);
  const seg = path.slice(PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
  const labels = labelMatcher(url.searchParams.get('labelSelector'));
  const running = (namespace?: string) =>
    store.list(PODS, namespace).filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
  let namespace: string | undefined;
  let rest = seg;
  if (seg[0] === 'namespaces' && seg.length >= 3) [namespace, rest] = [seg[1], seg.slice(2)];
  const meta = { resourceVersion: '' };
  if (rest[0] === 'pods' && rest.length <= 2) {
    const pods = running(namespace);
    if (rest[1] !== undefined) {
      const pod = pods.find((p) => p.metadata.name === rest[1]);
      if (!pod || namespace === undefined) throw notFound('pods', rest[1], METRICS_GROUP);
      return sendJson(res, 200, { kind: 'PodMetrics', apiVersion: METRICS_GV, ...podMetrics(pod) });
    }
    return sendJson(res, 200, {
      kind: 'PodMetricsList',
      apiVersion: METRICS_GV,
      metadata: meta,
      items: pods.filter((p) => labels(p.metadata.labels)).map(podMetrics),
    });
  }
  if (rest[0] === 'nodes' && namespace === undefined && rest.length <= 2) {
    const pods = running();
    const nodes = store.list(NODES).filter((n) => labels(n.metadata.labels));
    if (rest[1] !== undefined) {
      const node = nodes.find((n) => n.metadata.name === rest[1]);
      if (!node) throw notFound('nodes', rest[1], METRICS_GROUP);
      return sendJson(res, 200, { kind: 'NodeMetrics', apiVersion: METRICS_GV, ...nodeMetrics(node, pods) });
    }
    return sendJson(res, 200, {
      kind: 'NodeMetricsList',
      apiVersion: METRICS_GV,
      metadata: meta,
      items: nodes.map((n) => nodeMetrics(n, pods)),
    });
  }
  throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}
