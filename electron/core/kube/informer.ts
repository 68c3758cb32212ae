import type { WatchStatus } from '@shared/kube-schemas';
import { errorMessage, HomeportError } from '../errors';
import { backoffDelay } from './backoff';
import { clusterOf, KubeAbortError, type KubeGateway, KubeRequestError } from './kube-gateway';
import type { KubeObject, WatchEvent } from './kube-stream';
import { createLiveStore, type Delta, type SubscribeOptions } from './live-store';

export type { Delta, SubscribeOptions } from './live-store';

/** What to list and watch, and how to boil each object down to what the UI shows. */
export interface ResourceSpec<T> {
  /** Collection path without query, e.g. /api/v1/namespaces/media/pods. */
  path: string;
  /** For messages: "pods in namespace 'media' of context 'home'". */
  what: string;
  /** `previous` is what the watch held for this object before, if anything. */
  summarize(obj: KubeObject, previous: T | undefined): T;
}

export interface WatchTuning {
  batchMs: number;
  /** How often a watch only background subscribers hear is read (see StreamPace); 0 as data comes. */
  backgroundPaceMs: number;
  /** No bytes at all (not even a bookmark) for this long means the connection is dead. */
  idleTimeoutMs: number;
  /** Server-side watch timeout before jitter (the server then ends the watch normally). */
  watchTimeoutSeconds: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  listTimeoutMs: number;
  random: () => number;
  now: () => number;
}

export const defaultTuning: WatchTuning = {
  batchMs: 50,
  // A notification or an overview count may lag this much when no screen shows the pods.
  backgroundPaceMs: 500,
  // API servers send a bookmark about every minute; two missed ones mean the link is gone.
  idleTimeoutMs: 150_000,
  watchTimeoutSeconds: 300,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  listTimeoutMs: 60_000,
  random: Math.random,
  now: Date.now,
};

class GoneError extends Error {}

/** At most one immediate, silent reconnect in this span; further failures back off visibly. */
const QUICK_RETRY_EVERY_MS = 10_000;

const keyOf = (obj: KubeObject) => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;

/**
 * One list+watch of one collection, feeding any number of subscribers with batched deltas.
 * Keeps only summaries; each event costs O(1), only a relist costs O(n).
 */
export function createInformer<T>(spec: ResourceSpec<T>, openGateway: () => Promise<KubeGateway>, tuning: WatchTuning) {
  const stopper = new AbortController();
  const store = createLiveStore<T>(tuning.batchMs, () => stopper.signal.aborted);
  let gateway: KubeGateway | undefined;
  /** Watch requests made, for tests and diagnostics. */
  let watchCount = 0;

  function setStatus(next: WatchStatus) {
    // Back to work: a retry asked for earlier has happened.
    if (next.state === 'live') retryPending = false;
    store.setStatus(next);
  }

  /** One page of a list: the first list shows its pages as they arrive; a relist gathers them. */
  function listPage(objects: KubeObject[], into: Map<string, T>, opts: { first: boolean; shown: boolean }) {
    if (opts.shown && opts.first) store.replaceAll(into);
    for (const obj of objects) {
      const key = keyOf(obj);
      const item = spec.summarize(obj, store.get(key));
      if (opts.shown) store.upsert(key, item);
      else into.set(key, item);
    }
  }

  function onEvent(event: WatchEvent, track: (rv: string) => void) {
    const rv = event.object.metadata?.resourceVersion;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const key = keyOf(event.object);
        store.upsert(key, spec.summarize(event.object, store.get(key)));
        break;
      }
      case 'DELETED':
        store.remove(keyOf(event.object));
        break;
      case 'BOOKMARK':
        break;
      case 'ERROR':
        if (event.object.code === 410) throw new GoneError('resource version too old');
        throw new KubeRequestError(
          'http',
          `The watch of ${spec.what} failed: ${event.object.message ?? `error ${event.object.code ?? 'unknown'}`}`,
          event.object.code,
        );
    }
    if (rv) track(rv);
  }

  /** Ends the current backoff early (see retryNow). */
  let wake: (() => void) | undefined;
  /** A retry was asked for while no backoff was running: the next backoff is skipped. */
  let retryPending = false;
  const sleep = (ms: number) =>
    new Promise<void>((resolveSleep) => {
      if (retryPending) {
        retryPending = false;
        resolveSleep();
        return;
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        stopper.signal.removeEventListener('abort', done);
        wake = undefined;
        retryPending = false;
        resolveSleep();
      }
      wake = done;
      stopper.signal.addEventListener('abort', done, { once: true });
    });

  function fatal(err: unknown, hadSuccess: boolean): string | undefined {
    if (err instanceof KubeRequestError) {
      if (err.status === 401 && hadSuccess) return undefined;
      if (err.reason === 'unauthorized') return `Cannot watch ${spec.what}: ${err.message}`;
      if (err.status === 404) return `Cannot watch ${spec.what}: the API server does not serve ${spec.path}.`;
      return undefined;
    }
    if (err instanceof HomeportError && ['FORBIDDEN', 'NOT_FOUND', 'INVALID_INPUT', 'UNAUTHORIZED'].includes(err.code))
      return err.message;
    return undefined;
  }

  async function run() {
    const signal = stopper.signal;
    let attempt = 0;
    let needList = true;
    let rv = '';
    let gones = 0;
    // A 401 after things worked usually means a short-lived token expired: reopen once.
    let hadSuccess = false;
    let lastQuickRetry = -Infinity;
    /** The cluster the items were listed from (see clusterOf). */
    let listedFrom = '';
    while (!signal.aborted) {
      let started = 0;
      let events = 0;
      let opened = false;
      // Set when the watch opened on another cluster than the list came from: that watch is dropped.
      let clusterChanged = false;
      const attemptStop = new AbortController();
      const stopAttempt = () => attemptStop.abort();
      signal.addEventListener('abort', stopAttempt, { once: true });
      try {
        if (!gateway) {
          gateway = await openGateway();
          if (signal.aborted) break;
        }
        if (clusterOf(gateway) !== listedFrom) needList = true;
        if (needList) {
          if (!store.synced || store.status.state !== 'live') setStatus({ state: 'syncing' });
          const into = new Map<string, T>();
          const shown = !store.synced;
          let first = true;
          const list = await gateway.listAll<KubeObject>(spec.path, {
            signal,
            timeoutMs: tuning.listTimeoutMs,
            // Only summaries are kept, and no summary reads managedFields.
            dropManagedFields: true,
            onPage: (page) => {
              listPage(page as KubeObject[], into, { first, shown });
              first = false;
            },
          });
          store.listed(into, shown);
          rv = list.resourceVersion;
          listedFrom = clusterOf(gateway);
          needList = false;
          hadSuccess = true;
          attempt = 0;
          setStatus({ state: 'live' });
        }
        started = tuning.now();
        const timeout = Math.round(tuning.watchTimeoutSeconds * (1 + tuning.random()));
        watchCount++;
        const watching = gateway;
        await watching.watch(
          `${spec.path}?watch=1&allowWatchBookmarks=true&timeoutSeconds=${timeout}&resourceVersion=${encodeURIComponent(rv)}`,
          (event) => {
            if (event.type !== 'ERROR') {
              events++;
              attempt = 0;
              gones = 0;
            }
            onEvent(event, (next) => (rv = next));
          },
          {
            signal: attemptStop.signal,
            idleTimeoutMs: tuning.idleTimeoutMs,
            pace,
            dropManagedFields: true,
            onOpen: () => {
              // The gateway may have renewed its settings on the way (a new CA, a moved server).
              if (clusterOf(watching) !== listedFrom) {
                clusterChanged = true;
                attemptStop.abort();
                return;
              }
              opened = true;
              hadSuccess = true;
              setStatus({ state: 'live' });
            },
          },
        );
        // The server ended the watch on its timeout: resume at once, unless it keeps ending
        // watches immediately, which would otherwise become a busy loop.
        if (events === 0 && tuning.now() - started < 1000) await sleep(backoffDelay(attempt++, backoffOpts()));
      } catch (err) {
        if (signal.aborted) break;
        if (clusterChanged) {
          needList = true;
          continue;
        }
        if (err instanceof KubeAbortError) break;
        if (err instanceof GoneError || (err instanceof KubeRequestError && err.status === 410)) {
          // Our resourceVersion is older than the server keeps: only a fresh list tells the truth.
          needList = true;
          if (gones++ > 0) await sleep(backoffDelay(attempt++, backoffOpts()));
          continue;
        }
        const reason = fatal(err, hadSuccess);
        if (reason) {
          setStatus({ state: 'failed', message: reason });
          break;
        }
        const worked = opened && (events > 0 || tuning.now() - started >= 1000);
        if (worked && tuning.now() - lastQuickRetry > QUICK_RETRY_EVERY_MS) {
          lastQuickRetry = tuning.now();
          // A watch that worked and then died (idle link, proxy cut, server restart): one quiet
          // retry at once usually fixes it; only a failing retry is worth telling the user.
          continue;
        }
        if (err instanceof KubeRequestError && err.status === 401) {
          hadSuccess = false;
          gateway?.close();
          gateway = undefined;
          continue;
        }
        setStatus({ state: 'reconnecting', message: `Lost the watch of ${spec.what}: ${errorMessage(err)}` });
        await sleep(backoffDelay(attempt++, backoffOpts()));
      } finally {
        signal.removeEventListener('abort', stopAttempt);
      }
    }
    gateway?.close();
    gateway = undefined;
    running = false;
  }

  const backoffOpts = () => ({ baseMs: tuning.backoffBaseMs, maxMs: tuning.backoffMaxMs, random: tuning.random });

  /** Ends the current read pause of the watch, when someone starts looking. */
  let wakeStream: (() => void) | undefined;
  const pace = {
    ms: () => (store.lookers > 0 ? 0 : tuning.backgroundPaceMs),
    onWake: (resume: () => void) => (wakeStream = resume),
  };

  let running = true;
  void run();

  function restart() {
    running = true;
    store.restarting();
    void run();
  }

  return {
    /** Adds a subscriber; it hears the current items and status (many items in chunks, see NEWCOMER_CHUNK), then deltas. */
    subscribe(sink: (delta: Delta<T>) => void, opts: SubscribeOptions = {}): () => void {
      // A failed watch (say, credentials not allowed yet) gets a fresh try when someone new looks.
      if (!running && !stopper.signal.aborted) restart();
      const leave = store.subscribe(sink, opts);
      if (!opts.background) wakeStream?.();
      return leave;
    },
    get size() {
      return store.size;
    },
    /**
     * The context's settings may have changed (the kubeconfig was edited): a watch that lost its
     * connection reconnects now, without waiting out its backoff, with a gateway opened from the
     * kubeconfig as it is; a failed one starts again. A live or still-syncing watch carries on.
     */
    retryNow() {
      if (stopper.signal.aborted || store.size === 0) return;
      if (!running) return restart();
      if (store.status.state !== 'reconnecting') return;
      retryPending = true;
      gateway?.close();
      gateway = undefined;
      wake?.();
    },
    get watchCount() {
      return watchCount;
    },
    stop() {
      stopper.abort();
      store.stop();
      gateway?.close();
    },
  };
}

export type Informer<T> = ReturnType<typeof createInformer<T>>;
