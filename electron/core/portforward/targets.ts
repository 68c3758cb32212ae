/**
 * Which pod and which of its ports a forward reaches, as kubectl port-forward decides it: a pod's
 * port by number or by a container port's name; a Service's port by number or name, mapped through
 * its targetPort (a number, or a container port name looked up in the chosen pod) to one ready pod
 * it selects, the longest ready first.
 */
import { HomeportError } from '../errors';
import { KubeRequestError, type KubeGateway } from '../kube/kube-gateway';

export interface ForwardTarget {
  kind: 'pod' | 'service';
  name: string;
}

interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Pod {
  metadata?: {
    name?: string;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
    creationTimestamp?: string;
  };
  spec?: { nodeName?: string; containers?: { name: string; ports?: ContainerPort[] }[] };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
    containerStatuses?: { restartCount?: number }[];
  };
}

interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
}

export interface Service {
  metadata?: { name?: string };
  spec?: { selector?: Record<string, string>; clusterIP?: string; ports?: ServicePort[] };
}

/** A pod and the port in it one connection goes to. */
export interface Resolved {
  pod: string;
  port: number;
}

export const podsPath = (ns: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`;
const servicePath = (ns: string, name: string) =>
  `/api/v1/namespaces/${encodeURIComponent(ns)}/services/${encodeURIComponent(name)}`;

const isReady = (pod: Pod) =>
  pod.status?.phase === 'Running' &&
  !pod.metadata?.deletionTimestamp &&
  (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

const readySince = (pod: Pod) =>
  Date.parse(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '') || Infinity;
const restarts = (pod: Pod) => (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
const created = (pod: Pod) => Date.parse(pod.metadata?.creationTimestamp ?? '') || Infinity;

/** kubectl's preference among a Service's pods: ready longest, fewest restarts, oldest. */
export function byPreference(a: Pod, b: Pod): number {
  return readySince(a) - readySince(b) || restarts(a) - restarts(b) || created(a) - created(b);
}

/** A container port of the pod by its name (kubectl's named ports). */
export function containerPortByName(pod: Pod, name: string, what: string): number {
  for (const c of pod.spec?.containers ?? []) {
    const found = c.ports?.find((p) => p.name === name);
    if (found) return found.containerPort;
  }
  throw new HomeportError('NOT_FOUND', `${what} has no container port named '${name}'`);
}

function servicePort(svc: Service, remote: number | string, what: string): ServicePort {
  const ports = svc.spec?.ports ?? [];
  const found = ports.find((p) => (typeof remote === 'number' ? p.port === remote : p.name === remote));
  if (found) return found;
  const known = ports.map((p) => (p.name ? `${p.port} (${p.name})` : String(p.port))).join(', ') || 'none';
  throw new HomeportError('NOT_FOUND', `${what} has no port ${remote}; its ports: ${known}`);
}

/** The pod's port behind a Service port (number or name), as kubectl maps it for this pod. */
export function servicePortToPod(svc: Service, pod: Pod, remote: number | string, what: string): number {
  const svcPort = servicePort(svc, remote, what);
  // A headless Service's port is the pod's port.
  if (svc.spec?.clusterIP === 'None') return svcPort.port;
  const target = svcPort.targetPort;
  if (target === undefined || target === 0) return svcPort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  return containerPortByName(pod, target, `pod ${pod.metadata?.name ?? '?'} (behind ${what})`);
}

/** The label selector of a Service's selector map, as the API's labelSelector parameter. */
export const selectorText = (selector: Record<string, string>) =>
  Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** Reads one object; a 404 becomes NOT_FOUND naming it. */
export async function read<T>(gateway: KubeGateway, path: string, what: string, signal?: AbortSignal): Promise<T> {
  try {
    return await gateway.getJson<T>(path, { signal });
  } catch (err) {
    if (err instanceof KubeRequestError && err.status === 404) {
      throw new HomeportError('NOT_FOUND', `${what} does not exist`);
    }
    throw err;
  }
}

/**
 * The pod a forward to a pod uses: it must run (kubectl refuses otherwise), and a named port is
 * one of its container ports.
 */
export async function resolvePod(
  gateway: KubeGateway,
  namespace: string,
  name: string,
  remote: number | string,
  signal?: AbortSignal,
): Promise<Resolved> {
  const what = `pod ${name} in namespace ${namespace}`;
  const pod = await read<Pod>(gateway, `${podsPath(namespace)}/${encodeURIComponent(name)}`, what, signal);
  const phase = pod.status?.phase ?? 'Unknown';
  if (phase !== 'Running') {
    throw new HomeportError(
      'CONFLICT',
      `${what} is not running (phase ${phase}); a port can be forwarded only to a running pod`,
    );
  }
  return { pod: name, port: typeof remote === 'number' ? remote : containerPortByName(pod, remote, what) };
}

/**
 * The ready pod a forward to a Service uses now, other than those in `avoid` (pods that just
 * failed): the Service and its pods are read afresh, so a replaced pod's successor is found.
 */
export async function resolveService(
  gateway: KubeGateway,
  namespace: string,
  name: string,
  remote: number | string,
  avoid: ReadonlySet<string> = new Set(),
  signal?: AbortSignal,
): Promise<Resolved> {
  const what = `service ${name} in namespace ${namespace}`;
  const svc = await read<Service>(gateway, servicePath(namespace, name), what, signal);
  const selector = svc.spec?.selector ?? {};
  if (Object.keys(selector).length === 0) {
    throw new HomeportError(
      'INVALID_INPUT',
      `${what} has no selector, so it has no pods to forward to; forward to a pod instead`,
    );
  }
  servicePort(svc, remote, what);
  const labels = selectorText(selector);
  const { items } = await gateway.listAll<Pod>(`${podsPath(namespace)}?labelSelector=${encodeURIComponent(labels)}`, {
    signal,
  });
  const ready = items.filter((p) => isReady(p) && !avoid.has(p.metadata?.name ?? '')).sort(byPreference);
  const pod = ready[0];
  if (!pod?.metadata?.name) {
    throw new HomeportError(
      'UNAVAILABLE',
      `${what} has no ready pod (${items.length} pod${items.length === 1 ? '' : 's'} match its selector ${labels}); wait until one is ready`,
    );
  }
  return { pod: pod.metadata.name, port: servicePortToPod(svc, pod, remote, what) };
}
