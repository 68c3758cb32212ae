import type * as http from 'node:http';
import type { ResourceType } from './resources';
import type { KObject, Store, StoreEvent } from './store';
import { toTable } from './tables';

export interface WatchRequest {
  resource: ResourceType;
  namespace?: string;
  resourceVersion?: number;
  bookmarks: boolean;
  timeoutSeconds: number;
  table: boolean;
  includeObject: string | null;
  matches: (o: KObject) => boolean;
  /** Answer an expired version with HTTP 410 instead of an in-stream ERROR event. */
  goneAsHttpStatus: boolean;
}

const GONE = (rv: number | undefined) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: `too old resource version: ${rv ?? 0}`,
  reason: 'Expired',
  code: 410,
});

/**
 * Streams watch events as newline-delimited JSON over a chunked response: history after the
 * requested version first, then live events, bookmarks on an interval, and an end after the
 * server-side timeout.
 */
export function serveWatch(
  store: Store,
  req: WatchRequest,
  res: http.ServerResponse,
  bookmarkMs: number,
  openWatches: Set<http.ServerResponse>,
) {
  const write = (type: string, object: unknown) => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const shape = (o: KObject) =>
    req.table ? toTable(req.resource, [o], o.metadata.resourceVersion ?? '', req.includeObject) : o;
  let lastRv = req.resourceVersion ?? Number(store.resourceVersion);
  const send = (e: StoreEvent) => {
    lastRv = e.rv;
    if (!req.matches(e.object)) return;
    write(e.type, shape(e.object));
  };
  const started = store.watch({ resource: req.resource, namespace: req.namespace, send }, req.resourceVersion);
  if (started === 'gone') {
    if (req.goneAsHttpStatus) {
      res.writeHead(410, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(GONE(req.resourceVersion)));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    write('ERROR', GONE(req.resourceVersion));
    res.end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
  openWatches.add(res);
  if (req.resourceVersion === undefined) {
    // A watch without a version starts with the current state as ADDED events.
    for (const o of store.list(req.resource, req.namespace)) if (req.matches(o)) write('ADDED', shape(o));
  }
  const bookmark = req.bookmarks
    ? setInterval(() => {
        const kind = req.table ? 'Table' : req.resource.kind;
        const apiVersion = req.table
          ? 'meta.k8s.io/v1'
          : req.resource.group
            ? `${req.resource.group}/${req.resource.version}`
            : 'v1';
        write('BOOKMARK', {
          kind,
          apiVersion,
          metadata: { resourceVersion: String(Math.max(lastRv, Number(store.resourceVersion))) },
        });
      }, bookmarkMs)
    : undefined;
  const timeout = setTimeout(() => res.end(), req.timeoutSeconds * 1000);
  const stop = () => {
    started.stop();
    clearInterval(bookmark);
    clearTimeout(timeout);
    openWatches.delete(res);
  };
  res.on('close', stop);
  res.on('finish', stop);
}

/** Fault injection: cut every open watch connection without a clean end. */
export function dropAllWatches(openWatches: Set<http.ServerResponse>) {
  for (const res of [...openWatches]) {
    openWatches.delete(res);
    res.socket?.destroy();
  }
}
