/**
 * What the sandbox's API server checks and defaults on an object before storing it (the
 * admission the real API server does for the kinds the sandbox serves): required fields refused
 * with the API server's 422 text, defaults filled in as the real server fills them.
 */
import { randomUUID } from 'node:crypto';
import { admitCrd, CRDS } from './crds';
import { ApiError } from './http-util';
import { RESOURCES, type ResourceType } from './resources';
import type { KObject, Store } from './store';

const STORAGE_CLASSES = RESOURCES.find((r) => r.plural === 'storageclasses') as ResourceType;

export interface Admission {
  store: Store;
  /** The next ClusterIP this sandbox hands out. */
  nextClusterIp(): string;
}

export function admit({ store, nextClusterIp }: Admission, r: ResourceType, o: KObject) {
  if (r === CRDS) return admitCrd(o);
  const spec = (o.spec ??= {});
  switch (r.kind) {
    case 'Pod': {
      const containers = spec.containers;
      if (!Array.isArray(containers) || containers.length === 0) {
        throw new ApiError(422, 'Invalid', `Pod "${o.metadata.name}" is invalid: spec.containers: Required value`);
      }
      spec.restartPolicy ??= 'Always';
      o.status = { phase: 'Pending', ...(o.status?.phase === 'Running' ? o.status : {}) };
      break;
    }
    case 'Service':
      spec.type ??= 'ClusterIP';
      spec.clusterIP ??= nextClusterIp();
      break;
    case 'Secret': {
      const stringData = o.stringData as Record<string, string> | undefined;
      if (stringData) {
        o.data = {
          ...(o.data as object),
          ...Object.fromEntries(Object.entries(stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        };
        delete o.stringData;
      }
      o.type ??= 'Opaque';
      delete o.spec;
      break;
    }
    case 'Namespace':
      o.status = { phase: 'Active' };
      break;
    case 'PersistentVolumeClaim':
      // The DefaultStorageClass admission plugin: an unset class becomes the default one.
      if (spec.storageClassName === undefined) {
        const def = store
          .list(STORAGE_CLASSES)
          .find((c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
        if (def) spec.storageClassName = def.metadata.name;
      }
      o.status = { phase: 'Pending' };
      break;
    case 'PersistentVolume':
      o.status = { phase: 'Available' };
      break;
    case 'StorageClass':
      delete o.spec;
      break;
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet': {
      spec.replicas ??= 1;
      const selector = (spec.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {};
      const labels =
        (spec.template as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels ?? {};
      if (Object.entries(selector).length === 0 || !Object.entries(selector).every(([k, v]) => labels[k] === v)) {
        throw new ApiError(
          422,
          'Invalid',
          `${r.kind} "${o.metadata.name}" is invalid: spec.template.metadata.labels: Invalid value: \`selector\` does not match template \`labels\``,
        );
      }
      o.status = {};
      break;
    }
    case 'Job': {
      // As the API server defaults a Job without manualSelector: its uid as the selector, and the
      // uid and the Job's name as labels of its pods (kubectl logs job/NAME finds them so).
      const uid = randomUUID();
      o.metadata.uid = uid;
      if (!spec.manualSelector) {
        const name = o.metadata.name;
        spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
        const template = (spec.template ??= {}) as { metadata?: { labels?: Record<string, string> } };
        template.metadata = {
          ...template.metadata,
          labels: {
            ...template.metadata?.labels,
            'batch.kubernetes.io/controller-uid': uid,
            'batch.kubernetes.io/job-name': name,
            'controller-uid': uid,
            'job-name': name,
          },
        };
      }
      spec.backoffLimit ??= 6;
      break;
    }
    case 'ConfigMap':
    case 'Event':
    case 'Lease':
    case 'Role':
    case 'RoleBinding':
    case 'ClusterRole':
    case 'ClusterRoleBinding':
      if (Object.keys(spec).length === 0 && r.kind !== 'Lease') delete o.spec;
      break;
    default:
  }
}
