import { useQueries } from '@tanstack/react-query';
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { ActiveTarget, useActiveTarget } from './active-target';
import { invoke } from './api-client';
import { pickEndpoint, type EndpointPick, type Reach } from './swarm-endpoint-pick';
import { useSelection } from './use-selection';

interface SwarmEndpointInfo {
  pick: EndpointPick;
  reach(name: string): Reach;
}

const SwarmEndpoint = createContext<SwarmEndpointInfo | undefined>(undefined);

/** How long a screen waits on an endpoint before calling it unreachable. */
const PROBE_TIMEOUT_MS = 4000;

/**
 * The Docker endpoint of the Swarm and Leaders screens, apart from where stacks go: the one last
 * picked on these screens if it answers, else the first that does. Inside, `useActiveEndpoint`
 * (and every Swarm view) sees this endpoint, and picking one remembers it for these screens.
 */
export function SwarmEndpointScope({ children }: { children: ReactNode }) {
  const parent = useActiveTarget();
  const { selection, loaded, update } = useSelection();
  const names = parent.endpoints.map((e) => e.name);
  const tests = useQueries({
    queries: names.map((name) => ({
      queryKey: ['docker:testEndpoint', name, 'reachable'],
      queryFn: () => invoke('docker:testEndpoint', { name, timeoutMs: PROBE_TIMEOUT_MS }),
      staleTime: 30_000,
      retry: false,
    })),
  });
  const states = tests.map((t): Reach =>
    t.isPending ? 'checking' : t.data?.status === 'connected' ? 'reachable' : 'unreachable',
  );
  const key = `${names.join('\n')}|${states.join(',')}|${selection?.swarmEndpoint ?? ''}`;
  const info = useMemo<SwarmEndpointInfo>(() => {
    const reach = (name: string) => states[names.indexOf(name)] ?? 'checking';
    return { pick: pickEndpoint(names, selection?.swarmEndpoint, reach), reach };
    // `key` holds every input; the arrays are new on each render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const endpoint = parent.endpoints.find((e) => e.name === info.pick.name);
  const value = useMemo(
    () => ({
      ...parent,
      endpoint,
      endpointsLoading: parent.endpointsLoading || !loaded || info.pick.checking,
      selectEndpoint: (name: string) => update({ swarmEndpoint: name }),
    }),
    [parent, endpoint, loaded, info.pick.checking, update],
  );
  return (
    <SwarmEndpoint.Provider value={info}>
      <ActiveTarget.Provider value={value}>{children}</ActiveTarget.Provider>
    </SwarmEndpoint.Provider>
  );
}

/** Reachability of the endpoints and why the shown one was picked, inside a SwarmEndpointScope. */
export function useSwarmEndpointInfo(): SwarmEndpointInfo | undefined {
  return useContext(SwarmEndpoint);
}
