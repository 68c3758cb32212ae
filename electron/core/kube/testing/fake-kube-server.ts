/**
 * A scriptable Kubernetes API server for tests: stores objects, serves paged lists, and lets a
 * test push watch events, send bookmarks, force 410 Gone (as HTTP status or in-stream ERROR),
 * drop or silence open watches, fail requests with chosen statuses and stream pod logs.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestPki } from '../../../testing/tls';

export interface FakeObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string; [k: string]: unknown };
  [k: string]: unknown;
}

interface OpenWatch {
  resource: string;
  namespace?: string;
  res: http.ServerResponse;
  silent: boolean;
}

interface LogStream {
  lines: string[];
  /** Keep follow requests open for pushLog. */
  open: boolean;
  followers: Set<http.ServerResponse>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  resource?: string;
  watch: boolean;
  /** When it arrived (Date.now()). */
  at: number;
}

/** The server's version and discovery of the core kinds the tests store (the overview and the resource browser read them). */
const coreKind = (name: string, kind: string, namespaced: boolean) => ({
  name,
  kind,
  namespaced,
  verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
});
const DISCOVERY: Record<string, object> = {
  '/version': { major: '1', minor: '31', gitVersion: 'v1.31.0-fake' },
  '/api': { kind: 'APIVersions', versions: ['v1'] },
  '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      coreKind('pods', 'Pod', true),
      coreKind('events', 'Event', true),
      coreKind('nodes', 'Node', false),
      coreKind('namespaces', 'Namespace', false),
    ],
  },
};

const ROUTE = /^\/(api\/v1|apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?(?:\/(log))?$/;

export interface FakeKubeOptions {
  /** Bearer token accepted; others get 401. Changeable later with setToken (a rotated credential). */
  token?: string;
  /** Serve HTTPS with this certificate. */
  tls?: TestPki;
  /** Listen on this port (a cluster that comes back where it was); default any free port. */
  port?: number;
}

export async function startFakeKubeServer(opts: FakeKubeOptions = {}) {
  let token = opts.token;
  let rv = 100;
  /** Watches started from a resourceVersion below this get 410 Gone. */
  let compactedBelow = 0;
  let goneForm: 'http' | 'event' = 'event';
  const store = new Map<string, Map<string, FakeObject>>();
  const history: { rv: number; resource: string; type: string; object: FakeObject }[] = [];
  const watches = new Set<OpenWatch>();
  const logs = new Map<string, LogStream>();
  const requests: RecordedRequest[] = [];
  const failures: { match: (r: RecordedRequest) => boolean; status: number; message: string; times: number }[] = [];

  const bucket = (resource: string) => {
    let b = store.get(resource);
    if (!b) store.set(resource, (b = new Map()));
    return b;
  };
  const keyOf = (o: FakeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const matches = (w: { resource: string; namespace?: string }, resource: string, o: FakeObject) =>
    w.resource === resource && (!w.namespace || w.namespace === o.metadata.namespace);

  function json(res: http.ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }
  const statusBody = (code: number, message: string, reason = '') => ({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    message,
    reason,
    code,
  });

  function send(w: OpenWatch, event: unknown) {
    if (!w.silent && !w.res.writableEnded) w.res.write(JSON.stringify(event) + '\n');
  }

  function record(resource: string, type: string, object: FakeObject) {
    history.push({ rv, resource, type, object });
    for (const w of watches) if (matches(w, resource, object)) send(w, { type, object });
  }

  function handleWatch(req: RecordedRequest, res: http.ServerResponse, resource: string, namespace?: string) {
    const from = Number(req.query.get('resourceVersion') ?? '0');
    if (from && from < compactedBelow) {
      const gone = statusBody(410, `too old resource version: ${from} (${compactedBelow})`, 'Expired');
      if (goneForm === 'http') return json(res, 410, gone);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ type: 'ERROR', object: gone }) + '\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const w: OpenWatch = { resource, namespace, res, silent: false };
    watches.add(w);
    res.on('close', () => watches.delete(w));
    for (const h of history) if (h.rv > from && matches(w, h.resource, h.object)) send(w, h);
  }

  function handleList(req: RecordedRequest, res: http.ServerResponse, resource: string, namespace?: string) {
    let all = [...bucket(resource).values()].filter((o) => !namespace || o.metadata.namespace === namespace);
    const selector = req.query.get('fieldSelector');
    if (selector) {
      for (const term of selector.split(',')) {
        const [field, value] = term.split('=') as [string, string];
        all = all.filter(
          (o) => String(field.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], o)) === value,
        );
      }
    }
    const limit = Number(req.query.get('limit') ?? '0');
    const cont = req.query.get('continue');
    let offset = 0;
    let listRv = rv;
    if (cont) {
      const [o, r] = cont.split(':').map(Number) as [number, number];
      if (r < compactedBelow) return json(res, 410, statusBody(410, 'continue token expired', 'Expired'));
      offset = o;
      listRv = r;
    }
    const page = limit ? all.slice(offset, offset + limit) : all.slice(offset);
    const next = limit && offset + limit < all.length ? `${offset + limit}:${listRv}` : undefined;
    json(res, 200, { kind: 'List', metadata: { resourceVersion: String(listRv), continue: next }, items: page });
  }

  function handleLog(res: http.ServerResponse, query: URLSearchParams, key: string) {
    const stream = logs.get(key);
    if (!stream) return json(res, 404, statusBody(404, `pods "${key.split('/')[1]}" not found`, 'NotFound'));
    const tail = Number(query.get('tailLines') ?? '0');
    const lines = tail ? stream.lines.slice(-tail) : stream.lines;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    if (lines.length) res.write(lines.join('\n') + '\n');
    if (query.get('follow') === 'true' && stream.open) {
      stream.followers.add(res);
      res.on('close', () => stream.followers.delete(res));
    } else res.end();
  }

  const handler: http.RequestListener = (req, res) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    const m = ROUTE.exec(u.pathname);
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: u.pathname,
      query: u.searchParams,
      resource: m?.[3],
      watch: u.searchParams.get('watch') === '1' || u.searchParams.get('watch') === 'true',
      at: Date.now(),
    };
    requests.push(rec);
    if (token && req.headers.authorization !== `Bearer ${token}`)
      return json(res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
    const failure = failures.find((f) => f.times > 0 && f.match(rec));
    if (failure) {
      failure.times--;
      return json(res, failure.status, statusBody(failure.status, failure.message));
    }
    const discovery = DISCOVERY[u.pathname];
    if (!m && discovery) return json(res, 200, discovery);
    if (!m) return json(res, 404, statusBody(404, 'the server could not find the requested resource', 'NotFound'));
    const namespace = m[2];
    const resource = m[3]!;
    const name = m[4];
    const sub = m[5];
    if (sub === 'log') return handleLog(res, u.searchParams, `${namespace}/${name}`);
    if (name) {
      const key = `${namespace ?? ''}/${name}`;
      const obj = bucket(resource).get(key);
      if (!obj) return json(res, 404, statusBody(404, `${resource} "${name}" not found`, 'NotFound'));
      if (req.method === 'DELETE') {
        api.remove(resource, obj.metadata.namespace, name);
        return json(res, 200, obj);
      }
      return json(res, 200, obj);
    }
    if (rec.watch) return handleWatch(rec, res, resource, namespace);
    return handleList(rec, res, resource, namespace);
  };
  const server = opts.tls
    ? https.createServer({ cert: opts.tls.serverCert, key: opts.tls.serverKey }, handler)
    : http.createServer(handler);
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;

  const api = {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    /** Accept only this token from now on; requests with the old one get 401. */
    setToken(next: string) {
      token = next;
    },
    requests,
    get resourceVersion() {
      return rv;
    },
    get openWatches() {
      return watches.size;
    },
    watchRequests: (resource: string) => requests.filter((r) => r.watch && r.resource === resource),
    objects: (resource: string) => [...bucket(resource).values()],
    /** Creates or replaces an object and tells the watches (ADDED or MODIFIED). */
    put(resource: string, object: FakeObject) {
      rv++;
      const b = bucket(resource);
      const stored = structuredClone(object);
      stored.metadata.resourceVersion = String(rv);
      stored.metadata.uid ??= `uid-${keyOf(stored)}`;
      const type = b.has(keyOf(stored)) ? 'MODIFIED' : 'ADDED';
      b.set(keyOf(stored), stored);
      record(resource, type, stored);
      return stored;
    },
    /** Deletes an object and tells the watches. */
    remove(resource: string, namespace: string | undefined, name: string) {
      const b = bucket(resource);
      const key = `${namespace ?? ''}/${name}`;
      const obj = b.get(key);
      if (!obj) return;
      rv++;
      b.delete(key);
      const gone = structuredClone(obj);
      gone.metadata.resourceVersion = String(rv);
      record(resource, 'DELETED', gone);
    },
    /** Changes objects without telling anyone, as if the events were lost. */
    putQuietly(resource: string, object: FakeObject) {
      rv++;
      const stored = structuredClone(object);
      stored.metadata.resourceVersion = String(rv);
      stored.metadata.uid ??= `uid-${keyOf(stored)}`;
      bucket(resource).set(keyOf(stored), stored);
    },
    removeQuietly(resource: string, namespace: string | undefined, name: string) {
      rv++;
      bucket(resource).delete(`${namespace ?? ''}/${name}`);
    },
    /** Sends a BOOKMARK at the current resourceVersion to every open watch of a resource. */
    bookmark(resource: string) {
      for (const w of watches) {
        if (w.resource === resource)
          send(w, { type: 'BOOKMARK', object: { metadata: { resourceVersion: String(rv) } } });
      }
    },
    /** Forgets history: watches from older versions get 410, in the chosen form. */
    compact(form: 'http' | 'event' = 'event') {
      compactedBelow = rv;
      goneForm = form;
      history.length = 0;
    },
    /** Sends an in-stream ERROR 410 on every open watch and ends them. */
    goneOpenWatches() {
      for (const w of watches) {
        send(w, { type: 'ERROR', object: statusBody(410, 'too old resource version', 'Expired') });
        w.res.end();
      }
    },
    /** Ends open watches normally, as a server does when timeoutSeconds runs out. */
    endWatches() {
      for (const w of watches) w.res.end();
    },
    /** Cuts the TCP connection of every open watch. */
    dropWatches() {
      for (const w of watches) w.res.socket?.destroy();
    },
    /** Open watches receive nothing more (a dead link that never closes). */
    silenceWatches() {
      for (const w of watches) w.silent = true;
    },
    /** The next `times` requests that match get this HTTP status. */
    fail(match: (r: RecordedRequest) => boolean, status: number, message = `injected ${status}`, times = 1) {
      failures.push({ match, status, message, times });
    },
    setLogs(namespace: string, name: string, lines: string[], open = false) {
      logs.set(`${namespace}/${name}`, { lines: [...lines], open, followers: new Set() });
    },
    pushLog(namespace: string, name: string, text: string) {
      const s = logs.get(`${namespace}/${name}`);
      if (!s) return;
      for (const l of text.split('\n').filter((x, i, all) => x || i < all.length - 1)) s.lines.push(l);
      for (const f of s.followers) f.write(text);
    },
    endLogs(namespace: string, name: string) {
      const s = logs.get(`${namespace}/${name}`);
      if (!s) return;
      s.open = false;
      for (const f of s.followers) f.end();
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return api;
}

export type FakeKubeServer = Awaited<ReturnType<typeof startFakeKubeServer>>;

/** A pod object with the fields the summaries read. */
export function fakePod(namespace: string, name: string, extra: Partial<FakeObject> = {}): FakeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    ...extra,
    metadata: { name, namespace, creationTimestamp: '2025-01-01T00:00:00Z', ...(extra.metadata ?? {}) },
    spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'nginx:1' }], ...((extra.spec as object) ?? {}) },
    status: (extra.status as object) ?? {
      phase: 'Running',
      containerStatuses: [{ name: 'main', ready: true, restartCount: 0, state: { running: { startedAt: 'x' } } }],
    },
  };
}
