/**
 * Where a kind lives on the API server: the resources a stack renders are known up front; any
 * other kind is looked up once per gateway through discovery.
 */
import type { KubeGateway } from '../kube/kube-gateway';
import type { KubeObject } from '../stacks/types';

export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const r = (apiVersion: string, kind: string, plural: string, namespaced = true): ResourceInfo => ({
  apiVersion,
  kind,
  plural,
  namespaced,
});

/** Every kind a stack can render, in the order uninstall deletes them (workloads first, storage last). */
export const STACK_KINDS: readonly ResourceInfo[] = [
  r('apps/v1', 'Deployment', 'deployments'),
  r('apps/v1', 'StatefulSet', 'statefulsets'),
  r('batch/v1', 'CronJob', 'cronjobs'),
  r('batch/v1', 'Job', 'jobs'),
  r('autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'),
  r('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  r('networking.k8s.io/v1', 'Ingress', 'ingresses'),
  r('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'),
  r('v1', 'Service', 'services'),
  r('v1', 'ConfigMap', 'configmaps'),
  r('v1', 'Secret', 'secrets'),
  r('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings'),
  r('rbac.authorization.k8s.io/v1', 'Role', 'roles'),
  r('v1', 'ServiceAccount', 'serviceaccounts'),
  r('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  r('v1', 'PersistentVolume', 'persistentvolumes', false),
];

const KNOWN: readonly ResourceInfo[] = [
  ...STACK_KINDS,
  r('v1', 'Namespace', 'namespaces', false),
  r('v1', 'Pod', 'pods'),
  r('v1', 'Event', 'events'),
  r('apps/v1', 'ReplicaSet', 'replicasets'),
];

/** prometheus-operator's ServiceMonitor: listed only on clusters that serve it (monitoring.ts). */
export const SERVICE_MONITORS = r('monitoring.coreos.com/v1', 'ServiceMonitor', 'servicemonitors');

export const kindKey = (apiVersion: string, kind: string) => `${apiVersion}/${kind}`;

const prefix = (apiVersion: string) => (apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
const enc = encodeURIComponent;

/** The collection path of a resource: namespaced ones inside `namespace`. */
export function collectionPath(info: ResourceInfo, namespace?: string): string {
  return info.namespaced
    ? `${prefix(info.apiVersion)}/namespaces/${enc(namespace ?? '')}/${info.plural}`
    : `${prefix(info.apiVersion)}/${info.plural}`;
}

export function objectPath(info: ResourceInfo, name: string, namespace?: string): string {
  return `${collectionPath(info, namespace)}/${enc(name)}`;
}

export const known = (kind: string): ResourceInfo => {
  const info = KNOWN.find((k) => k.kind === kind);
  if (!info) throw new Error(`${kind} is not a kind the deploy engine knows`);
  return info;
};

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

const discovered = new WeakMap<KubeGateway, Map<string, ResourceInfo>>();

/** Resolves an object's kind to its resource, from the table above or the server's discovery. */
export async function resourceOf(gateway: KubeGateway, o: Pick<KubeObject, 'apiVersion' | 'kind'>) {
  const hit = KNOWN.find((k) => k.apiVersion === o.apiVersion && k.kind === o.kind);
  if (hit) return hit;
  let cache = discovered.get(gateway);
  if (!cache) discovered.set(gateway, (cache = new Map()));
  const key = kindKey(o.apiVersion, o.kind);
  const cached = cache.get(key);
  if (cached) return cached;
  const list = await gateway.getJson<ApiResourceList>(prefix(o.apiVersion));
  const res = list.resources?.find((x) => x.kind === o.kind && !x.name.includes('/'));
  if (!res) throw new Error(`The cluster does not serve ${o.kind} in ${o.apiVersion}`);
  const info = r(o.apiVersion, o.kind, res.name, res.namespaced);
  cache.set(key, info);
  return info;
}
