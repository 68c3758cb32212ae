import type * as http from 'node:http';
import { parse as parseYaml } from 'yaml';
import {
  ApiError,
  fieldMatcher,
  labelMatcher,
  notFound,
  readBody,
  sendJson,
  statusBody,
  validateName,
} from './http-util';
import { mergePatch, serverSideApply, strategicMergePatch } from './patch';
import { findResource, groupList, groupVersion, RESOURCES, resourceList, type ResourceType } from './resources';
import type { KObject, Store } from './store';
import { toTable, wantsTable } from './tables';
import { serveWatch } from './watch';
import { evictPod } from './eviction';
import { conflictError, dropOwnership, findConflicts } from './apply-conflicts';
import { openApiGroup, openApiRoot } from './openapi';
import { isMetricsApi, metricsGroup, serveMetricsApi } from './metrics-api';
import { isServiceProxy, serveServiceProxy } from './service-proxy';
import { isStreamingSubresource, streamingRefusal } from './streaming/upgrade';
import { foldStringData, recordUpdate, scaleOf, type JsonObject } from './api-objects';

export interface ApiServerDeps {
  store: Store;
  token: string;
  gitVersion: string;
  bookmarkMs: number;
  openWatches: Set<http.ServerResponse>;
  goneAsHttpStatus(): boolean;
  /** Defaults the API server fills in on create (cluster IPs, pod phase, secret data...). */
  admit(r: ResourceType, o: KObject): void;
  /** Deletes an object the way the API server would (graceful pods, namespace and owner cascade). */
  remove(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    gracePeriodSeconds?: number,
  ): KObject | undefined;
  /** Writes a pod's log to the response, following if asked. */
  serveLogs(namespace: string, name: string, q: URLSearchParams, res: http.ServerResponse): void | Promise<void>;
  /** Whether the runtime serves exec and port-forward (upgraded requests, see streaming/upgrade.ts). */
  hasStreams: boolean;
  /** Whether metrics.k8s.io is served (metrics-server installed, as k3s does by default). */
  metricsServer(): boolean;
}

type Json = Parameters<typeof mergePatch>[0];

interface Target {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  sub?: string;
}

const NAMESPACES = RESOURCES.find((r) => r.plural === 'namespaces') as ResourceType;

function route(pathname: string): Target | { discovery: unknown } | undefined {
  const seg = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (seg[0] === 'api') [group, version, rest] = ['', seg[1], seg.slice(2)];
  else if (seg[0] === 'apis' && seg.length >= 3) [group, version, rest] = [seg[1] ?? '', seg[2], seg.slice(3)];
  else return undefined;
  if (!version) return undefined;
  if (rest.length === 0) {
    const list = resourceList(group, version);
    return list.resources.length > 0 ? { discovery: list } : undefined;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && findResource(group, version, rest[2] ?? '')?.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = findResource(group, version, rest[0] ?? '');
  if (!resource || rest.length > 3) return undefined;
  return { resource, namespace, name: rest[1], sub: rest[2] };
}

export function createApiHandler(deps: ApiServerDeps) {
  const { store } = deps;

  return async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    try {
      if (req.headers.authorization !== `Bearer ${deps.token}`) {
        throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      }
      const url = new URL(req.url ?? '/', 'http://sandbox');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (path === '/version') {
        return sendJson(res, 200, {
          major: '1',
          minor: '31',
          gitVersion: deps.gitVersion,
          platform: 'linux/amd64',
          goVersion: 'go1.22',
          compiler: 'gc',
        });
      }
      if (path === '/api')
        return sendJson(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      if (path === '/apis') {
        const list = groupList();
        return sendJson(res, 200, deps.metricsServer() ? { ...list, groups: [...list.groups, metricsGroup()] } : list);
      }
      if (isServiceProxy(url.pathname)) return await serveServiceProxy(store, req, res, url);
      if (isMetricsApi(path) && deps.metricsServer()) return serveMetricsApi(store, req, res, url);
      if (path === '/openapi/v3') return sendJson(res, 200, openApiRoot());
      if (path.startsWith('/openapi/v3/')) {
        const doc = openApiGroup(path.slice('/openapi/v3/'.length));
        if (doc) return sendJson(res, 200, doc);
      }
      const target = route(path);
      if (!target) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      if ('discovery' in target) return sendJson(res, 200, target.discovery);
      await handleResource(target, req, res, url.searchParams);
    } catch (err) {
      const apiErr =
        err instanceof ApiError ? err : new ApiError(500, 'InternalError', `sandbox failed: ${String(err)}`);
      if (!res.headersSent) sendJson(res, apiErr.code, statusBody(apiErr));
      else res.end();
    }
  };

  async function handleResource(t: Target, req: http.IncomingMessage, res: http.ServerResponse, q: URLSearchParams) {
    const { resource: r } = t;
    if (r.namespaced && t.namespace === undefined && req.method !== 'GET') {
      throw new ApiError(400, 'BadRequest', `${r.plural} are namespaced: use /namespaces/{namespace}/${r.plural}`);
    }
    const dryRun = q.get('dryRun') === 'All';
    const table = wantsTable(req.headers.accept);
    if (r.kind === 'Pod' && isStreamingSubresource(t.sub)) throw streamingRefusal(t.sub ?? '', deps.hasStreams);
    switch (req.method) {
      case 'GET':
        if (!t.name) return list(t, q, req, res);
        if (t.sub === 'log') return deps.serveLogs(t.namespace ?? '', t.name, q, res);
        return sendJson(res, 200, present(t, getOrThrow(t), table, q));
      case 'POST': {
        if (r.kind === 'Pod' && t.name && t.sub === 'eviction') {
          const body = (await parseObject(req)) as Parameters<typeof evictPod>[3];
          const evict = (ns: string, name: string, grace?: number) => deps.remove(r, ns, name, grace);
          return sendJson(res, 201, evictPod(store, t.namespace ?? '', t.name, body, evict, dryRun));
        }
        if (t.name) throw new ApiError(405, 'MethodNotAllowed', 'POST goes to the collection');
        const o = await parseObject(req);
        return sendJson(res, 201, create(t, o, dryRun, q.get('fieldManager')));
      }
      case 'PUT': {
        const o = await parseObject(req);
        return sendJson(res, 200, replace(t, o, dryRun));
      }
      case 'PATCH':
        return sendJson(res, 200, await patch(t, req, q, dryRun));
      case 'DELETE': {
        if (!t.name)
          throw new ApiError(405, 'MethodNotAllowed', 'deleting a whole collection is not supported by the sandbox');
        const current = getOrThrow(t);
        const grace = await gracePeriodOf(req, q);
        if (dryRun) return sendJson(res, 200, current);
        return sendJson(res, 200, deps.remove(t.resource, t.namespace, t.name, grace) ?? current);
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', `${req.method} is not supported`);
    }
  }

  function getOrThrow(t: Target): KObject {
    const o = store.get(t.resource, t.namespace, t.name ?? '');
    if (!o) throw notFound(t.resource.plural, t.name ?? '', t.resource.group);
    return o;
  }

  function present(t: Target, o: KObject, table: boolean, q: URLSearchParams) {
    if (t.sub === 'scale') return scaleOf(o);
    return table ? toTable(t.resource, [o], store.resourceVersion, q.get('includeObject')) : o;
  }

  function list(t: Target, q: URLSearchParams, req: http.IncomingMessage, res: http.ServerResponse) {
    const labels = labelMatcher(q.get('labelSelector'));
    const fields = fieldMatcher(q.get('fieldSelector'));
    const matches = (o: KObject) => labels(o.metadata.labels) && fields(o);
    const table = wantsTable(req.headers.accept);
    if (q.get('watch') === 'true' || q.get('watch') === '1') {
      const rv = q.get('resourceVersion');
      return serveWatch(
        store,
        {
          resource: t.resource,
          namespace: t.namespace,
          resourceVersion: rv && rv !== '0' ? Number(rv) : undefined,
          bookmarks: q.get('allowWatchBookmarks') === 'true',
          timeoutSeconds: Math.min(Number(q.get('timeoutSeconds') ?? 1800) || 1800, 3600),
          table,
          includeObject: q.get('includeObject'),
          matches,
          goneAsHttpStatus: deps.goneAsHttpStatus(),
        },
        res,
        deps.bookmarkMs,
        deps.openWatches,
      );
    }
    const rv = store.resourceVersion;
    let items = store.list(t.resource, t.namespace).filter(matches);
    const limit = Number(q.get('limit') ?? 0);
    let offset = 0;
    const token = q.get('continue');
    if (token) {
      try {
        offset = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset: number }).offset;
      } catch {
        throw new ApiError(400, 'BadRequest', 'continue token is not valid');
      }
    }
    let next: string | undefined;
    if (limit > 0) {
      if (offset + limit < items.length)
        next = Buffer.from(JSON.stringify({ offset: offset + limit })).toString('base64');
      items = items.slice(offset, offset + limit);
    }
    if (table)
      return sendJson(res, 200, {
        ...toTable(t.resource, items, rv, q.get('includeObject')),
        metadata: { resourceVersion: rv, ...(next ? { continue: next } : {}) },
      });
    const apiVersion = groupVersion(t.resource);
    sendJson(res, 200, {
      kind: `${t.resource.kind}List`,
      apiVersion,
      metadata: { resourceVersion: rv, ...(next ? { continue: next } : {}) },
      items: items.map((o) => ({ ...o, apiVersion, kind: t.resource.kind })),
    });
  }

  async function parseObject(req: http.IncomingMessage): Promise<KObject> {
    const text = await readBody(req);
    let body: unknown;
    try {
      body = (req.headers['content-type'] ?? '').includes('yaml') ? parseYaml(text) : JSON.parse(text);
    } catch {
      throw new ApiError(400, 'BadRequest', 'the request body is not valid JSON or YAML');
    }
    if (typeof body !== 'object' || body === null || typeof (body as KObject).metadata !== 'object') {
      throw new ApiError(400, 'BadRequest', 'the request body must be a Kubernetes object with metadata');
    }
    return body as KObject;
  }

  function checkKind(t: Target, o: KObject) {
    const gv = groupVersion(t.resource);
    if ((o.apiVersion && o.apiVersion !== gv) || (o.kind && o.kind !== t.resource.kind)) {
      throw new ApiError(
        400,
        'BadRequest',
        `the object is ${o.apiVersion}/${o.kind}, but the path is for ${gv} ${t.resource.kind}`,
      );
    }
    o.apiVersion = gv;
    o.kind = t.resource.kind;
  }

  function create(t: Target, o: KObject, dryRun: boolean, manager: string | null): KObject {
    checkKind(t, o);
    if (!o.metadata.name && o.metadata.generateName)
      o.metadata.name = `${o.metadata.generateName}${Math.random().toString(36).slice(2, 7)}`;
    validateName(t.resource.kind, o.metadata.name);
    if (t.resource.namespaced) {
      if (o.metadata.namespace && o.metadata.namespace !== t.namespace) {
        throw new ApiError(
          400,
          'BadRequest',
          'the namespace of the object does not match the namespace of the request',
        );
      }
      o.metadata.namespace = t.namespace;
      if (!store.peek(NAMESPACES, undefined, t.namespace ?? '')) throw notFound('namespaces', t.namespace ?? '');
    } else delete o.metadata.namespace;
    if (store.peek(t.resource, t.namespace, o.metadata.name)) {
      throw new ApiError(409, 'AlreadyExists', `${t.resource.plural} "${o.metadata.name}" already exists`, {
        name: o.metadata.name,
        kind: t.resource.plural,
      });
    }
    deps.admit(t.resource, o);
    if (manager) recordUpdate(o, manager, o as unknown as JsonObject);
    if (dryRun)
      return { ...o, metadata: { ...o.metadata, uid: 'dry-run', creationTimestamp: new Date().toISOString() } };
    return store.create(t.resource, o);
  }

  function replace(t: Target, o: KObject, dryRun: boolean): KObject {
    const current = getOrThrow(t);
    checkKind(t, o);
    if (o.metadata.resourceVersion && o.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${t.resource.plural} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    let next: KObject;
    if (t.sub === 'status') next = { ...current, status: o.status };
    else if (t.sub === 'scale') next = withReplicas(current, (o.spec as { replicas?: number } | undefined)?.replicas);
    else next = { ...o, metadata: { ...o.metadata, namespace: current.metadata.namespace }, status: current.status };
    return dryRun ? next : store.update(t.resource, next);
  }

  async function patch(t: Target, req: http.IncomingMessage, q: URLSearchParams, dryRun: boolean): Promise<unknown> {
    const type = (req.headers['content-type'] ?? '').split(';')[0] ?? '';
    const text = await readBody(req);
    let body: JsonObject;
    try {
      body = (type === 'application/apply-patch+yaml' ? parseYaml(text) : JSON.parse(text)) as JsonObject;
    } catch {
      throw new ApiError(400, 'BadRequest', 'the patch is not valid JSON or YAML');
    }
    const manager = q.get('fieldManager');
    if (type === 'application/apply-patch+yaml') {
      if (!manager) throw new ApiError(400, 'BadRequest', 'fieldManager is required for apply requests');
      const live = store.get(t.resource, t.namespace, t.name ?? '');
      if (!live) {
        const created = serverSideApply(undefined, body, manager, groupVersion(t.resource)) as unknown as KObject;
        created.metadata = { ...created.metadata, name: t.name ?? '' };
        return create(t, created, dryRun, null);
      }
      const current = structuredClone(live) as unknown as JsonObject;
      const conflicts = findConflicts(current, body, manager);
      if (conflicts.length > 0) {
        if (q.get('force') !== 'true') throw conflictError(conflicts);
        dropOwnership(current, conflicts);
      }
      const applied = serverSideApply(current, body, manager, groupVersion(t.resource)) as unknown as KObject;
      checkKind(t, applied);
      if (t.resource.kind === 'Secret') foldStringData(applied);
      return dryRun
        ? applied
        : store.update(t.resource, { ...applied, status: t.sub === 'status' ? applied.status : live.status });
    }
    const current = getOrThrow(t);
    const merge =
      type === 'application/merge-patch+json'
        ? mergePatch
        : type === 'application/strategic-merge-patch+json'
          ? strategicMergePatch
          : undefined;
    if (!merge)
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the sandbox does not accept ${type || 'this'} patches: use merge, strategic merge or apply`,
      );
    if (t.sub === 'scale') {
      const scale = merge(scaleOf(current) as unknown as Json, body) as { spec?: { replicas?: number } };
      const next = withReplicas(current, scale.spec?.replicas);
      return scaleOf(dryRun ? next : store.update(t.resource, next));
    }
    const patched = merge(current as unknown as Json, body) as unknown as KObject;
    const next =
      t.sub === 'status'
        ? { ...current, status: patched.status }
        : {
            ...patched,
            status: current.status,
            metadata: { ...patched.metadata, name: current.metadata.name, namespace: current.metadata.namespace },
          };
    if (manager) recordUpdate(next, manager, body);
    return dryRun ? next : store.update(t.resource, next);
  }

  function withReplicas(o: KObject, replicas: number | undefined): KObject {
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw new ApiError(
        422,
        'Invalid',
        `Scale.autoscaling "${o.metadata.name}" is invalid: spec.replicas: Invalid value: ${String(replicas)}: must be greater than or equal to 0`,
      );
    }
    return { ...o, spec: { ...o.spec, replicas } };
  }
}

/** DeleteOptions.gracePeriodSeconds, from the body kubectl sends or the query. */
async function gracePeriodOf(req: http.IncomingMessage, q: URLSearchParams): Promise<number | undefined> {
  const text = await readBody(req);
  let fromBody: unknown;
  try {
    fromBody = text.trim() ? (JSON.parse(text) as { gracePeriodSeconds?: unknown }).gracePeriodSeconds : undefined;
  } catch {
    throw new ApiError(400, 'BadRequest', 'the DeleteOptions body is not JSON');
  }
  const value = fromBody ?? q.get('gracePeriodSeconds') ?? undefined;
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new ApiError(400, 'BadRequest', `gracePeriodSeconds: '${String(value)}' is not a whole number of seconds`);
  }
  return n;
}
