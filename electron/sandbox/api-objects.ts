/** Small pieces of how the API server shapes objects: the Scale view, Secret stringData, managedFields. */
import { fieldSetOf, type mergePatch } from './patch';
import type { KObject } from './store';

type Json = Parameters<typeof mergePatch>[0];
export type JsonObject = Record<string, Json>;

export function scaleOf(o: KObject) {
  const selector = (o.spec?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: (o.spec?.replicas as number | undefined) ?? 1 },
    status: {
      replicas: (o.status?.replicas as number | undefined) ?? 0,
      selector: Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  };
}

/** Secrets: stringData is write-only; the API server folds it into data (base64) on every write. */
export function foldStringData(o: KObject) {
  const stringData = o.stringData as Record<string, string> | undefined;
  if (!stringData) return;
  o.data = {
    ...(o.data as object | undefined),
    ...Object.fromEntries(Object.entries(stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
  delete o.stringData;
}

export function recordUpdate(o: KObject, manager: string, changed: JsonObject) {
  const entries = (o.metadata.managedFields ?? []) as { manager: string; operation: string }[];
  o.metadata.managedFields = [
    ...entries.filter((e) => !(e.manager === manager && e.operation === 'Update')),
    {
      manager,
      operation: 'Update',
      apiVersion: o.apiVersion,
      time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      fieldsType: 'FieldsV1',
      fieldsV1: fieldSetOf(changed),
    },
  ];
}
