/**
 * Events deduplicated the way a user reads them: every Event object about the same object with the
 * same reason and message is one row, with the counts added up, the first and last time it was
 * seen, and the type of its latest occurrence.
 */
import type { EventGroup, EventGroupDelta } from '@shared/resource-action-schemas';
import type { Delta } from '../informer';
import type { KubeObject } from '../kube-stream';

/** One Event object, reduced to what the groups need. */
export interface EventRecord {
  /** namespace/name of the Event object (the informer's key). */
  id: string;
  group: string;
  type: string;
  reason: string;
  message: string;
  object: EventGroup['object'];
  count: number;
  firstSeen: string;
  lastSeen: string;
}

interface EventObject extends KubeObject {
  type?: string;
  reason?: string;
  message?: string;
  note?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  deprecatedCount?: number;
  series?: { count?: number; lastObservedTime?: string };
  involvedObject?: { kind?: string; namespace?: string; name?: string };
  regarding?: { kind?: string; namespace?: string; name?: string };
}

/** Reads a core/v1 Event (or the events.k8s.io/v1 fields some recorders fill instead). */
export function eventRecord(e: EventObject): EventRecord {
  const obj = e.involvedObject ?? e.regarding ?? {};
  const object = { kind: obj.kind ?? '', ...(obj.namespace ? { namespace: obj.namespace } : {}), name: obj.name ?? '' };
  const reason = e.reason ?? '';
  const message = e.message ?? e.note ?? '';
  const created = e.metadata?.creationTimestamp ?? '';
  const firstSeen = e.firstTimestamp ?? e.eventTime ?? created;
  const lastSeen = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? firstSeen;
  return {
    id: `${e.metadata?.namespace ?? ''}/${e.metadata?.name ?? ''}`,
    group: JSON.stringify([object.kind, object.namespace ?? '', object.name, reason, message]),
    type: e.type ?? 'Normal',
    reason,
    message,
    object,
    count: e.series?.count ?? e.count ?? e.deprecatedCount ?? 1,
    firstSeen,
    lastSeen,
  };
}

function groupOf(key: string, members: Iterable<EventRecord>): EventGroup | undefined {
  let group: EventGroup | undefined;
  for (const r of members) {
    if (!group) {
      group = {
        key,
        type: r.type,
        reason: r.reason,
        message: r.message,
        object: r.object,
        count: 0,
        firstSeen: r.firstSeen,
        lastSeen: r.lastSeen,
      };
    }
    group.count += r.count;
    if (r.firstSeen && (!group.firstSeen || r.firstSeen < group.firstSeen)) group.firstSeen = r.firstSeen;
    if (r.lastSeen >= group.lastSeen) {
      group.lastSeen = r.lastSeen;
      group.type = r.type;
    }
  }
  return group;
}

/**
 * Turns deltas of Event records (keyed by Event object) into deltas of groups (keyed by object,
 * reason and message): only the groups a batch touched go out.
 */
export function createEventAggregator() {
  const records = new Map<string, EventRecord>();
  const groups = new Map<string, Map<string, EventRecord>>();

  function put(r: EventRecord, touched: Set<string>) {
    remove(r.id, touched);
    records.set(r.id, r);
    let members = groups.get(r.group);
    if (!members) groups.set(r.group, (members = new Map()));
    members.set(r.id, r);
    touched.add(r.group);
  }

  function remove(id: string, touched: Set<string>) {
    const old = records.get(id);
    if (!old) return;
    records.delete(id);
    const members = groups.get(old.group);
    members?.delete(id);
    if (members?.size === 0) groups.delete(old.group);
    touched.add(old.group);
  }

  function current(keys: Iterable<string>) {
    const upserts: EventGroup[] = [];
    const deletes: string[] = [];
    for (const key of keys) {
      const g = groups.get(key);
      const group = g && groupOf(key, g.values());
      if (group) upserts.push(group);
      else deletes.push(key);
    }
    return { upserts, deletes };
  }

  /** The group deltas one record delta makes, in order (an upsert batch may also empty groups). */
  function apply(delta: Delta<EventRecord>): EventGroupDelta[] {
    if (delta.type === 'status') return [delta];
    const touched = new Set<string>();
    if (delta.type === 'reset') {
      records.clear();
      groups.clear();
      for (const r of delta.items) put(r, touched);
      return [{ type: 'reset', items: current(groups.keys()).upserts }];
    }
    if (delta.type === 'upsert') for (const r of delta.items) put(r, touched);
    else for (const id of delta.keys) remove(id, touched);
    const { upserts, deletes } = current(touched);
    const out: EventGroupDelta[] = [];
    if (upserts.length > 0) out.push({ type: 'upsert', items: upserts });
    if (deletes.length > 0) out.push({ type: 'delete', keys: deletes });
    return out;
  }

  return {
    apply,
    get size() {
      return groups.size;
    },
  };
}
