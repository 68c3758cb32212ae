import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import type { ContextSummary } from '@shared/contract';
import { useContexts } from '../features/connections/use-contexts';

const STORAGE_KEY = 'homeport.activeContext';

interface ActiveContextValue {
  /** The context the live screens show, if any exists. */
  active?: ContextSummary;
  contexts: ContextSummary[];
  select(name: string): void;
}

const ActiveContext = createContext<ActiveContextValue>({ contexts: [], select: () => {} });

/** Remembers which context the live screens show: the user's pick, else kubeconfig's current. */
export function ActiveContextProvider({ children }: { children: ReactNode }) {
  const list = useContexts();
  const [chosen, setChosen] = useState<string | null>(() => localStorage.getItem(STORAGE_KEY));
  const value = useMemo<ActiveContextValue>(() => {
    const contexts = list.data?.contexts ?? [];
    const active =
      contexts.find((c) => c.name === chosen) ??
      contexts.find((c) => c.current) ??
      contexts.find((c) => c.simulated) ??
      contexts[0];
    return {
      active,
      contexts,
      select: (name) => {
        localStorage.setItem(STORAGE_KEY, name);
        setChosen(name);
      },
    };
  }, [list.data, chosen]);
  return <ActiveContext.Provider value={value}>{children}</ActiveContext.Provider>;
}

export const useActiveContext = () => useContext(ActiveContext);
