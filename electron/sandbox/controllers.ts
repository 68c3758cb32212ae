import { createHash, randomBytes } from 'node:crypto';
import { PODS } from './kubelet';
import { RESOURCES, type ResourceType } from './resources';
import type { KObject, Store } from './store';

const R = (plural: string) => RESOURCES.find((r) => r.plural === plural) as ResourceType;
const DEPLOYMENTS = R('deployments');
const REPLICASETS = R('replicasets');
const STATEFULSETS = R('statefulsets');
const JOBS = R('jobs');
const PVCS = R('persistentvolumeclaims');
const HPAS = R('horizontalpodautoscalers');
const PVS = R('persistentvolumes');
const STORAGE_CLASSES = R('storageclasses');

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
const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
const revisionOf = (o: KObject) => Number(o.metadata.annotations?.[REVISION_ANNOTATION] ?? 0) || 0;
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
      // Revisions as the deployment controller numbers them: the current ReplicaSet has the highest.
      const maxRevision = Math.max(0, ...owned.map(revisionOf));
      if (!current) {
        current = store.create(REPLICASETS, {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: {
            name,
            namespace: d.metadata.namespace,
            annotations: { [REVISION_ANNOTATION]: String(maxRevision + 1) },
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
      } else if (revisionOf(current) < maxRevision || revisionOf(current) === 0) {
        current = store.update(REPLICASETS, {
          ...current,
          metadata: {
            ...current.metadata,
            annotations: { ...current.metadata.annotations, [REVISION_ANNOTATION]: String(maxRevision + 1) },
          },
        });
      }
      if (replicasOf(current) !== want)
        current = store.update(REPLICASETS, { ...current, spec: { ...current.spec, replicas: want } });
      const revision = current.metadata.annotations?.[REVISION_ANNOTATION];
      const live = store.peek(DEPLOYMENTS, d.metadata.namespace, d.metadata.name);
      if (live && revision && live.metadata.annotations?.[REVISION_ANNOTATION] !== revision) {
        store.update(DEPLOYMENTS, {
          ...live,
          metadata: {
            ...live.metadata,
            annotations: { ...live.metadata.annotations, [REVISION_ANNOTATION]: revision },
          },
        });
      }
      const newReady = (current.status?.readyReplicas as number | undefined) ?? 0;
      // Rolling update, simplified: old ReplicaSets scale down once the new one is fully ready.
      for (const old of owned.filter((rs) => rs.metadata.name !== name && replicasOf(rs) > 0)) {
        if (newReady >= want) store.update(REPLICASETS, { ...old, spec: { ...old.spec, replicas: 0 } });
      }
      // current may be a newer copy of one of owned: count each ReplicaSet once.
      const all = owned.filter((rs) => rs.metadata.name !== current.metadata.name).concat([current]);
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
          const pod = podFrom(s, 'StatefulSet', 'apps/v1', `${s.metadata.name}-${i}`, {
            'statefulset.kubernetes.io/pod-name': `${s.metadata.name}-${i}`,
            // The ordinal as a label, as the StatefulSet controller sets it since Kubernetes 1.28 (PodIndexLabel).
            'apps.kubernetes.io/pod-index': String(i),
          });
          const claims = ensureClaims(s, i);
          if (claims.length > 0) {
            const volumes = ((pod.spec?.volumes as { name: string }[] | undefined) ?? []).filter(
              (v) => !claims.some((c) => c.volume === v.name),
            );
            pod.spec = {
              ...pod.spec,
              volumes: [
                ...volumes,
                ...claims.map((c) => ({ name: c.volume, persistentVolumeClaim: { claimName: c.claim } })),
              ],
            };
          }
          store.create(PODS, pod);
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

  /**
   * The claims of StatefulSet pod `ordinal`, one per volumeClaimTemplate, named
   * `<template>-<statefulset>-<ordinal>` with the template's and the selector's labels. They have no
   * owner (retention policy Retain), so they outlive the StatefulSet, as in Kubernetes.
   */
  function ensureClaims(s: KObject, ordinal: number): { volume: string; claim: string }[] {
    type ClaimTemplate = { metadata?: { name?: string; labels?: Record<string, string> }; spec?: object };
    const templates = (s.spec?.volumeClaimTemplates as ClaimTemplate[] | undefined) ?? [];
    const selector = (s.spec?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {};
    const out: { volume: string; claim: string }[] = [];
    for (const t of templates) {
      const volume = t.metadata?.name;
      if (!volume) continue;
      const claim = `${volume}-${s.metadata.name}-${ordinal}`;
      if (!store.peek(PVCS, s.metadata.namespace, claim)) {
        store.create(PVCS, {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: claim, namespace: s.metadata.namespace, labels: { ...t.metadata?.labels, ...selector } },
          spec: { storageClassName: defaultStorageClass(), ...structuredClone(t.spec ?? {}) },
          status: { phase: 'Pending' },
        });
      }
      out.push({ volume, claim });
    }
    return out;
  }

  function defaultStorageClass(): string | undefined {
    return store
      .list(STORAGE_CLASSES)
      .find((c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true')?.metadata.name;
  }

  /**
   * The persistent-volume controller and k3s's local-path provisioner: a claim naming a volume binds
   * to it (same storage class, volume not bound elsewhere); a claim of a WaitForFirstConsumer class
   * gets a provisioned volume once a scheduled pod uses it, an Immediate one at once.
   */
  function volumes() {
    const usedClaims = new Set(
      store
        .list(PODS)
        .filter((p) => p.spec?.nodeName)
        .flatMap((p) =>
          ((p.spec?.volumes as { persistentVolumeClaim?: { claimName?: string } }[] | undefined) ?? []).map(
            (v) => `${p.metadata.namespace}/${v.persistentVolumeClaim?.claimName ?? ''}`,
          ),
        ),
    );
    for (const pvc of store.list(PVCS)) {
      if (pvc.status?.phase === 'Bound' || pvc.metadata.deletionTimestamp) continue;
      const spec = pvc.spec ?? {};
      const className = (spec.storageClassName as string | undefined) ?? '';
      let pv: KObject | undefined;
      if (typeof spec.volumeName === 'string' && spec.volumeName) {
        pv = store.peek(PVS, undefined, spec.volumeName);
        const claimRef = pv?.spec?.claimRef as { uid?: string; name?: string; namespace?: string } | undefined;
        const free =
          !claimRef ||
          claimRef.uid === pvc.metadata.uid ||
          (!claimRef.uid && claimRef.name === pvc.metadata.name && claimRef.namespace === pvc.metadata.namespace);
        if (!pv || !free || ((pv.spec?.storageClassName as string | undefined) ?? '') !== className) continue;
      } else {
        const sc = className ? store.peek(STORAGE_CLASSES, undefined, className) : undefined;
        if (!sc) continue;
        const waits = sc.volumeBindingMode === 'WaitForFirstConsumer';
        if (waits && !usedClaims.has(`${pvc.metadata.namespace}/${pvc.metadata.name}`)) continue;
        const name = `pvc-${pvc.metadata.uid ?? ''}`;
        const request = (spec.resources as { requests?: { storage?: string } } | undefined)?.requests?.storage ?? '1Gi';
        pv = store.create(PVS, {
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: {
            name,
            annotations: { 'pv.kubernetes.io/provisioned-by': (sc.provisioner as string | undefined) ?? '' },
          },
          spec: {
            capacity: { storage: request },
            accessModes: spec.accessModes ?? ['ReadWriteOnce'],
            persistentVolumeReclaimPolicy: (sc.reclaimPolicy as string | undefined) ?? 'Delete',
            storageClassName: className,
            volumeMode: 'Filesystem',
            hostPath: {
              path: `/var/lib/rancher/k3s/storage/${name}_${pvc.metadata.namespace}_${pvc.metadata.name}`,
              type: 'DirectoryOrCreate',
            },
          },
          status: { phase: 'Pending' },
        });
      }
      const claimRef = {
        kind: 'PersistentVolumeClaim',
        namespace: pvc.metadata.namespace,
        name: pvc.metadata.name,
        uid: pvc.metadata.uid,
        apiVersion: 'v1',
      };
      const boundPv = store.update(PVS, { ...pv, spec: { ...pv.spec, claimRef } });
      store.update(PVS, { ...boundPv, status: { phase: 'Bound' } });
      const boundPvc = store.update(PVCS, {
        ...pvc,
        metadata: {
          ...pvc.metadata,
          annotations: { ...pvc.metadata.annotations, 'pv.kubernetes.io/bind-completed': 'yes' },
        },
        spec: { ...spec, volumeName: pv.metadata.name },
      });
      store.update(PVCS, {
        ...boundPvc,
        status: {
          phase: 'Bound',
          accessModes: pv.spec?.accessModes ?? spec.accessModes,
          capacity: pv.spec?.capacity ?? {},
        },
      });
    }
  }

  /**
   * The horizontal pod autoscaler, without metrics: it keeps its target's replicas within
   * minReplicas..maxReplicas (the load never changes in the sandbox).
   */
  function autoscalers() {
    for (const h of store.list(HPAS)) {
      const ref = h.spec?.scaleTargetRef as { kind?: string; name?: string } | undefined;
      const r = ref?.kind === 'Deployment' ? DEPLOYMENTS : ref?.kind === 'StatefulSet' ? STATEFULSETS : undefined;
      const target = r && ref?.name ? store.peek(r, h.metadata.namespace, ref.name) : undefined;
      if (!r || !target) continue;
      const min = typeof h.spec?.minReplicas === 'number' ? h.spec.minReplicas : 1;
      const max = typeof h.spec?.maxReplicas === 'number' ? h.spec.maxReplicas : min;
      const current = replicasOf(target);
      const desired = Math.min(max, Math.max(min, current));
      if (desired !== current) store.update(r, { ...target, spec: { ...target.spec, replicas: desired } });
      const next = { currentReplicas: current, desiredReplicas: desired };
      if (JSON.stringify({ ...h.status, ...next }) !== JSON.stringify(h.status))
        store.update(HPAS, { ...h, status: { ...h.status, ...next } });
    }
  }

  function jobs() {
    for (const j of store.list(JOBS)) {
      const pods = store.list(PODS, j.metadata.namespace).filter((p) => ownedBy(p, j));
      const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
      const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
      const completions = (j.spec?.completions as number | undefined) ?? 1;
      const active = pods.filter((p) => alive(p) && p.status?.phase !== 'Succeeded').length;
      // Failed pods beyond spec.backoffLimit (default 6) fail the Job: no more pods, condition Failed.
      const backoffLimit = (j.spec?.backoffLimit as number | undefined) ?? 6;
      const complete = succeeded >= completions;
      const failedJob = !complete && failed > backoffLimit;
      if (
        !failedJob &&
        succeeded + active < completions &&
        active < ((j.spec?.parallelism as number | undefined) ?? 1)
      ) {
        store.create(
          PODS,
          podFrom(j, 'Job', 'batch/v1', `${j.metadata.name}-${suffix()}`, { 'job-name': j.metadata.name }),
        );
      }
      setStatus(store, JOBS, j, {
        active,
        succeeded,
        ...(failed > 0 ? { failed } : {}),
        ...(j.status?.startTime ? {} : { startTime: new Date().toISOString() }),
        ...(complete
          ? {
              completionTime: (j.status?.completionTime as string | undefined) ?? new Date().toISOString(),
              conditions: [{ type: 'Complete', status: 'True' }],
            }
          : failedJob
            ? {
                conditions: [
                  {
                    type: 'Failed',
                    status: 'True',
                    reason: 'BackoffLimitExceeded',
                    message: 'Job has reached the specified backoff limit',
                  },
                ],
              }
            : {}),
      });
    }
  }

  /** Garbage collection: dependents of a deleted owner go too (background propagation). */
  const stopGc = store.onChange((e) => {
    if (e.type !== 'DELETED') return;
    if (e.resource === PVCS) releaseVolumes(e.object);
    for (const r of [REPLICASETS, PODS]) {
      for (const o of store.list(r, e.object.metadata.namespace)) {
        if (ownedBy(o, e.object)) {
          if (r === PODS) deletePod(o.metadata.namespace, o.metadata.name);
          else store.remove(r, o.metadata.namespace, o.metadata.name);
        }
      }
    }
  });

  /** A deleted claim's volume is deleted (reclaim policy Delete) or Released (Retain). */
  function releaseVolumes(pvc: KObject) {
    for (const pv of store.list(PVS)) {
      if ((pv.spec?.claimRef as { uid?: string } | undefined)?.uid !== pvc.metadata.uid) continue;
      if (pv.spec?.persistentVolumeReclaimPolicy === 'Delete') store.remove(PVS, undefined, pv.metadata.name);
      else store.update(PVS, { ...pv, status: { phase: 'Released' } });
    }
  }

  return {
    tick() {
      autoscalers();
      deployments();
      replicaSets();
      statefulSets();
      volumes();
      jobs();
    },
    stop: stopGc,
  };
}
