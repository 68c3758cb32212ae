/**
 * CustomResourceDefinitions (apiextensions.k8s.io/v1): creating one serves its kind, in every
 * served version, through discovery, list, watch and the object verbs, as generic objects (no
 * schema validation, no conversion); deleting one deletes its objects and stops serving it.
 */
import { ApiError } from './http-util';
import { RESOURCES, type ResourceType, versionPriority } from './resources';
import type { KObject, Store } from './store';

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: { kind?: string; plural?: string; singular?: string; shortNames?: string[]; listKind?: string };
  versions?: { name?: string; served?: boolean; storage?: boolean }[];
}

export const CRDS = RESOURCES.find((r) => r.plural === 'customresourcedefinitions') as ResourceType;

/** Checks a CRD as the API server does (the fields this sandbox relies on) and sets its status. */
export function admitCrd(o: KObject) {
  const spec = (o.spec ?? {}) as CrdSpec;
  const invalid = (field: string, why: string) =>
    new ApiError(
      422,
      'Invalid',
      `CustomResourceDefinition.apiextensions.k8s.io "${o.metadata.name}" is invalid: ${field}: ${why}`,
    );
  if (!spec.group) throw invalid('spec.group', 'Required value');
  if (!spec.names?.plural) throw invalid('spec.names.plural', 'Required value');
  if (!spec.names.kind) throw invalid('spec.names.kind', 'Required value');
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster')
    throw invalid(
      'spec.scope',
      `Unsupported value: "${String(spec.scope)}": supported values: "Cluster", "Namespaced"`,
    );
  if (o.metadata.name !== `${spec.names.plural}.${spec.group}`)
    throw invalid('metadata.name', `Invalid value: "${o.metadata.name}": must be spec.names.plural+"."+spec.group`);
  const versions = spec.versions ?? [];
  if (versions.length === 0)
    throw invalid('spec.versions', 'Invalid value: must have exactly one version marked as storage version');
  if (versions.filter((v) => v.storage).length !== 1)
    throw invalid('spec.versions', 'Invalid value: must have exactly one version marked as storage version');
  if (RESOURCES.some((r) => r.group === spec.group && r.plural === spec.names?.plural && !r.custom))
    throw invalid(
      'spec.group',
      `Invalid value: "${spec.group}": the group and plural are served by the API server itself`,
    );
  const names = {
    ...spec.names,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
    listKind: spec.names.listKind ?? `${spec.names.kind}List`,
  };
  o.status = {
    conditions: [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
      {
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
      },
    ],
    acceptedNames: names,
    storedVersions: versions.filter((v) => v.storage).map((v) => v.name),
  };
}

/**
 * Keeps the served resources in step with the stored CRDs. One ResourceType per (group, version,
 * plural) lives as long as the kind is served, since stored objects and watches are keyed by it.
 */
export function serveCustomResources(store: Store) {
  const served = new Map<string, ResourceType[]>();
  /** Per CRD, the one identity its versions keep their objects under (never served itself). */
  const stored = new Map<string, ResourceType>();

  function unserve(crdName: string, keep: ResourceType[] = []) {
    for (const r of served.get(crdName) ?? []) {
      if (keep.includes(r)) continue;
      const i = RESOURCES.indexOf(r);
      if (i >= 0) RESOURCES.splice(i, 1);
    }
    if (keep.length) {
      served.set(crdName, keep);
      return;
    }
    // Its objects go with it, as when the API server deletes a CRD.
    const storage = stored.get(crdName);
    if (storage) for (const o of store.list(storage)) store.remove(storage, o.metadata.namespace, o.metadata.name);
    served.delete(crdName);
    stored.delete(crdName);
  }

  function serve(crd: KObject) {
    const spec = (crd.spec ?? {}) as CrdSpec;
    const names = spec.names ?? {};
    const versions = (spec.versions ?? [])
      .filter((v) => v.served !== false && v.name)
      .map((v) => v.name as string)
      .sort(versionPriority);
    const before = served.get(crd.metadata.name) ?? [];
    let storage = stored.get(crd.metadata.name);
    if (!storage) {
      storage = {
        group: spec.group ?? '',
        version: '',
        kind: names.kind ?? '',
        plural: names.plural ?? '',
        singular: '',
        namespaced: spec.scope === 'Namespaced',
      };
      stored.set(crd.metadata.name, storage);
    }
    const now: ResourceType[] = versions.map((version) => {
      const existing = before.find((r) => r.version === version);
      const next: ResourceType = {
        group: spec.group ?? '',
        version,
        kind: names.kind ?? '',
        plural: names.plural ?? '',
        singular: names.singular ?? (names.kind ?? '').toLowerCase(),
        namespaced: spec.scope === 'Namespaced',
        ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}),
        custom: true,
        storedAs: storage,
      };
      if (existing) return Object.assign(existing, next);
      RESOURCES.push(next);
      return next;
    });
    unserve(crd.metadata.name, now);
  }

  const stop = store.onChange((e) => {
    if (e.resource !== CRDS) return;
    if (e.type === 'DELETED') unserve(e.object.metadata.name);
    else serve(e.object);
  });
  return {
    /** Stops serving every custom kind (the sandbox is closing). */
    stop() {
      stop();
      for (const name of [...served.keys()]) unserve(name);
    },
  };
}
