/** The API resources the sandbox serves: the groups a self-hosted media stack uses. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  subresources?: ('status' | 'scale' | 'log' | 'eviction')[];
  /** Served because a CustomResourceDefinition asks for it (see crds.ts). */
  custom?: boolean;
  /** Where its objects are kept when several versions share them (a CRD's versions); itself when unset. */
  storedAs?: ResourceType;
}

/** The identity objects of a resource are stored and watched under (shared by a CRD's versions). */
export const storageOf = (r: ResourceType): ResourceType => r.storedAs ?? r;

const grouped = (
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames?: string[],
  subresources?: ResourceType['subresources'],
): ResourceType => ({
  group,
  version,
  kind,
  plural,
  singular: kind.toLowerCase(),
  namespaced,
  shortNames,
  subresources,
});
const core = (
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames?: string[],
  subresources?: ResourceType['subresources'],
) => grouped('', 'v1', kind, plural, namespaced, shortNames, subresources);

export const RESOURCES: ResourceType[] = [
  core('Pod', 'pods', true, ['po'], ['status', 'log', 'eviction']),
  core('Service', 'services', true, ['svc'], ['status']),
  core('Secret', 'secrets', true),
  core('ConfigMap', 'configmaps', true, ['cm']),
  core('Namespace', 'namespaces', false, ['ns'], ['status']),
  core('Node', 'nodes', false, ['no'], ['status']),
  core('Event', 'events', true, ['ev']),
  core('PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc'], ['status']),
  core('PersistentVolume', 'persistentvolumes', false, ['pv'], ['status']),
  core('ServiceAccount', 'serviceaccounts', true, ['sa']),
  core('Endpoints', 'endpoints', true, ['ep']),
  grouped('apps', 'v1', 'Deployment', 'deployments', true, ['deploy'], ['status', 'scale']),
  grouped('apps', 'v1', 'ReplicaSet', 'replicasets', true, ['rs'], ['status', 'scale']),
  grouped('apps', 'v1', 'StatefulSet', 'statefulsets', true, ['sts'], ['status', 'scale']),
  grouped('apps', 'v1', 'DaemonSet', 'daemonsets', true, ['ds'], ['status']),
  grouped('batch', 'v1', 'Job', 'jobs', true, undefined, ['status']),
  grouped('batch', 'v1', 'CronJob', 'cronjobs', true, ['cj'], ['status']),
  grouped('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  grouped('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, ['hpa'], ['status']),
  grouped('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, ['pdb'], ['status']),
  grouped('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, ['netpol']),
  grouped('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, ['ing'], ['status']),
  grouped('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  grouped('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  grouped('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  grouped('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  grouped('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, ['sc']),
  grouped(
    'apiextensions.k8s.io',
    'v1',
    'CustomResourceDefinition',
    'customresourcedefinitions',
    false,
    ['crd', 'crds'],
    ['status'],
  ),
];

/** Kubernetes' version priority: GA before beta before alpha, higher numbers first, then other names. */
export function versionPriority(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0, v] as const;
    return [m[2] === 'alpha' ? 2 : m[2] === 'beta' ? 1 : 0, -Number(m[1]), -Number(m[3] ?? 0), v] as const;
  };
  const [pa, pb] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] as number) - (pb[i] as number);
  return pa[3] < pb[3] ? -1 : pa[3] > pb[3] ? 1 : 0;
}

export const groupVersion = (r: Pick<ResourceType, 'group' | 'version'>) =>
  r.group ? `${r.group}/${r.version}` : r.version;

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function resourceOfKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCES.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** APIResourceList for one group version, subresources included, as discovery returns it. */
export function resourceList(group: string, version: string) {
  const gv = groupVersion({ group, version });
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version).flatMap((r) => [
    {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    },
    ...(r.subresources ?? []).map((sub) => ({
      name: `${r.plural}/${sub}`,
      singularName: '',
      namespaced: r.namespaced,
      kind: sub === 'scale' ? 'Scale' : sub === 'eviction' ? 'Eviction' : r.kind,
      // kubectl drain evicts only when discovery names the Eviction's group and version.
      ...(sub === 'scale' ? { group: 'autoscaling', version: 'v1' } : {}),
      ...(sub === 'eviction' ? { group: 'policy', version: 'v1' } : {}),
      verbs: sub === 'log' ? ['get'] : sub === 'eviction' ? ['create'] : ['get', 'patch', 'update'],
    })),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources };
}

export function groupList() {
  const groups = new Map<string, string[]>();
  for (const r of RESOURCES)
    if (r.group) groups.set(r.group, [...new Set([...(groups.get(r.group) ?? []), r.version])]);
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups]
      .map(([name, unsorted]) => ({ name, versions: unsorted.sort(versionPriority) }))
      .map(({ name, versions }) => ({
        name,
        versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      })),
  };
}
