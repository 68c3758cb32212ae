import { randomUUID } from 'node:crypto';
import { PODS } from './kubelet';
import { RESOURCES, type ResourceType } from './resources';
import type { KObject, Store } from './store';

export const LEASES = RESOURCES.find((r) => r.plural === 'leases') as ResourceType;
/** Pod annotation naming the Lease the workload's pods compete for (see README.md here). */
export const LEADER_ANNOTATION = 'homeport.dev/leader-election';
const CONTROL_PLANE = ['kube-scheduler', 'kube-controller-manager', 'k3s', 'k3s-cloud-controller-manager'];

const microTime = () => new Date().toISOString().replace('Z', '000Z');
const isRunningReady = (p: KObject) =>
  !p.metadata.deletionTimestamp &&
  p.status?.phase === 'Running' &&
  ((p.status?.conditions as { type: string; status: string }[]) ?? []).some(
    (c) => c.type === 'Ready' && c.status === 'True',
  );

/**
 * Leader election as the cluster would show it: control-plane leases in kube-system renewed by
 * the server, and workload leases whose holder is one of the workload's ready pods. When the
 * holder goes, the next candidate takes over and the transition count goes up.
 */
export function createLeaseElector(store: Store, speed: number) {
  const durationSeconds = Math.max(1, Math.round(15 * speed));
  const renewEveryMs = Math.max(50, 2000 * speed);
  const serverId = `homeport-sandbox-server-0_${randomUUID()}`;
  let lastRenew = 0;

  function hold(namespace: string, name: string, holder: string) {
    const lease = store.get(LEASES, namespace, name);
    const spec = { holderIdentity: holder, leaseDurationSeconds: durationSeconds, renewTime: microTime() };
    if (!lease) {
      store.create(LEASES, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: { ...spec, acquireTime: microTime(), leaseTransitions: 0 },
      });
      return;
    }
    const changed = lease.spec?.holderIdentity !== holder;
    store.update(LEASES, {
      ...lease,
      spec: {
        ...lease.spec,
        ...spec,
        ...(changed
          ? {
              acquireTime: microTime(),
              leaseTransitions:
                ((lease.spec?.leaseTransitions as number | undefined) ?? 0) + (lease.spec?.holderIdentity ? 1 : 0),
            }
          : {}),
      },
    });
  }

  function tick() {
    const t = Date.now();
    const renew = t - lastRenew >= renewEveryMs;
    if (renew) {
      lastRenew = t;
      for (const name of CONTROL_PLANE) hold('kube-system', name, serverId);
    }
    const candidates = new Map<string, KObject[]>();
    for (const pod of store.list(PODS)) {
      const lease = pod.metadata.annotations?.[LEADER_ANNOTATION];
      if (!lease || !isRunningReady(pod)) continue;
      const key = `${pod.metadata.namespace}/${lease}`;
      candidates.set(key, [...(candidates.get(key) ?? []), pod]);
    }
    for (const [key, pods] of candidates) {
      const [namespace = '', name = ''] = key.split('/');
      const holder = store.peek(LEASES, namespace, name)?.spec?.holderIdentity;
      const current = pods.find((p) => p.metadata.name === holder);
      if (current) {
        if (renew) hold(namespace, name, current.metadata.name);
      } else hold(namespace, name, (pods[0] as KObject).metadata.name);
    }
  }

  return { tick, durationSeconds };
}
