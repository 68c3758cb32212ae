import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { ContextSummary } from '@shared/contract';
import type { DockerEndpoint } from '@shared/swarm-schemas';
import type { Target, TargetKind } from '@shared/target-schemas';
import { useEndpoints } from '../features/swarm/use-endpoints';
import { useActiveContext } from './active-context';
import { useSelection } from './use-selection';

interface ActiveTargetValue {
  kind: TargetKind;
  setKind(kind: TargetKind): void;
  /** The namespace typed by the user; empty means "the stack's name". */
  namespace: string;
  setNamespace(namespace: string): void;
  context?: ContextSummary;
  contexts: ContextSummary[];
  selectContext(name: string): void;
  endpoint?: DockerEndpoint;
  endpoints: DockerEndpoint[];
  endpointsLoading: boolean;
  /** Contexts or endpoints are still being read: having neither yet says nothing. */
  loading: boolean;
  selectEndpoint(name: string): void;
  /** Where a stack goes on the screens that act on stacks (Deploy, Readiness), if one is chosen. */
  targetFor(stack: string): Target | undefined;
}

/** Exported for SwarmEndpointScope, which gives the Swarm and Leaders screens their own endpoint. */
export const ActiveTarget = createContext<ActiveTargetValue | undefined>(undefined);

/**
 * The target the stack screens act on, shared by every screen and remembered across restarts: the
 * kind (Kubernetes or Swarm), the cluster (the active context) and namespace, or the Docker endpoint.
 */
export function ActiveTargetProvider({ children }: { children: ReactNode }) {
  const { active, contexts, loading: contextsLoading, select } = useActiveContext();
  const endpointList = useEndpoints();
  const { selection, update } = useSelection();
  const kind: TargetKind = selection?.targetKind ?? 'kubernetes';
  const namespace = selection?.targetNamespace ?? '';
  const chosenEndpoint = selection?.endpoint;
  const value = useMemo<ActiveTargetValue>(() => {
    const endpoints = endpointList.data?.endpoints ?? [];
    const endpoint = endpoints.find((e) => e.name === chosenEndpoint) ?? endpoints[0];
    return {
      kind,
      setKind: (k) => update({ targetKind: k }),
      namespace,
      setNamespace: (ns) => update({ targetNamespace: ns }),
      context: active,
      contexts,
      selectContext: select,
      endpoint,
      endpoints,
      endpointsLoading: endpointList.isPending,
      loading: contextsLoading || endpointList.isPending,
      selectEndpoint: (name) => update({ endpoint: name }),
      targetFor: (stack) => {
        if (kind === 'swarm') return endpoint ? { kind, endpoint: endpoint.name } : undefined;
        const ns = namespace || stack;
        return active && ns ? { kind, context: active.name, namespace: ns } : undefined;
      },
    };
  }, [
    kind,
    namespace,
    chosenEndpoint,
    active,
    contexts,
    contextsLoading,
    select,
    endpointList.data,
    endpointList.isPending,
    update,
  ]);
  return <ActiveTarget.Provider value={value}>{children}</ActiveTarget.Provider>;
}

export function useActiveTarget(): ActiveTargetValue {
  const value = useContext(ActiveTarget);
  if (!value) throw new Error('useActiveTarget needs an ActiveTargetProvider above it');
  return value;
}
