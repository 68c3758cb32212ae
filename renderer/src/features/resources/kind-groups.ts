import { resourceId, type ApiResource } from '@shared/resource-schemas';

/** The sections of the kind list, in the order they are shown. */
export const KIND_SECTIONS = ['Workloads', 'Network', 'Config', 'Storage', 'Cluster', 'Access', 'Custom'] as const;
export type KindSection = (typeof KIND_SECTIONS)[number];

const SECTION_OF: Record<string, KindSection> = {
  'deployments.apps': 'Workloads',
  'statefulsets.apps': 'Workloads',
  'daemonsets.apps': 'Workloads',
  'replicasets.apps': 'Workloads',
  'jobs.batch': 'Workloads',
  'cronjobs.batch': 'Workloads',
  pods: 'Workloads',
  'horizontalpodautoscalers.autoscaling': 'Workloads',
  'poddisruptionbudgets.policy': 'Workloads',
  services: 'Network',
  endpoints: 'Network',
  'ingresses.networking.k8s.io': 'Network',
  'ingressclasses.networking.k8s.io': 'Network',
  'networkpolicies.networking.k8s.io': 'Network',
  'endpointslices.discovery.k8s.io': 'Network',
  configmaps: 'Config',
  secrets: 'Config',
  'leases.coordination.k8s.io': 'Config',
  persistentvolumeclaims: 'Storage',
  persistentvolumes: 'Storage',
  'storageclasses.storage.k8s.io': 'Storage',
  nodes: 'Cluster',
  namespaces: 'Cluster',
  events: 'Cluster',
  serviceaccounts: 'Access',
};

/** Built-in API groups: a kind from any other group is a custom resource (CRD or aggregated API). */
const BUILT_IN = /(^|\.)k8s\.io$|^(apps|batch|autoscaling|policy)$|^$/;

export function sectionOf(r: ApiResource): KindSection {
  return (
    SECTION_OF[resourceId(r)] ??
    (r.group.startsWith('rbac.') ? 'Access' : BUILT_IN.test(r.group) ? 'Cluster' : 'Custom')
  );
}

/** Discovered kinds by section, each section sorted by kind. */
export function groupKinds(resources: readonly ApiResource[]): { section: KindSection; kinds: ApiResource[] }[] {
  return KIND_SECTIONS.map((section) => ({
    section,
    kinds: resources.filter((r) => sectionOf(r) === section).sort((a, b) => a.kind.localeCompare(b.kind)),
  })).filter((s) => s.kinds.length > 0);
}

/** The kind a browser opens first. */
export const DEFAULT_KIND = 'deployments.apps';
