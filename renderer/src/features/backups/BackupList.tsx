import { useState } from 'react';
import type { BackupDestinationSpec, BackupSummary } from '@shared/backup-schemas';
import { useNow } from '../../lib/use-live-collection';
import { formatAge, formatBytes } from './backup-format';
import { OperationProgress } from './OperationProgress';
import { RestoreDialog } from './RestoreDialog';
import { useBackupList, useVerify } from './use-backups';

/** The backups at the destination, per stack: size, age, complete or not, the last drill; Verify and Restore. */
export function BackupList({ destination }: { destination: BackupDestinationSpec }) {
  const list = useBackupList(destination);
  const [restoring, setRestoring] = useState<BackupSummary>();
  const now = useNow(30_000);
  if (list.error) {
    return (
      <p className="error" role="alert">
        {list.error.message}
      </p>
    );
  }
  if (!list.data) return <p className="muted">Reading the destination…</p>;
  const byStack = new Map<string, BackupSummary[]>();
  for (const b of list.data.backups) byStack.set(b.stack, [...(byStack.get(b.stack) ?? []), b]);
  if (byStack.size === 0) return <p className="empty">No backups at this destination yet.</p>;
  return (
    <>
      {[...byStack].map(([stack, backups]) => (
        <section key={stack} aria-label={`Backups of ${stack}`}>
          <h3>{stack}</h3>
          <table className="table" data-testid={`backups-${stack}`}>
            <thead>
              <tr>
                <th>Backup</th>
                <th>Age</th>
                <th>Size</th>
                <th>State</th>
                <th>Restore drill</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {backups.map((b) => (
                <BackupRow
                  key={b.id}
                  backup={b}
                  now={now}
                  destination={destination}
                  onRestore={() => setRestoring(b)}
                />
              ))}
            </tbody>
          </table>
        </section>
      ))}
      {restoring ? (
        <RestoreDialog
          key={restoring.id}
          backup={restoring}
          destination={destination}
          onClose={() => setRestoring(undefined)}
        />
      ) : null}
    </>
  );
}

function BackupRow({
  backup,
  now,
  destination,
  onRestore,
}: {
  backup: BackupSummary;
  now: number;
  destination: BackupDestinationSpec;
  onRestore(): void;
}) {
  const verify = useVerify();
  const [operation, setOperation] = useState<string>();
  const manifest = backup.manifest;
  const drill = backup.drill;
  return (
    <tr data-backup={backup.id} aria-label={`Backup ${backup.id}`}>
      <td className="mono small">{backup.id}</td>
      <td className="small" title={manifest?.startedAt}>
        {manifest ? formatAge(manifest.startedAt, now) : '—'}
      </td>
      <td className="small" data-testid="backup-size">
        {manifest ? formatBytes(manifest.bytes) : '—'}
      </td>
      <td data-testid="backup-state">
        {backup.complete ? (
          <span className="tone-ok">Complete</span>
        ) : (
          <span className="tone-warn" title="No manifest: the backup did not finish, and is never offered for restore">
            Incomplete
          </span>
        )}
      </td>
      <td className="small" data-testid="backup-drill" data-result={drill?.result ?? 'none'}>
        {drill ? (
          <>
            <span className={drill.result === 'passed' ? 'tone-ok' : 'tone-error'}>
              {drill.result === 'passed' ? 'Passed' : 'Failed'}
            </span>{' '}
            <span className="muted" title={drill.at}>
              {formatAge(drill.at, now)}
            </span>
            {drill.message ? (
              <div className={drill.result === 'failed' ? 'error' : 'muted'}>{drill.message}</div>
            ) : null}
          </>
        ) : (
          <span className="muted">Not verified</span>
        )}
        {operation ? <OperationProgress operation={operation} label={`Verify ${backup.id}`} /> : null}
        {verify.error ? (
          <div className="error" role="alert">
            {verify.error.message}
          </div>
        ) : null}
      </td>
      <td>
        <div className="row">
          <button
            type="button"
            disabled={!backup.complete || verify.isPending}
            onClick={() =>
              verify.mutate(
                { destination, backup: backup.id },
                { onSuccess: (started) => setOperation(started.operation) },
              )
            }
          >
            Verify
          </button>
          <button type="button" disabled={!backup.complete} onClick={onRestore}>
            Restore…
          </button>
        </div>
      </td>
    </tr>
  );
}
