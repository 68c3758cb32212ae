import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import type { ContextSummary } from '@shared/contract';
import { useContexts } from '../features/connections/use-contexts';
import { useSelection } from './use-selection';

interface ActiveContextValue {
  /** The context the live screens show, if any exists. */
  active?: ContextSummary;
  contexts: ContextSummary[];
  /** The context list, or the remembered pick, is still being read: no context yet says nothing. */
  loading: boolean;
  select(name: string): void;
}

const ActiveContext = createContext<ActiveContextValue>({ contexts: [], loading: false, select: () => {} });

/** The context shown when the user has not chosen one (or theirs is gone): kubeconfig's current, else the sandbox. */
export function defaultContext(contexts: readonly ContextSummary[]): ContextSummary | undefined {
  return contexts.find((c) => c.current) ?? contexts.find((c) => c.simulated) ?? contexts[0];
}

/**
 * Which context the live screens show: the user's pick, remembered in the data directory. The
 * first context shown is remembered as the pick too, so adding a kubeconfig (whose current-context
 * may come first) never switches the screens to another cluster.
 */
export function ActiveContextProvider({ children }: { children: ReactNode }) {
  const list = useContexts();
  const { selection, loaded, update } = useSelection();
  const chosen = selection?.context;
  const contexts = useMemo(() => list.data?.contexts ?? [], [list.data]);
  const active = loaded ? (contexts.find((c) => c.name === chosen) ?? defaultContext(contexts)) : undefined;
  const activeName = active?.name;
  useEffect(() => {
    if (loaded && !chosen && activeName) update({ context: activeName });
  }, [loaded, chosen, activeName, update]);
  const loading = list.isPending || !loaded;
  const value = useMemo<ActiveContextValue>(
    () => ({ active, contexts, loading, select: (name) => update({ context: name }) }),
    [active, contexts, loading, update],
  );
  return <ActiveContext.Provider value={value}>{children}</ActiveContext.Provider>;
}

export const useActiveContext = () => useContext(ActiveContext);
