import type { ReactNode } from 'react';

/**
 * What a screen shows when it has no cluster (or Docker endpoint) to show: while the connections
 * are still being read, that they are loading, not that there are none.
 */
export function NoConnection({ loading, children }: { loading: boolean; children: ReactNode }) {
  return loading ? (
    <p className="muted" role="status" aria-live="polite" data-testid="connections-loading">
      Loading connections…
    </p>
  ) : (
    <p className="empty">{children}</p>
  );
}
