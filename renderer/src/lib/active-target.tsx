import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import type { ContextSummary } from '@shared/contract';
import type { DockerEndpoint } from '@shared/swarm-schemas';
import type { Target, TargetKind } from '@shared/target-schemas';
import { useEndpoints } from '../features/swarm/use-endpoints';
import { useActiveContext } from './active-context';

const ENDPOINT_KEY = 'homeport.activeEndpoint';
const KIND_KEY = 'homeport.targetKind';
const NAMESPACE_KEY = 'homeport.targetNamespace';

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
  selectEndpoint(name: string): void;
  /** Where a stack goes on the screens that act on stacks (Deploy, Readiness), if one is chosen. */
  targetFor(stack: string): Target | undefined;
}

const ActiveTarget = createContext<ActiveTargetValue | undefined>(undefined);

const remembered = (key: string) => localStorage.getItem(key);
const remember = (key: string, value: string) => localStorage.setItem(key, value);

/**
 * The target the stack screens act on, shared by every screen and remembered across restarts: the
 * kind (Kubernetes or Swarm), the cluster (the active context) and namespace, or the Docker endpoint.
 */
export function ActiveTargetProvider({ children }: { children: ReactNode }) {
  const { active, contexts, select } = useActiveContext();
  const endpointList = useEndpoints();
  const [kind, setKindState] = useState<TargetKind>(() => (remembered(KIND_KEY) === 'swarm' ? 'swarm' : 'kubernetes'));
  const [namespace, setNamespaceState] = useState(() => remembered(NAMESPACE_KEY) ?? '');
  const [chosenEndpoint, setChosenEndpoint] = useState(() => remembered(ENDPOINT_KEY));
  const value = useMemo<ActiveTargetValue>(() => {
    const endpoints = endpointList.data?.endpoints ?? [];
    const endpoint = endpoints.find((e) => e.name === chosenEndpoint) ?? endpoints[0];
    return {
      kind,
      setKind: (k) => {
        remember(KIND_KEY, k);
        setKindState(k);
      },
      namespace,
      setNamespace: (ns) => {
        remember(NAMESPACE_KEY, ns);
        setNamespaceState(ns);
      },
      context: active,
      contexts,
      selectContext: select,
      endpoint,
      endpoints,
      endpointsLoading: endpointList.isPending,
      selectEndpoint: (name) => {
        remember(ENDPOINT_KEY, name);
        setChosenEndpoint(name);
      },
      targetFor: (stack) => {
        if (kind === 'swarm') return endpoint ? { kind, endpoint: endpoint.name } : undefined;
        const ns = namespace || stack;
        return active && ns ? { kind, context: active.name, namespace: ns } : undefined;
      },
    };
  }, [kind, namespace, chosenEndpoint, active, contexts, select, endpointList.data, endpointList.isPending]);
  return <ActiveTarget.Provider value={value}>{children}</ActiveTarget.Provider>;
}

export function useActiveTarget(): ActiveTargetValue {
  const value = useContext(ActiveTarget);
  if (!value) throw new Error('useActiveTarget needs an ActiveTargetProvider above it');
  return value;
}
