import { useState } from 'react';
import { describeRef, useRevisions, useRollback, useUninstall, type DeployRef } from './use-deploy';

/** Recorded revisions of a deployed stack, with roll back and uninstall, on any target. */
export function RevisionsPanel({ deployRef }: { deployRef: DeployRef }) {
  const revisions = useRevisions(deployRef);
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
        <p className="muted small">Not deployed to {describeRef(deployRef)}.</p>
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
                {r.current ? null : (
                  <button
                    type="button"
                    disabled={rollback.isPending}
                    onClick={() => rollback.mutate({ ...deployRef, revision: r.revision })}
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
              {deployRef.target.kind === 'kubernetes'
                ? 'Also delete the data volumes (PersistentVolumeClaims): the database and search data are lost'
                : 'Also delete the data volumes: the database and search data are lost'}
            </label>
            <div className="row">
              <button
                type="button"
                className="danger"
                disabled={uninstall.isPending}
                onClick={() =>
                  uninstall.mutate({ ...deployRef, deleteData }, { onSuccess: () => setConfirming(false) })
                }
              >
                Uninstall {deployRef.stack} from {describeRef(deployRef)}
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
