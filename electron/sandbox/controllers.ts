import { createHash, randomBytes } from 'node:crypto';
import { PODS } from './kubelet';
import { RESOURCES, type ResourceType } from './resources';
import type { KObject, Store } from './store';

const R = (plural: string) => RESOURCES.find((r) => r.plural === plural) as ResourceType;
const DEPLOYMENTS = R('deployments');
const REPLICASETS = R('replicasets');
const STATEFULSETS = R('statefulsets');
const JOBS = R('jobs');

type Template = {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
};
const templateOf = (o: KObject) => (o.spec?.template as Template | undefined) ?? {};
const replicasOf = (o: KObject) => (typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1);
const ownerRef = (o: KObject, kind: string, apiVersion: string) => ({
  apiVersion,
  kind,
  name: o.metadata.name,
  uid: o.metadata.uid ?? '',
  controller: true,
  blockOwnerDeletion: true,
});
const ownedBy = (o: KObject, owner: KObject) =>
  (o.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid);
const isReady = (p: KObject) =>
  ((p.status?.conditions as { type: string; status: string }[]) ?? []).some(
    (c) => c.type === 'Ready' && c.status === 'True',
  );
const alive = (p: KObject) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed';
const suffix = () => randomBytes(4).toString('hex').slice(0, 5);

function podFrom(
  owner: KObject,
  kind: string,
  apiVersion: string,
  name: string,
  extraLabels: Record<string, string> = {},
): KObject {
  const t = templateOf(owner);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...t.metadata?.labels, ...extraLabels },
      ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
      ownerReferences: [ownerRef(owner, kind, apiVersion)],
    },
    spec: { restartPolicy: 'Always', ...structuredClone(t.spec ?? {}) },
    status: { phase: 'Pending' },
  };
}

function setStatus(store: Store, r: ResourceType, o: KObject, status: Record<string, unknown>) {
  const current = store.peek(r, o.metadata.namespace, o.metadata.name);
  if (!current) return;
  const next = { ...current.status, ...status, observedGeneration: current.metadata.generation };
  if (JSON.stringify(next) !== JSON.stringify(current.status)) store.update(r, { ...current, status: next });
}

/** The controller manager: reconciles every workload on each tick and collects orphans. */
export function createControllers(store: Store, deletePod: (ns: string | undefined, name: string) => void) {
  function replicaSets() {
    for (const rs of store.list(REPLICASETS)) {
      const pods = store.list(PODS, rs.metadata.namespace).filter((p) => ownedBy(p, rs) && alive(p));
      const want = replicasOf(rs);
      for (let i = pods.length; i < want; i++) {
        store.create(
          PODS,
          podFrom(rs, 'ReplicaSet', 'apps/v1', `${rs.metadata.name}-${suffix()}`, {
            'pod-template-hash': rs.metadata.labels?.['pod-template-hash'] ?? '',
          }),
        );
      }
      const extra = pods
        .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))
        .slice(0, Math.max(0, pods.length - want));
      for (const p of extra) deletePod(p.metadata.namespace, p.metadata.name);
      const ready = pods.filter(isReady).length;
      setStatus(store, REPLICASETS, rs, {
        replicas: Math.min(pods.length, want),
        readyReplicas: ready,
        availableReplicas: ready,
        fullyLabeledReplicas: pods.length,
      });
    }
  }

  function deployments() {
    for (const d of store.list(DEPLOYMENTS)) {
      const hash = createHash('sha256')
        .update(JSON.stringify(templateOf(d)))
        .digest('hex')
        .slice(0, 10);
      const name = `${d.metadata.name}-${hash}`;
      const owned = store.list(REPLICASETS, d.metadata.namespace).filter((rs) => ownedBy(rs, d));
      let current = owned.find((rs) => rs.metadata.name === name);
      const want = replicasOf(d);
      const t = templateOf(d);
      if (!current) {
        current = store.create(REPLICASETS, {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: {
            name,
            namespace: d.metadata.namespace,
            labels: { ...t.metadata?.labels, 'pod-template-hash': hash },
            ownerReferences: [ownerRef(d, 'Deployment', 'apps/v1')],
          },
          spec: {
            replicas: want,
            selector: {
              matchLabels: {
                ...((d.spec?.selector as { matchLabels?: Record<string, string> })?.matchLabels ?? {}),
                'pod-template-hash': hash,
              },
            },
            template: {
              ...t,
              metadata: { ...t.metadata, labels: { ...t.metadata?.labels, 'pod-template-hash': hash } },
            },
          },
        });
      } else if (replicasOf(current) !== want)
        current = store.update(REPLICASETS, { ...current, spec: { ...current.spec, replicas: want } });
      const newReady = (current.status?.readyReplicas as number | undefined) ?? 0;
      // Rolling update, simplified: old ReplicaSets scale down once the new one is fully ready.
      for (const old of owned.filter((rs) => rs.metadata.name !== name && replicasOf(rs) > 0)) {
        if (newReady >= want) store.update(REPLICASETS, { ...old, spec: { ...old.spec, replicas: 0 } });
      }
      const all = owned.concat(owned.includes(current) ? [] : [current]);
      const sum = (f: string) => all.reduce((n, rs) => n + (((rs.status ?? {})[f] as number | undefined) ?? 0), 0);
      const ready = sum('readyReplicas');
      setStatus(store, DEPLOYMENTS, d, {
        replicas: sum('replicas'),
        updatedReplicas: (current.status?.replicas as number | undefined) ?? 0,
        readyReplicas: ready,
        availableReplicas: ready,
        conditions: [
          {
            type: 'Available',
            status: ready >= want ? 'True' : 'False',
            reason: ready >= want ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          },
          {
            type: 'Progressing',
            status: 'True',
            reason: newReady >= want ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
          },
        ],
      });
    }
  }

  function statefulSets() {
    for (const s of store.list(STATEFULSETS)) {
      const want = replicasOf(s);
      const pods = store.list(PODS, s.metadata.namespace).filter((p) => ownedBy(p, s));
      const byOrdinal = new Map(pods.map((p) => [Number(p.metadata.name.slice(s.metadata.name.length + 1)), p]));
      // Ordered start: pod N is created only when pods 0..N-1 are Ready.
      for (let i = 0; i < want; i++) {
        const p = byOrdinal.get(i);
        if (!p) {
          store.create(
            PODS,
            podFrom(s, 'StatefulSet', 'apps/v1', `${s.metadata.name}-${i}`, {
              'statefulset.kubernetes.io/pod-name': `${s.metadata.name}-${i}`,
            }),
          );
          break;
        }
        if (!isReady(p)) break;
      }
      // Ordered scale-down: the highest ordinal goes first.
      const extra = [...byOrdinal.entries()]
        .filter(([i, p]) => i >= want && !p.metadata.deletionTimestamp)
        .sort((a, b) => b[0] - a[0])[0];
      if (extra) deletePod(extra[1].metadata.namespace, extra[1].metadata.name);
      const ready = pods.filter((p) => isReady(p) && !p.metadata.deletionTimestamp).length;
      setStatus(store, STATEFULSETS, s, {
        replicas: Math.min(pods.length, want),
        readyReplicas: ready,
        availableReplicas: ready,
        currentReplicas: ready,
        updatedReplicas: ready,
      });
    }
  }

  function jobs() {
    for (const j of store.list(JOBS)) {
      const pods = store.list(PODS, j.metadata.namespace).filter((p) => ownedBy(p, j));
      const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
      const completions = (j.spec?.completions as number | undefined) ?? 1;
      const active = pods.filter((p) => alive(p) && p.status?.phase !== 'Succeeded').length;
      if (succeeded + active < completions && active < ((j.spec?.parallelism as number | undefined) ?? 1)) {
        store.create(
          PODS,
          podFrom(j, 'Job', 'batch/v1', `${j.metadata.name}-${suffix()}`, { 'job-name': j.metadata.name }),
        );
      }
      const complete = succeeded >= completions;
      setStatus(store, JOBS, j, {
        active,
        succeeded,
        ...(j.status?.startTime ? {} : { startTime: new Date().toISOString() }),
        ...(complete
          ? {
              completionTime: (j.status?.completionTime as string | undefined) ?? new Date().toISOString(),
              conditions: [{ type: 'Complete', status: 'True' }],
            }
          : {}),
      });
    }
  }

  /** Garbage collection: dependents of a deleted owner go too (background propagation). */
  const stopGc = store.onChange((e) => {
    if (e.type !== 'DELETED') return;
    for (const r of [REPLICASETS, PODS]) {
      for (const o of store.list(r, e.object.metadata.namespace)) {
        if (ownedBy(o, e.object)) {
          if (r === PODS) deletePod(o.metadata.namespace, o.metadata.name);
          else store.remove(r, o.metadata.namespace, o.metadata.name);
        }
      }
    }
  });

  return {
    tick() {
      deployments();
      replicaSets();
      statefulSets();
      jobs();
    },
    stop: stopGc,
  };
}
