/** Compact summaries of the engine's Swarm objects, as shared/swarm-schemas.ts describes them. */
import type { SwarmNode, SwarmService, SwarmTask } from '@shared/swarm-schemas';

/** The parts of the Engine API objects Homeport reads. */
export interface EngineNode {
  ID: string;
  Spec?: { Role?: string; Availability?: string };
  Description?: { Hostname?: string; Engine?: { EngineVersion?: string } };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string; Addr?: string };
}

interface EnginePort {
  PublishedPort?: number;
  TargetPort?: number;
  Protocol?: string;
}

export interface EngineService {
  ID: string;
  UpdatedAt?: string;
  Spec?: {
    Name?: string;
    Labels?: Record<string, string>;
    Mode?: { Replicated?: { Replicas?: number }; Global?: object };
    TaskTemplate?: { ContainerSpec?: { Image?: string } };
    EndpointSpec?: { Ports?: EnginePort[] };
  };
  Endpoint?: { Ports?: EnginePort[] };
  UpdateStatus?: { State?: string; Message?: string };
  ServiceStatus?: { RunningTasks?: number; DesiredTasks?: number };
}

export interface EngineTask {
  ID: string;
  ServiceID?: string;
  NodeID?: string;
  Slot?: number;
  UpdatedAt?: string;
  DesiredState?: string;
  Status?: { State?: string; Message?: string; Err?: string };
  Spec?: { ContainerSpec?: { Image?: string } };
}

/** `nginx:1.27@sha256:...` -> `nginx:1.27`. */
export function imageWithoutDigest(image: string | undefined): string {
  return (image ?? '').replace(/@sha256:[0-9a-f]+$/i, '');
}

export function summarizeNode(n: EngineNode): SwarmNode {
  const role = n.Spec?.Role === 'manager' ? 'manager' : 'worker';
  const managerAddr = n.ManagerStatus?.Addr?.replace(/:\d+$/, '');
  const address = n.Status?.Addr && n.Status.Addr !== '0.0.0.0' ? n.Status.Addr : managerAddr;
  return {
    id: n.ID,
    hostname: n.Description?.Hostname ?? n.ID,
    role,
    availability: n.Spec?.Availability ?? 'unknown',
    state: n.Status?.State ?? 'unknown',
    ...(address ? { address } : {}),
    ...(n.Description?.Engine?.EngineVersion ? { engineVersion: n.Description.Engine.EngineVersion } : {}),
    ...(n.ManagerStatus?.Reachability ? { managerReachability: n.ManagerStatus.Reachability } : {}),
    leader: n.ManagerStatus?.Leader === true,
  };
}

export function summarizeService(s: EngineService, tasks: EngineTask[], nodes: EngineNode[]): SwarmService {
  const mode = s.Spec?.Mode?.Replicated ? 'replicated' : s.Spec?.Mode?.Global ? 'global' : 'other';
  const own = tasks.filter((t) => t.ServiceID === s.ID);
  const running = own.filter((t) => t.Status?.State === 'running' && t.DesiredState === 'running').length;
  let desired: number;
  if (mode === 'replicated') {
    desired = s.Spec?.Mode?.Replicated?.Replicas ?? 0;
  } else if (mode === 'global') {
    // The engine's count honours placement constraints; without it, every node that can take tasks.
    desired =
      s.ServiceStatus?.DesiredTasks ??
      nodes.filter((n) => n.Status?.State === 'ready' && n.Spec?.Availability === 'active').length;
  } else {
    desired = s.ServiceStatus?.DesiredTasks ?? own.filter((t) => t.DesiredState === 'running').length;
  }
  const ports = (s.Endpoint?.Ports ?? s.Spec?.EndpointSpec?.Ports ?? [])
    .filter((p) => p.PublishedPort !== undefined && p.PublishedPort > 0)
    .map((p) => ({ published: p.PublishedPort!, target: p.TargetPort ?? 0, protocol: p.Protocol ?? 'tcp' }));
  const stack = s.Spec?.Labels?.['com.docker.stack.namespace'];
  return {
    id: s.ID,
    name: s.Spec?.Name ?? s.ID,
    ...(stack ? { stack } : {}),
    mode,
    running,
    desired,
    image: imageWithoutDigest(s.Spec?.TaskTemplate?.ContainerSpec?.Image),
    ports,
    ...(s.UpdateStatus?.State
      ? {
          update: {
            state: s.UpdateStatus.State,
            ...(s.UpdateStatus.Message ? { message: s.UpdateStatus.Message } : {}),
          },
        }
      : {}),
    updatedAt: s.UpdatedAt ?? '',
  };
}

export function summarizeTask(
  t: EngineTask,
  serviceNames: ReadonlyMap<string, string>,
  hostnames: ReadonlyMap<string, string>,
): SwarmTask {
  const serviceId = t.ServiceID ?? '';
  const node = t.NodeID ? hostnames.get(t.NodeID) : undefined;
  const image = imageWithoutDigest(t.Spec?.ContainerSpec?.Image);
  return {
    id: t.ID,
    serviceId,
    serviceName: serviceNames.get(serviceId) ?? serviceId,
    ...(t.Slot !== undefined ? { slot: t.Slot } : {}),
    ...(t.NodeID ? { nodeId: t.NodeID } : {}),
    ...(node ? { node } : {}),
    state: t.Status?.State ?? 'unknown',
    desiredState: t.DesiredState ?? 'unknown',
    ...(t.Status?.Message ? { message: t.Status.Message } : {}),
    ...(t.Status?.Err ? { error: t.Status.Err } : {}),
    ...(image ? { image } : {}),
    updatedAt: t.UpdatedAt ?? '',
  };
}
