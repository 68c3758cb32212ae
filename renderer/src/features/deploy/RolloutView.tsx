import { useEffect } from 'react';
import { useRefreshRevisions, useRevisions, useRollbackWorkload, useRollout, type DeployRef } from './use-deploy';

const stateLabels = { progressing: 'Rolling out', healthy: 'Healthy', failed: 'Failed' } as const;
const stateTone = { progressing: 'tone-warn', healthy: 'tone-ok', failed: 'tone-error' } as const;

/** Live progress of a stack's workloads, and its end state: healthy, or what failed and why. */
export function RolloutView({ deployRef }: { deployRef: DeployRef }) {
  const status = useRollout(deployRef);
  const rollbackService = useRollbackWorkload();
  const revisions = useRevisions(deployRef);
  const refreshRevisions = useRefreshRevisions(deployRef);
  // The end of a rollout is recorded on the newest revision before it is reported: the list shows it.
  useEffect(() => {
    if (status?.state === 'healthy' || status?.state === 'failed') void refreshRevisions();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- on each reported status only
  }, [status]);
  // Swarm keeps each service's previous spec: a service can go back to it on its own, once the stack
  // has been applied more than once (a first revision has nothing earlier to go back to).
  const perWorkload = deployRef.target.kind === 'swarm' && (revisions.data?.length ?? 0) > 1;
  if (!status) return <p className="muted">Waiting for the cluster's status…</p>;
  return (
    <div data-testid="rollout">
      <p>
        <strong className={stateTone[status.state]} data-testid="rollout-state">
          {stateLabels[status.state]}
        </strong>
        {status.failed ? (
          <span className="error" data-testid="rollout-failure">
            {' '}
            {status.failed.component}: {status.failed.reason}
          </span>
        ) : null}
      </p>
      {rollbackService.error ? (
        <p className="error small" role="alert">
          {rollbackService.error.message}
        </p>
      ) : null}
      {status.error ? (
        <p className="warning small" role="alert" data-testid="rollout-error">
          {status.error}
        </p>
      ) : null}
      <table className="table">
        <thead>
          <tr>
            <th>Workload</th>
            <th>Ready</th>
            <th>Why not yet</th>
            {perWorkload ? <th /> : null}
          </tr>
        </thead>
        <tbody>
          {status.workloads.map((w) => (
            <tr key={`${w.kind}/${w.name}`} data-workload={w.name}>
              <td>
                <span className="strong">{w.name}</span> <span className="muted small">{w.kind}</span>
              </td>
              <td className={w.ready >= w.desired ? 'tone-ok' : 'tone-warn'} data-testid="workload-ready">
                {w.ready}/{w.desired}
              </td>
              <td className="small">{w.message ?? ''}</td>
              {perWorkload ? (
                <td>
                  <button
                    type="button"
                    disabled={rollbackService.isPending}
                    onClick={() => rollbackService.mutate({ ...deployRef, workload: w.name })}
                  >
                    Roll back
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
