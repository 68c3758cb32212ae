import type { BackupProgress } from '@shared/backup-schemas';
import { formatBytes, formatRate } from './backup-format';
import { useOperation } from './use-backups';

const kindLabels: Record<BackupProgress['kind'], string> = { backup: 'Backup', restore: 'Restore', verify: 'Verify' };
const stateLabels: Record<BackupProgress['state'], string> = {
  running: 'Running',
  succeeded: 'Complete',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
const stateTone: Record<BackupProgress['state'], string> = {
  running: 'tone-warn',
  succeeded: 'tone-ok',
  failed: 'tone-error',
  cancelled: 'tone-muted',
};
const itemTone = { done: 'tone-ok', failed: 'tone-error', skipped: 'tone-muted' } as const;

/** A backup, restore or drill as it runs: item, bytes and rate; Cancel; at the end, each item's result. */
export function OperationProgress({
  operation,
  label,
  onEnd,
}: {
  operation: string;
  label: string;
  onEnd?: (progress: BackupProgress) => void;
}) {
  const { progress, error, cancel } = useOperation(operation, onEnd);
  return (
    <div role="group" aria-label={label} className="backup-progress" data-testid="backup-progress">
      {error ? (
        <p className="error small" role="alert">
          {error}
        </p>
      ) : null}
      {!progress && !error ? <p className="muted small">Starting…</p> : null}
      {progress ? (
        <>
          <p className="small">
            <strong className={stateTone[progress.state]} data-testid="operation-state">
              {stateLabels[progress.state]}
            </strong>{' '}
            <span className="muted">
              {kindLabels[progress.kind]} {progress.backup}
            </span>
          </p>
          {progress.state === 'running' ? (
            <p className="small" role="status" aria-live="polite" data-testid="operation-live">
              <span data-testid="operation-phase">{progress.phase}</span>
              {progress.item ? (
                <>
                  {' · '}
                  <span className="mono" data-testid="operation-item">
                    {progress.item}
                  </span>
                </>
              ) : null}
              {' · '}
              <span data-testid="operation-bytes">{formatBytes(progress.bytes)}</span>
              {' at '}
              <span data-testid="operation-rate">{formatRate(progress.bytesPerSecond)}</span>
            </p>
          ) : null}
          {progress.message ? (
            <p className={`small ${progress.state === 'failed' ? 'error' : 'muted'}`} data-testid="operation-message">
              {progress.message}
            </p>
          ) : null}
          {progress.items.length > 0 ? (
            <ul className="small" aria-label={`${label}: items`}>
              {progress.items.map((item) => (
                <li key={item.name} data-item={item.name} data-state={item.state}>
                  <span className="mono">{item.name}</span> <span className={itemTone[item.state]}>{item.state}</span> ·{' '}
                  {formatBytes(item.bytes)}
                  {item.message ? <span className="muted"> · {item.message}</span> : null}
                </li>
              ))}
            </ul>
          ) : null}
          {progress.state === 'running' ? (
            <button type="button" disabled={cancel.isPending} onClick={() => cancel.mutate()}>
              Cancel
            </button>
          ) : null}
          {cancel.error ? <p className="error small">{cancel.error.message}</p> : null}
        </>
      ) : null}
    </div>
  );
}
