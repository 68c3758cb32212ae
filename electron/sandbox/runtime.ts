/**
 * What runs the sandbox's pods: the simulated kubelet (kubelet.ts, the default) or real containers
 * on a local Docker engine (docker/docker-kubelet.ts). The API server and the controllers see
 * either through this one interface.
 */
import type * as http from 'node:http';
import type * as net from 'node:net';
import type { ExecOptions, ExecProcess } from './docker/exec';
import { RESOURCES, type ResourceType } from './resources';
import type { KObject, Store } from './store';

const R = (plural: string) => RESOURCES.find((r) => r.plural === plural) as ResourceType;
export const PODS = R('pods');
export const NODES = R('nodes');

/** The container an exec runs in. */
export interface ExecTarget {
  containerId: string;
  /**
   * The refusal, in the pod's words, for a container that stopped between the check and the
   * exec (a crash-looping one runs for a moment); resolves once the kubelet has seen the exit.
   */
  stopped?: () => Promise<Error>;
}

/** exec and port-forward into a pod: only a runtime whose pods are real processes has them. */
export interface PodStreams {
  /**
   * The container `exec` runs in (the only one when `container` is null); throws ApiError when the
   * pod or container does not exist or is not running, before any upgrade is answered.
   */
  execTarget(namespace: string, pod: string, container: string | null): ExecTarget;
  exec(target: ExecTarget, opts: ExecOptions): Promise<ExecProcess>;
  /** Checks the pod can take port-forward connections; throws ApiError like execTarget. */
  forwardTarget(namespace: string, pod: string): { uid: string };
  /** A connection to `port` of the pod; rejects with the kubelet's words when nothing listens. */
  dial(namespace: string, pod: string, port: number): Promise<net.Socket>;
}

export interface PodRuntime {
  /** One pass of the kubelets over every pod. */
  tick(): void;
  /**
   * Graceful delete: Terminating first, gone once the kubelet has stopped it (within
   * `gracePeriodSeconds`, else the pod's terminationGracePeriodSeconds).
   */
  deletePod(namespace: string | undefined, name: string, gracePeriodSeconds?: number): KObject | undefined;
  /** Fault: the pod vanishes at once, as if its node lost it. */
  killPod(namespace: string, name: string): void;
  serveLogs(namespace: string, name: string, q: URLSearchParams, res: http.ServerResponse): void | Promise<void>;
  streams?: PodStreams;
  close?(): Promise<void>;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export function gracefulDelete(
  store: Store,
  namespace: string | undefined,
  name: string,
  gracePeriodSeconds?: number,
): KObject | undefined {
  const pod = store.get(PODS, namespace, name);
  if (!pod) return undefined;
  if (pod.metadata.deletionTimestamp) return pod;
  const grace = gracePeriodSeconds ?? (pod.spec?.terminationGracePeriodSeconds as number | undefined) ?? 30;
  return store.update(PODS, {
    ...pod,
    metadata: { ...pod.metadata, deletionTimestamp: now(), deletionGracePeriodSeconds: grace },
  });
}

/** Nodes whose Ready condition is True: the ones a kubelet may place pods on. */
export function readyNodes(store: Store): KObject[] {
  return store
    .list(NODES)
    .filter((n) =>
      ((n.status?.conditions as { type: string; status: string }[]) ?? []).some(
        (c) => c.type === 'Ready' && c.status === 'True',
      ),
    );
}

/** Ready nodes that are not cordoned (spec.unschedulable): where the scheduler places new pods. */
export function schedulableNodes(store: Store): KObject[] {
  return readyNodes(store).filter((n) => n.spec?.unschedulable !== true);
}

/**
 * The node a pending pod goes to: the one it names (as a DaemonSet's pods do, which the scheduler
 * never sees), else the next schedulable one; none while every node is cordoned or not ready.
 */
export function placePod(store: Store, pod: KObject, turn: number): KObject | undefined {
  const named = pod.spec?.nodeName as string | undefined;
  if (named) return store.peek(NODES, undefined, named);
  const nodes = schedulableNodes(store);
  return nodes.length === 0 ? undefined : nodes[turn % nodes.length];
}

/** What every kubelet knows of a container, whatever runs it. */
export interface ContainerRun {
  spec: { name: string; image: string };
  state: 'waiting' | 'running' | 'terminated';
  waiting: { reason: string; message?: string };
  terminated?: Record<string, unknown>;
  lastState: Record<string, unknown>;
  /** Attempts before the current one, as the kubelet counts restarts. */
  restarts: number;
  startedAt: string;
  /** The startup probe has passed (or there is none). */
  started: boolean;
  ready: boolean;
}

/** A container's entry in status.containerStatuses, as the kubelet writes it. */
export function containerStatus(r: ContainerRun, ids: { imageID: string; containerID?: string }) {
  return {
    name: r.spec.name,
    image: r.spec.image,
    imageID: ids.imageID,
    ...(ids.containerID ? { containerID: ids.containerID } : {}),
    ready: r.ready,
    restartCount: r.restarts,
    started: r.state === 'running' && r.started,
    state:
      r.state === 'running'
        ? { running: { startedAt: r.startedAt } }
        : r.state === 'terminated'
          ? { terminated: r.terminated }
          : { waiting: r.waiting },
    lastState: r.lastState,
  };
}
