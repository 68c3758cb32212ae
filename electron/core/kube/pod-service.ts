import type { EventSummary, PodDetail } from '@shared/kube-schemas';
import { aggregateEvents } from '@shared/pod-events';
import type { KubeGateway } from './kube-gateway';
import type { KubeObject } from './kube-stream';
import { type ContainerStatus, directOwner, type PodObject, summarizePod } from './pod-summary';

const MAX_EVENTS = 30;

interface EventObject extends KubeObject {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  firstTimestamp?: string;
  series?: { count?: number; lastObservedTime?: string };
  involvedObject?: { uid?: string };
}

const podPath = (namespace: string, name: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;

function containerDetail(spec: { name: string; image?: string }, status: ContainerStatus | undefined) {
  const state = status?.state ?? {};
  const which = state.waiting ? 'waiting' : state.terminated ? 'terminated' : state.running ? 'running' : 'waiting';
  const detail = state.waiting ?? state.terminated;
  return {
    name: spec.name,
    image: status?.image ?? spec.image ?? '',
    ready: status?.ready ?? false,
    restarts: status?.restartCount ?? 0,
    state: which,
    ...(detail?.reason ? { reason: detail.reason } : {}),
    ...(detail?.message ? { message: detail.message } : {}),
  };
}

function eventSummary(e: EventObject): EventSummary {
  const first = e.firstTimestamp ?? e.eventTime;
  return {
    ...(first ? { firstSeen: first } : {}),
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    message: e.message ?? '',
    count: e.series?.count ?? e.count ?? 1,
    lastSeen:
      e.series?.lastObservedTime ??
      e.lastTimestamp ??
      e.eventTime ??
      e.firstTimestamp ??
      e.metadata?.creationTimestamp ??
      '',
  };
}

export function createPodService(withGateway: <R>(context: string, fn: (g: KubeGateway) => Promise<R>) => Promise<R>) {
  async function getPod(params: { context: string; namespace: string; name: string }): Promise<PodDetail> {
    return withGateway(params.context, async (gateway) => {
      const pod = await gateway.getJson<PodObject>(podPath(params.namespace, params.name));
      const selector = [
        `involvedObject.name=${params.name}`,
        `involvedObject.namespace=${params.namespace}`,
        'involvedObject.kind=Pod',
      ].join(',');
      const [events, owner] = await Promise.all([
        gateway
          .getJson<{ items?: EventObject[] }>(
            `/api/v1/namespaces/${encodeURIComponent(params.namespace)}/events?fieldSelector=${encodeURIComponent(selector)}`,
          )
          // Events are a nicety: a pod whose events we may not read still shows.
          .then((list) => list.items ?? [])
          .catch(() => []),
        ownerOf(gateway, pod),
      ]);
      const summary = summarizePod(pod);
      if (owner) summary.owner = owner;
      const uid = pod.metadata?.uid;
      const statuses = new Map((pod.status?.containerStatuses ?? []).map((c) => [c.name, c]));
      const initStatuses = new Map((pod.status?.initContainerStatuses ?? []).map((c) => [c.name, c]));
      return {
        summary,
        conditions: (pod.status?.conditions ?? []).map((c) => ({
          type: c.type,
          status: c.status,
          ...(c.reason ? { reason: c.reason } : {}),
          ...(c.lastTransitionTime ? { lastTransitionTime: c.lastTransitionTime } : {}),
        })),
        containers: (pod.spec?.containers ?? []).map((c) => containerDetail(c, statuses.get(c.name))),
        // The API server requires a name on every init container, as on every container.
        initContainers: ((pod.spec?.initContainers ?? []) as { name: string; image?: string }[]).map((c) =>
          containerDetail(c, initStatuses.get(c.name)),
        ),
        // A StatefulSet pod reuses its name; events of an earlier pod by that name are not this one's.
        events: aggregateEvents(
          events.filter((e) => !uid || !e.involvedObject?.uid || e.involvedObject.uid === uid).map(eventSummary),
        ).slice(0, MAX_EVENTS),
        ...(pod.status?.podIP ? { podIP: pod.status.podIP } : {}),
        labels: pod.metadata?.labels ?? {},
      };
    });
  }

  /**
   * The pod's owning workload: a ReplicaSet's Deployment (one GET of the ReplicaSet), else its
   * direct owner (also when the ReplicaSet cannot be read), or undefined.
   */
  async function ownerOf(gateway: KubeGateway, pod: PodObject) {
    const owner = directOwner(pod);
    const namespace = pod.metadata?.namespace;
    if (owner?.kind !== 'ReplicaSet' || !namespace) return owner;
    const rs = await gateway
      .getJson<KubeObject>(
        `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/replicasets/${encodeURIComponent(owner.name)}`,
        { timeoutMs: 10_000 },
      )
      .catch(() => undefined);
    const deployment = rs && directOwner(rs);
    return deployment?.kind === 'Deployment' ? deployment : owner;
  }

  async function deletePod(params: { context: string; namespace: string; name: string }): Promise<{ deleted: true }> {
    return withGateway(params.context, async (gateway) => {
      await gateway.request(podPath(params.namespace, params.name), { method: 'DELETE' });
      return { deleted: true as const };
    });
  }

  async function listNamespaces(params: { context: string }): Promise<{ namespaces: string[] }> {
    return withGateway(params.context, async (gateway) => {
      const list = await gateway.listAll<KubeObject>('/api/v1/namespaces');
      const namespaces = list.items.map((n) => n.metadata?.name ?? '').filter(Boolean);
      return { namespaces: namespaces.sort() };
    });
  }

  return { getPod, deletePod, listNamespaces };
}
