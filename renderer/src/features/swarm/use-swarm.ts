import { useMemo } from 'react';
import type { SwarmNode, SwarmService, SwarmTask } from '@shared/swarm-schemas';
import type { LogLines } from '../../lib/log-lines';
import { useLiveCollection } from '../../lib/use-live-collection';
import { useActiveTarget } from '../../lib/active-target';
import { useLogLines } from '../../lib/use-log-lines';

/** The Docker endpoint the Swarm views show: the user's pick (shared by every screen), else the first one. */
export function useActiveEndpoint() {
  const t = useActiveTarget();
  return { active: t.endpoint, endpoints: t.endpoints, loading: t.endpointsLoading, select: t.selectEndpoint };
}

const byId = (item: { id: string }) => item.id;

function useSorted<T extends { id: string }>(
  topic: 'swarm:nodes' | 'swarm:services' | 'swarm:tasks',
  params: { endpoint: string; serviceId?: string } | undefined,
  compare: (a: T, b: T) => number,
) {
  const live = useLiveCollection<typeof topic, T>(topic, params, byId);
  const { items, version } = live;
  const sorted = useMemo(() => {
    void version;
    return [...items.values()].sort(compare);
  }, [items, version, compare]);
  return { items: sorted, status: live.status };
}

const compareNodes = (a: SwarmNode, b: SwarmNode) =>
  Number(b.leader) - Number(a.leader) || a.role.localeCompare(b.role) || a.hostname.localeCompare(b.hostname);
const compareServices = (a: SwarmService, b: SwarmService) => a.name.localeCompare(b.name);
const compareTasks = (a: SwarmTask, b: SwarmTask) =>
  a.serviceName.localeCompare(b.serviceName) || (a.slot ?? 0) - (b.slot ?? 0) || b.updatedAt.localeCompare(a.updatedAt);

export const useSwarmNodes = (endpoint: string | undefined) =>
  useSorted<SwarmNode>('swarm:nodes', endpoint ? { endpoint } : undefined, compareNodes);
export const useSwarmServices = (endpoint: string | undefined) =>
  useSorted<SwarmService>('swarm:services', endpoint ? { endpoint } : undefined, compareServices);
export const useSwarmTasks = (endpoint: string | undefined, serviceId: string | undefined) =>
  useSorted<SwarmTask>('swarm:tasks', endpoint && serviceId ? { endpoint, serviceId } : undefined, compareTasks);

/** The last 200 lines of a service's log (every task, demultiplexed), then new ones while following. */
export const useServiceLogs = (endpoint: string, serviceId: string, follow: boolean): LogLines =>
  useLogLines('swarm:logs', { endpoint, service: serviceId, follow, tail: 200 });
