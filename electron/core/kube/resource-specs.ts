import type { LeaseSummary, PodSummary } from '@shared/kube-schemas';
import type { ResourceSpec } from './informer';
import { createInterner, type PodObject, summarizeLease, summarizePod } from './pod-summary';

export function podsSpec(context: string, namespace?: string): ResourceSpec<PodSummary> {
  const intern = createInterner();
  return {
    path: namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods` : '/api/v1/pods',
    what: namespace
      ? `pods in namespace '${namespace}' of context '${context}'`
      : `pods of all namespaces in context '${context}'`,
    summarize: (obj, previous) => summarizePod(obj as PodObject, { intern, previous }),
  };
}

export function leasesSpec(context: string): ResourceSpec<LeaseSummary> {
  return {
    path: '/apis/coordination.k8s.io/v1/leases',
    what: `leases of context '${context}'`,
    summarize: summarizeLease,
  };
}
