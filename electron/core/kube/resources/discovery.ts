import type { ApiResource, Discovery } from '@shared/resource-schemas';
import { errorMessage } from '../../errors';
import type { KubeGateway } from '../kube-gateway';

interface APIResourceList {
  groupVersion?: string;
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[]; shortNames?: string[] }[];
}

interface APIGroupList {
  groups?: { name: string; preferredVersion?: { version: string }; versions?: { version: string }[] }[];
}

/** Listable, watchable resources of one group version; subresources (pods/log) are not kinds. */
function listable(group: string, version: string, list: APIResourceList): ApiResource[] {
  return (list.resources ?? [])
    .filter((r) => !r.name.includes('/') && r.verbs?.includes('list') && r.verbs.includes('watch'))
    .map((r) => ({
      group,
      version,
      kind: r.kind,
      plural: r.name,
      namespaced: r.namespaced,
      ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
    }));
}

/**
 * Every kind the API server serves, through discovery (/api and /apis, each group's preferred
 * version): built-in kinds and CRDs alike. A group version whose discovery fails (an aggregated
 * API that is down) is reported in `failed`; the rest still come back.
 */
export async function discoverResources(gateway: KubeGateway): Promise<Discovery> {
  const [core, groups] = await Promise.all([
    gateway.getJson<{ versions?: string[] }>('/api'),
    gateway.getJson<APIGroupList>('/apis'),
  ]);
  const targets: { group: string; version: string; path: string }[] = [];
  // The core group's versions are listed oldest first; there is only v1 in practice.
  const coreVersion = core.versions?.includes('v1') ? 'v1' : core.versions?.[0];
  if (coreVersion) targets.push({ group: '', version: coreVersion, path: `/api/${coreVersion}` });
  for (const g of groups.groups ?? []) {
    const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
    if (version) targets.push({ group: g.name, version, path: `/apis/${g.name}/${version}` });
  }
  const failed: Discovery['failed'] = [];
  const lists = await Promise.all(
    targets.map(async (t) => {
      try {
        return listable(t.group, t.version, await gateway.getJson<APIResourceList>(t.path));
      } catch (err) {
        failed.push({ groupVersion: t.group ? `${t.group}/${t.version}` : t.version, message: errorMessage(err) });
        return [];
      }
    }),
  );
  const resources = lists.flat();
  // Core Events and events.k8s.io Events are the same objects: keep the core one.
  const hasCoreEvents = resources.some((r) => r.group === '' && r.plural === 'events');
  return {
    resources: resources.filter((r) => !(hasCoreEvents && r.group === 'events.k8s.io' && r.plural === 'events')),
    failed: failed.sort((a, b) => a.groupVersion.localeCompare(b.groupVersion)),
  };
}

/** The collection path of a resource, in one namespace or across all. */
export function collectionPath(r: { group: string; version: string; plural: string }, namespace?: string): string {
  const base = r.group ? `/apis/${encodeURIComponent(r.group)}/${encodeURIComponent(r.version)}` : `/api/${r.version}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${encodeURIComponent(r.plural)}`;
}
