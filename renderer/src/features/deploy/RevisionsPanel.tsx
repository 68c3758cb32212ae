import { useState } from 'react';
import { describeTarget, useRevisions, useRollback, useUninstall, type DeployTarget } from './use-deploy';

/** Recorded revisions of a deployed stack, with roll back (Kubernetes) and uninstall. */
export function RevisionsPanel({ target }: { target: DeployTarget }) {
  const revisions = useRevisions(target);
  const rollback = useRollback();
  const uninstall = useUninstall();
  const [confirming, setConfirming] = useState(false);
  const [deleteData, setDeleteData] = useState(false);
  const list = revisions.data ?? [];
  if (revisions.error) return <p className="error small">{revisions.error.message}</p>;
  const uninstalled = uninstall.data ? (
    <p className="ok small" role="status" data-testid="uninstall-result">
      Removed {uninstall.data.deleted.length} objects; kept {uninstall.data.kept.length}
      {uninstall.data.kept.length > 0 ? `: ${uninstall.data.kept.join(', ')}` : ''}.
    </p>
  ) : null;
  if (list.length === 0) {
    return (
      <>
        <p className="muted small">Not deployed to {describeTarget(target)}.</p>
        {uninstalled}
      </>
    );
  }
  const error = rollback.error ?? uninstall.error;
  return (
    <div data-testid="revisions">
      <table className="table">
        <thead>
          <tr>
            <th>Revision</th>
            <th>Applied</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((r) => (
            <tr key={r.revision} data-revision={r.revision}>
              <td>
                {r.revision}
                {r.current ? <span className="badge">live</span> : null}
              </td>
              <td className="small">{new Date(r.appliedAt).toLocaleString()}</td>
              <td>
                {r.current || target.kind !== 'kubernetes' ? null : (
                  <button
                    type="button"
                    disabled={rollback.isPending}
                    onClick={() => rollback.mutate({ target, revision: r.revision })}
                  >
                    Roll back to {r.revision}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rollback.data ? (
        <p className="ok small" role="status">
          Rolled back: revision {rollback.data.revision} is live.
        </p>
      ) : null}
      <div className="danger-zone">
        {confirming ? (
          <>
            <label className="field-check">
              <input type="checkbox" checked={deleteData} onChange={(e) => setDeleteData(e.target.checked)} />
              {target.kind === 'kubernetes'
                ? 'Also delete the data volumes (PersistentVolumeClaims): the database and search data are lost'
                : 'Also delete the data volumes: the database and search data are lost'}
            </label>
            <div className="row">
              <button
                type="button"
                className="danger"
                disabled={uninstall.isPending}
                onClick={() => uninstall.mutate({ target, deleteData }, { onSuccess: () => setConfirming(false) })}
              >
                Uninstall {target.stack} from {describeTarget(target)}
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          </>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            Uninstall…
          </button>
        )}
      </div>
      {uninstalled}
      {error ? (
        <p className="error small" role="alert">
          {error.message}
        </p>
      ) : null}
    </div>
  );
}
