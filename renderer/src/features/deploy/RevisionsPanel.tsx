import { useRef, useState } from 'react';
import type { Revision } from '@shared/deploy-schemas';
import { PlanReview } from './PlanReview';
import { describeRef, useRevisions, useRollback, useRollbackPlan, useUninstall, type DeployRef } from './use-deploy';
import './plan-review.css';

/** Who applied a revision: 'homeport on desk-7 (ana)', or 'unknown' for revisions of earlier versions. */
function who(r: Revision): string {
  if (!r.manager) return 'unknown';
  return `${r.manager} on ${r.host || 'an unknown host'}${r.user ? ` (${r.user})` : ''}`;
}

function RolloutOutcome({ r }: { r: Revision }) {
  if (r.rollout === 'failed') return <span className="tone-error">Failed</span>;
  if (r.rollout === 'healthy') return <span className="tone-ok">Healthy</span>;
  return <span className="muted">unknown</span>;
}

/** Recorded revisions of a deployed stack, with roll back (after its plan is confirmed) and uninstall. */
export function RevisionsPanel({ deployRef }: { deployRef: DeployRef }) {
  const revisions = useRevisions(deployRef);
  const rollback = useRollback();
  const rollbackPlan = useRollbackPlan();
  const uninstall = useUninstall();
  const [rollingBackTo, setRollingBackTo] = useState<number>();
  // Set on the click itself: a second click before React re-renders starts nothing.
  const applying = useRef(false);
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
  // One rollback at a time: asking for a plan, waiting for a confirmation or applying.
  const busy = rollingBackTo !== undefined || rollback.isPending;
  const ask = (revision: number) => {
    rollback.reset();
    setRollingBackTo(revision);
    rollbackPlan.mutate({ ...deployRef, revision });
  };
  const cancel = () => {
    setRollingBackTo(undefined);
    rollbackPlan.reset();
  };
  const confirm = (revision: number) => {
    if (applying.current) return;
    applying.current = true;
    rollback.mutate(
      { ...deployRef, revision },
      {
        onSettled: () => {
          applying.current = false;
          cancel();
        },
      },
    );
  };
  const error = rollback.error ?? uninstall.error;
  return (
    <div data-testid="revisions">
      <table className="table revisions-table">
        <thead>
          <tr>
            <th>Revision</th>
            <th>Applied</th>
            <th>By</th>
            <th>What changed</th>
            <th>Rollout</th>
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
              <td className="small" data-testid="revision-by">
                {who(r)}
              </td>
              <td className="small summary" data-testid="revision-summary">
                {r.summary ?? 'unknown'}
              </td>
              <td className="small" data-testid="revision-rollout">
                <RolloutOutcome r={r} />
              </td>
              <td>
                {r.current ? null : (
                  <button type="button" disabled={busy} onClick={() => ask(r.revision)}>
                    Roll back to {r.revision}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rollingBackTo !== undefined ? (
        <section
          className="rollback-dialog"
          role="dialog"
          aria-label={`Roll back to revision ${rollingBackTo}`}
          data-testid="rollback-confirm"
        >
          <h3>Roll back to revision {rollingBackTo}?</h3>
          {rollbackPlan.isPending ? <p className="muted">Planning the rollback…</p> : null}
          {rollbackPlan.error ? (
            <p className="error small" role="alert">
              {rollbackPlan.error.message}
            </p>
          ) : null}
          {rollbackPlan.data ? (
            <>
              <p className="small">
                Brings back the values and objects of revision {rollingBackTo} on {describeRef(deployRef)}, recorded as
                revision {rollbackPlan.data.revision}; objects it does not have are deleted.
              </p>
              <PlanReview plan={rollbackPlan.data} />
            </>
          ) : null}
          <div className="row">
            <button
              type="button"
              className="primary"
              data-testid="confirm-rollback"
              disabled={!rollbackPlan.data || rollback.isPending}
              onClick={() => confirm(rollingBackTo)}
            >
              {rollback.isPending ? 'Rolling back…' : `Roll back to ${rollingBackTo}`}
            </button>
            <button type="button" disabled={rollback.isPending} onClick={cancel}>
              Cancel
            </button>
          </div>
        </section>
      ) : null}
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
