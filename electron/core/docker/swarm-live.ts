/**
 * Live Swarm nodes, services and tasks of an endpoint as delta streams. One watcher per endpoint,
 * shared by all its subscribers: it follows the engine's event stream as a cue to list again
 * (debounced), and lists every few seconds anyway so a missed event cannot leave the view wrong.
 * Only real changes are emitted: upserts for changed items, deletes for gone ones.
 */
import type { WatchStatus } from '@shared/kube-schemas';
import type {
  SwarmNode,
  SwarmNodeDelta,
  SwarmService,
  SwarmServiceDelta,
  SwarmTask,
  SwarmTaskDelta,
} from '@shared/swarm-schemas';
import { errorMessage, HomeportError } from '../errors';
import { DockerRequestError, type DockerClient } from './client';
import { SshError } from '../ssh/errors';
import { DockerEndpointError } from './endpoints';
import {
  summarizeNode,
  summarizeService,
  summarizeTask,
  type EngineNode,
  type EngineService,
  type EngineTask,
} from './swarm-summary';

type Kind = 'nodes' | 'services' | 'tasks';
type Item = SwarmNode | SwarmService | SwarmTask;
type AnyDelta =
  | { type: 'reset'; items: Item[] }
  | { type: 'upsert'; items: Item[] }
  | { type: 'delete'; keys: string[] }
  | { type: 'status'; status: WatchStatus };

export interface SwarmLiveOptions {
  openClient(endpoint: string): Promise<DockerClient>;
  /** How often to list everything even without events; default 5 s. */
  reconcileMs?: number;
  /** Deltas to one subscriber are gathered this long; default 50 ms. */
  batchMs?: number;
  /** An event waits this long for more before the lists are read again; default 100 ms. */
  debounceMs?: number;
  /** First and longest wait before reconnecting; default 500 ms and 15 s. */
  backoffMs?: { initial: number; max: number };
}

interface Subscriber {
  kind: Kind;
  serviceId?: string;
  emit(delta: AnyDelta): void;
  /** Has had its first reset. */
  synced: boolean;
  upserts: Map<string, Item>;
  deletes: Set<string>;
  timer?: NodeJS.Timeout;
}

interface Snapshot {
  nodes: Map<string, SwarmNode>;
  services: Map<string, SwarmService>;
  tasks: Map<string, SwarmTask>;
}

const sameItem = (a: Item | undefined, b: Item) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);

/** Errors that retrying will not fix: a bad endpoint configuration, an unknown endpoint, an untrusted host key. */
function isFatal(err: unknown): boolean {
  if (err instanceof DockerEndpointError) return true;
  if (err instanceof SshError) return ['config', 'host-key-unknown', 'host-key-changed'].includes(err.reason);
  if (err instanceof DockerRequestError) return false;
  return err instanceof HomeportError && ['INVALID_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'CONFLICT'].includes(err.code);
}

export function createSwarmLive(opts: SwarmLiveOptions) {
  const reconcileMs = opts.reconcileMs ?? 5_000;
  const batchMs = opts.batchMs ?? 50;
  const debounceMs = opts.debounceMs ?? 100;
  const backoff = opts.backoffMs ?? { initial: 500, max: 15_000 };
  const watchers = new Map<string, ReturnType<typeof createWatcher>>();

  function createWatcher(endpoint: string) {
    const subscribers = new Set<Subscriber>();
    const abort = new AbortController();
    let snapshot: Snapshot | undefined;
    let status: WatchStatus = { state: 'syncing' };
    let client: DockerClient | undefined;
    let relistTimer: NodeJS.Timeout | undefined;
    let reconcileTimer: NodeJS.Timeout | undefined;
    let listing: Promise<void> | undefined;
    let listAgain = false;
    let failures = 0;

    const stopped = () => abort.signal.aborted;

    function matches(sub: Subscriber, item: Item): boolean {
      return sub.serviceId === undefined || (item as SwarmTask).serviceId === sub.serviceId;
    }

    function itemsFor(sub: Subscriber): Item[] {
      if (!snapshot) return [];
      return [...snapshot[sub.kind].values()].filter((i) => matches(sub, i));
    }

    function flush(sub: Subscriber) {
      clearTimeout(sub.timer);
      sub.timer = undefined;
      if (!subscribers.has(sub)) return;
      if (sub.deletes.size > 0) sub.emit({ type: 'delete', keys: [...sub.deletes] });
      if (sub.upserts.size > 0) sub.emit({ type: 'upsert', items: [...sub.upserts.values()] });
      sub.deletes.clear();
      sub.upserts.clear();
    }

    function setStatus(next: WatchStatus) {
      if (next.state === status.state && next.message === status.message) return;
      status = next;
      for (const sub of subscribers) {
        flush(sub);
        sub.emit({ type: 'status', status });
      }
    }

    function sendReset(sub: Subscriber) {
      sub.synced = true;
      sub.upserts.clear();
      sub.deletes.clear();
      sub.emit({ type: 'reset', items: itemsFor(sub) });
    }

    /** Replaces the snapshot and queues each subscriber's share of the changes. */
    function apply(next: Snapshot) {
      const previous = snapshot;
      snapshot = next;
      for (const sub of subscribers) {
        if (!sub.synced || !previous) {
          sendReset(sub);
          continue;
        }
        const before = previous[sub.kind];
        const after = next[sub.kind];
        let changed = false;
        for (const [key, item] of after) {
          const old = before.get(key);
          const was = old !== undefined && matches(sub, old);
          if (matches(sub, item)) {
            if (!was || !sameItem(old, item)) {
              sub.deletes.delete(key);
              sub.upserts.set(key, item);
              changed = true;
            }
          } else if (was) {
            sub.upserts.delete(key);
            sub.deletes.add(key);
            changed = true;
          }
        }
        for (const [key, old] of before) {
          if (!after.has(key) && matches(sub, old)) {
            sub.upserts.delete(key);
            sub.deletes.add(key);
            changed = true;
          }
        }
        if (changed) sub.timer ??= setTimeout(() => flush(sub), batchMs);
      }
    }

    async function listOnce(c: DockerClient): Promise<void> {
      const signal = abort.signal;
      const [nodes, services, tasks] = await Promise.all([
        c.request<EngineNode[]>('/nodes', { signal }),
        c.request<EngineService[]>('/services', { signal, query: { status: true } }),
        c.request<EngineTask[]>('/tasks', { signal }),
      ]);
      if (stopped()) return;
      const hostnames = new Map(nodes.map((n) => [n.ID, n.Description?.Hostname ?? n.ID]));
      const serviceNames = new Map(services.map((s) => [s.ID, s.Spec?.Name ?? s.ID]));
      apply({
        nodes: new Map(nodes.map((n) => [n.ID, summarizeNode(n)])),
        services: new Map(services.map((s) => [s.ID, summarizeService(s, tasks, nodes)])),
        tasks: new Map(tasks.map((t) => [t.ID, summarizeTask(t, serviceNames, hostnames)])),
      });
    }

    /** Lists now, or once more after the listing in flight. */
    function relist(): Promise<void> {
      if (listing) {
        listAgain = true;
        return listing;
      }
      const c = client;
      if (!c || stopped()) return Promise.resolve();
      listing = (async () => {
        try {
          do {
            listAgain = false;
            await listOnce(c);
          } while (listAgain && !stopped());
        } finally {
          listing = undefined;
        }
      })();
      return listing;
    }

    function cue() {
      clearTimeout(relistTimer);
      relistTimer = setTimeout(() => {
        relist().catch(() => undefined);
      }, debounceMs);
    }

    function scheduleReconcile() {
      clearTimeout(reconcileTimer);
      reconcileTimer = setTimeout(() => {
        if (stopped()) return;
        relist()
          .catch(() => undefined)
          .finally(() => {
            if (!stopped()) scheduleReconcile();
          });
      }, reconcileMs);
    }

    async function sleep(ms: number) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        abort.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            resolve();
          },
          { once: true },
        );
      });
    }

    function describeFailure(err: unknown): string {
      const text = errorMessage(err);
      return text.includes(endpoint) ? text : `Endpoint '${endpoint}': ${text}`;
    }

    async function run() {
      while (!stopped()) {
        const session = new AbortController();
        const stopSession = () => session.abort();
        abort.signal.addEventListener('abort', stopSession, { once: true });
        try {
          client ??= await opts.openClient(endpoint);
          if (stopped()) break;
          // Events from the moment before the list are replayed, so none falls between list and stream.
          const since = Math.floor(Date.now() / 1000) - 1;
          await relist();
          failures = 0;
          if (stopped()) break;
          setStatus({ state: 'live' });
          scheduleReconcile();
          await client.stream('/events', cue, {
            signal: session.signal,
            query: { since, filters: JSON.stringify({ type: ['service', 'node', 'container'] }) },
          });
          if (stopped()) break;
          throw new DockerRequestError('unreachable', `The event stream of endpoint '${endpoint}' ended`);
        } catch (err) {
          if (stopped()) break;
          clearTimeout(reconcileTimer);
          failures += 1;
          if (isFatal(err)) {
            setStatus({ state: 'failed', message: describeFailure(err) });
            break;
          }
          // A node that is not a manager answers 503 until it becomes one: say so, and keep trying slowly.
          const notManager = err instanceof DockerRequestError && err.status === 503;
          setStatus({ state: notManager ? 'failed' : 'reconnecting', message: describeFailure(err) });
          if (!(err instanceof DockerRequestError && err.reason === 'http')) {
            client?.close();
            client = undefined;
          }
          await sleep(notManager ? backoff.max : Math.min(backoff.max, backoff.initial * 2 ** (failures - 1)));
        } finally {
          abort.signal.removeEventListener('abort', stopSession);
          session.abort();
        }
      }
    }

    void run();

    return {
      get size() {
        return subscribers.size;
      },
      add(sub: Subscriber) {
        subscribers.add(sub);
        if (snapshot) sendReset(sub);
        sub.emit({ type: 'status', status });
        return () => {
          clearTimeout(sub.timer);
          subscribers.delete(sub);
        };
      },
      stop() {
        abort.abort();
        clearTimeout(relistTimer);
        clearTimeout(reconcileTimer);
        for (const sub of subscribers) clearTimeout(sub.timer);
        subscribers.clear();
        client?.close();
      },
    };
  }

  function subscribe(endpoint: string, kind: Kind, emit: (delta: AnyDelta) => void, serviceId?: string) {
    let watcher = watchers.get(endpoint);
    if (!watcher) {
      watcher = createWatcher(endpoint);
      watchers.set(endpoint, watcher);
    }
    const owner = watcher;
    const leave = owner.add({ kind, serviceId, emit, synced: false, upserts: new Map(), deletes: new Set() });
    let left = false;
    return () => {
      if (left) return;
      left = true;
      leave();
      if (owner.size === 0 && watchers.get(endpoint) === owner) {
        owner.stop();
        watchers.delete(endpoint);
      }
    };
  }

  return {
    subscribeNodes(endpoint: string, emit: (delta: SwarmNodeDelta) => void): () => void {
      return subscribe(endpoint, 'nodes', emit as (d: AnyDelta) => void);
    },
    subscribeServices(endpoint: string, emit: (delta: SwarmServiceDelta) => void): () => void {
      return subscribe(endpoint, 'services', emit as (d: AnyDelta) => void);
    },
    /** Tasks of the endpoint, or of one service (by id). */
    subscribeTasks(endpoint: string, emit: (delta: SwarmTaskDelta) => void, serviceId?: string): () => void {
      return subscribe(endpoint, 'tasks', emit as (d: AnyDelta) => void, serviceId);
    },
    /** The Raft leader of the endpoint's swarm, read once; undefined when no manager reports leadership. */
    async swarmLeader(endpoint: string): Promise<SwarmNode | undefined> {
      const client = await opts.openClient(endpoint);
      try {
        const nodes = await client.request<EngineNode[]>('/nodes', {
          query: { filters: JSON.stringify({ role: ['manager'] }) },
        });
        const leader = nodes.find((n) => n.ManagerStatus?.Leader === true);
        return leader ? summarizeNode(leader) : undefined;
      } finally {
        client.close();
      }
    },
    /** How many endpoint watchers run now; for tests and diagnostics. */
    get activeWatchers() {
      return watchers.size;
    },
    close() {
      for (const watcher of watchers.values()) watcher.stop();
      watchers.clear();
    },
  };
}

export type SwarmLive = ReturnType<typeof createSwarmLive>;
