import { groupVersion, RESOURCES } from './resources';

/**
 * kubectl downloads OpenAPI v3 before apply to learn whether the server validates fields itself
 * (the `fieldValidation` query parameter). The sandbox says it does, and does: unknown kinds and
 * malformed objects are refused by the handlers. These documents describe operations, not schemas.
 */
const gvPath = (gv: string) => (gv.includes('/') ? `apis/${gv}` : `api/${gv}`);

export function openApiRoot() {
  const gvs = [...new Set(RESOURCES.map(groupVersion))];
  return {
    paths: Object.fromEntries(
      gvs.map((gv) => [gvPath(gv), { serverRelativeURL: `/openapi/v3/${gvPath(gv)}?hash=homeport-sandbox-1` }]),
    ),
  };
}

const params = [
  { name: 'dryRun', in: 'query', schema: { type: 'string' } },
  { name: 'fieldManager', in: 'query', schema: { type: 'string' } },
  { name: 'fieldValidation', in: 'query', schema: { type: 'string' } },
  { name: 'force', in: 'query', schema: { type: 'boolean' } },
];

export function openApiGroup(path: string) {
  const resources = RESOURCES.filter((r) => gvPath(groupVersion(r)) === path);
  if (resources.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of resources) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const op = (action: string) => ({
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      parameters: params,
      responses: {},
    });
    const base = `/${path}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}`;
    paths[base] = { post: op('post'), get: op('list') };
    paths[`${base}/{name}`] = { get: op('get'), put: op('put'), patch: op('patch'), delete: op('delete') };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (Homeport sandbox)', version: 'v1.31.4' },
    paths,
    components: { schemas: {} },
  };
}
