import { randomUUID } from 'node:crypto';
import { storageOf, type ResourceType } from './resources';

/** A Kubernetes object as JSON. Fields are read loosely: the sandbox validates what it uses. */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: KMetadata;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}
export interface KMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  managedFields?: unknown[];
  generateName?: string;
  finalizers?: string[];
  [key: string]: unknown;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface StoreEvent {
  type: EventType;
  resource: ResourceType;
  object: KObject;
  rv: number;
}

export interface Watcher {
  resource: ResourceType;
  namespace?: string;
  send(event: StoreEvent): void;
}

const HISTORY_LIMIT = 20_000;
const clone = <T>(v: T): T => structuredClone(v);
const keyOf = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

/**
 * The sandbox's etcd: objects per resource, one global resourceVersion counter, a bounded event
 * history so watches can resume, and change listeners (the simulated controllers).
 */
export class Store {
  private rv = 1000;
  private readonly buckets = new Map<ResourceType, Map<string, KObject>>();
  private history: StoreEvent[] = [];
  /** Resumes from a resourceVersion below this get 410 Gone. */
  private oldestRv = 1000;
  private readonly watchers = new Set<Watcher>();
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  get resourceVersion(): string {
    return String(this.rv);
  }

  private bucket(r: ResourceType): Map<string, KObject> {
    let b = this.buckets.get(storageOf(r));
    if (!b) this.buckets.set(storageOf(r), (b = new Map()));
    return b;
  }

  get(r: ResourceType, ns: string | undefined, name: string): KObject | undefined {
    const o = this.bucket(r).get(keyOf(r.namespaced ? ns : undefined, name));
    return o ? clone(o) : undefined;
  }

  /** The stored object itself, for controllers that only read. */
  peek(r: ResourceType, ns: string | undefined, name: string): KObject | undefined {
    return this.bucket(r).get(keyOf(r.namespaced ? ns : undefined, name));
  }

  list(r: ResourceType, ns?: string): KObject[] {
    const out: KObject[] = [];
    for (const o of this.bucket(r).values()) if (!ns || o.metadata.namespace === ns) out.push(o);
    return out.sort((a, b) =>
      keyOf(a.metadata.namespace, a.metadata.name).localeCompare(keyOf(b.metadata.namespace, b.metadata.name)),
    );
  }

  create(r: ResourceType, input: KObject): KObject {
    const o = clone(input);
    const now = new Date().toISOString();
    // A Job's uid is chosen at admission: its selector names it (index.ts).
    o.metadata.uid = r.kind === 'Job' && o.metadata.uid ? o.metadata.uid : randomUUID();
    o.metadata.creationTimestamp = now;
    o.metadata.generation = 1;
    delete o.metadata.deletionTimestamp;
    o.metadata.resourceVersion = String(++this.rv);
    this.bucket(r).set(keyOf(o.metadata.namespace, o.metadata.name), o);
    this.emit({ type: 'ADDED', resource: r, object: o, rv: this.rv });
    return clone(o);
  }

  /** Replaces an object; bumps generation when the spec changed (as the API server does). */
  update(r: ResourceType, input: KObject): KObject {
    const key = keyOf(input.metadata.namespace, input.metadata.name);
    const old = this.bucket(r).get(key);
    if (!old) throw new Error(`update of missing ${r.plural} ${key}`);
    const o = clone(input);
    o.metadata.uid = old.metadata.uid;
    o.metadata.creationTimestamp = old.metadata.creationTimestamp;
    const specChanged = JSON.stringify(old.spec) !== JSON.stringify(o.spec);
    o.metadata.generation = (old.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    if (
      JSON.stringify({ ...old, metadata: { ...old.metadata, resourceVersion: '' } }) ===
      JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: '' } })
    ) {
      return clone(old);
    }
    o.metadata.resourceVersion = String(++this.rv);
    this.bucket(r).set(key, o);
    this.emit({ type: 'MODIFIED', resource: r, object: o, rv: this.rv });
    return clone(o);
  }

  remove(r: ResourceType, ns: string | undefined, name: string): KObject | undefined {
    const key = keyOf(r.namespaced ? ns : undefined, name);
    const old = this.bucket(r).get(key);
    if (!old) return undefined;
    this.bucket(r).delete(key);
    const o = clone(old);
    o.metadata.resourceVersion = String(++this.rv);
    this.emit({ type: 'DELETED', resource: r, object: o, rv: this.rv });
    return o;
  }

  private emit(event: StoreEvent) {
    this.history.push(event);
    if (this.history.length > HISTORY_LIMIT) {
      const dropped = this.history.splice(0, this.history.length - HISTORY_LIMIT);
      this.oldestRv = dropped[dropped.length - 1]?.rv ?? this.oldestRv;
    }
    for (const w of this.watchers) {
      if (
        storageOf(w.resource) === storageOf(event.resource) &&
        (!w.namespace || w.namespace === event.object.metadata.namespace)
      )
        w.send(event);
    }
    for (const l of this.listeners) l(event);
  }

  /** Starts a watch after `fromRv`, replaying history; 'gone' when that version was compacted. */
  watch(w: Watcher, fromRv: number | undefined): { stop(): void } | 'gone' {
    if (fromRv !== undefined && fromRv < this.oldestRv) return 'gone';
    if (fromRv !== undefined) {
      for (const e of this.history) {
        if (
          e.rv > fromRv &&
          storageOf(e.resource) === storageOf(w.resource) &&
          (!w.namespace || w.namespace === e.object.metadata.namespace)
        )
          w.send(e);
      }
    }
    this.watchers.add(w);
    return { stop: () => this.watchers.delete(w) };
  }

  onChange(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Fault injection: forget the event history, so every resume gets 410 Gone. */
  expireHistory() {
    this.history = [];
    // A watch from the current version misses nothing; anything older lost events.
    this.oldestRv = this.rv;
  }
}
