import { resourceId, type ResourceRow } from '@shared/resource-schemas';
import type { KubeObject } from '../kube-stream';
import {
  summarizeClaim,
  summarizeConfigMap,
  summarizeEvent,
  summarizeIngress,
  summarizeNamespace,
  summarizeNode,
  summarizeSecret,
  summarizeService,
  summarizeStorageClass,
  summarizeVolume,
} from './cluster-rows';
import { type AnyObject, summarizeGeneric } from './row-base';
import {
  summarizeCronJob,
  summarizeDaemonSet,
  summarizeDeployment,
  summarizeJob,
  summarizePodRow,
  summarizeReplicaSet,
  summarizeStatefulSet,
} from './workload-rows';

/** The summary of each kind the browser knows, by resourceId (plural[.group]); the columns are in KIND_COLUMNS. */
export const KIND_SUMMARIES: Readonly<Record<string, (obj: AnyObject) => ResourceRow>> = {
  'deployments.apps': summarizeDeployment,
  'statefulsets.apps': summarizeStatefulSet,
  'daemonsets.apps': summarizeDaemonSet,
  'replicasets.apps': summarizeReplicaSet,
  'jobs.batch': summarizeJob,
  'cronjobs.batch': summarizeCronJob,
  pods: summarizePodRow,
  services: summarizeService,
  'ingresses.networking.k8s.io': summarizeIngress,
  configmaps: summarizeConfigMap,
  secrets: summarizeSecret,
  persistentvolumeclaims: summarizeClaim,
  persistentvolumes: summarizeVolume,
  'storageclasses.storage.k8s.io': summarizeStorageClass,
  nodes: summarizeNode,
  namespaces: summarizeNamespace,
  events: summarizeEvent,
  'events.events.k8s.io': summarizeEvent,
};

/** The row summary for an object of the given resource: its kind's own, or the generic one. */
export function summarizerFor(r: { group: string; plural: string }): (obj: KubeObject) => ResourceRow {
  return (KIND_SUMMARIES[resourceId(r)] ?? summarizeGeneric) as (obj: KubeObject) => ResourceRow;
}
