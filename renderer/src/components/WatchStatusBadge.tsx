import type { WatchStatus } from '@shared/kube-schemas';

const labels: Record<WatchStatus['state'], string> = {
  syncing: 'Loading…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  failed: 'Not connected',
};

export function WatchStatusBadge({ status }: { status: WatchStatus }) {
  return (
    <div
      className={`watch-status watch-${status.state}`}
      data-testid="watch-status"
      role={status.state === 'failed' ? 'alert' : undefined}
    >
      <span className="dot" /> {labels[status.state]}
      {status.message ? <span className="small"> — {status.message}</span> : null}
    </div>
  );
}
