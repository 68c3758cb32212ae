import { useState } from 'react';
import type { BackupDestinationSpec, BackupSummary } from '@shared/backup-schemas';
import { describeTarget, type Target, type TargetKind } from '@shared/target-schemas';
import { useActiveTarget } from '../../lib/active-target';
import { RolloutView } from '../deploy/RolloutView';
import { OperationProgress } from './OperationProgress';
import { useRestore, useRestorePlan } from './use-backups';

/**
 * Restore a backup into its own target or another (another namespace, cluster or swarm): the plan
 * first, an explicit confirmation when it replaces a deployed stack, then progress, each item's
 * result, and the restored stack's rollout.
 */
export function RestoreDialog({
  backup,
  destination,
  onClose,
}: {
  backup: BackupSummary;
  destination: BackupDestinationSpec;
  onClose(): void;
}) {
  const targets = useActiveTarget();
  const from = backup.manifest?.target;
  const [kind, setKind] = useState<TargetKind>(from?.kind ?? targets.kind);
  const [context, setContext] = useState(
    (from?.kind === 'kubernetes' ? from.context : undefined) ?? targets.context?.name ?? '',
  );
  const [namespace, setNamespace] = useState(from?.kind === 'kubernetes' ? from.namespace : backup.stack);
  const [endpoint, setEndpoint] = useState(
    (from?.kind === 'swarm' ? from.endpoint : undefined) ?? targets.endpoint?.name ?? '',
  );
  const [replace, setReplace] = useState(false);
  const [operation, setOperation] = useState<string>();
  const [succeeded, setSucceeded] = useState(false);
  const plan = useRestorePlan();
  const restore = useRestore();
  const target: Target | undefined =
    kind === 'kubernetes'
      ? context && namespace
        ? { kind, context, namespace }
        : undefined
      : endpoint
        ? { kind, endpoint }
        : undefined;
  // A changed target makes the reviewed plan stale.
  const change = (fn: () => void) => {
    fn();
    plan.reset();
    setReplace(false);
  };
  const started = operation !== undefined;
  const needsConfirm = plan.data?.deployed === true;
  return (
    <section className="restore-dialog" role="dialog" aria-label={`Restore ${backup.id}`} data-testid="restore-dialog">
      <h2>Restore {backup.id}</h2>
      <fieldset disabled={started} className="plain">
        <div className="row" role="radiogroup" aria-label="Restore into">
          <label className="field-check">
            <input
              type="radio"
              name="restore-kind"
              checked={kind === 'kubernetes'}
              onChange={() => change(() => setKind('kubernetes'))}
            />
            Kubernetes (k3s)
          </label>
          <label className="field-check">
            <input
              type="radio"
              name="restore-kind"
              checked={kind === 'swarm'}
              onChange={() => change(() => setKind('swarm'))}
            />
            Docker Swarm
          </label>
        </div>
        {kind === 'kubernetes' ? (
          <div className="row">
            <label className="field">
              <span>Cluster</span>
              <select value={context} onChange={(e) => change(() => setContext(e.target.value))}>
                {targets.contexts.map((c) => (
                  <option key={c.name} value={c.name}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Namespace</span>
              <input
                className="mono"
                value={namespace}
                onChange={(e) => change(() => setNamespace(e.target.value.trim()))}
              />
            </label>
          </div>
        ) : (
          <div className="row">
            <label className="field">
              <span>Swarm endpoint</span>
              <select value={endpoint} onChange={(e) => change(() => setEndpoint(e.target.value))}>
                {targets.endpoints.map((e) => (
                  <option key={e.name} value={e.name}>
                    {e.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
        )}
        <div className="row">
          <button
            type="button"
            disabled={!target || plan.isPending}
            onClick={() => target && plan.mutate({ destination, backup: backup.id, target })}
          >
            {plan.isPending ? 'Planning…' : 'Review restore'}
          </button>
        </div>
      </fieldset>
      {plan.error ? (
        <p className="error" role="alert">
          {plan.error.message}
        </p>
      ) : null}
      {plan.data ? (
        <div data-testid="restore-plan">
          <p>
            Into <span className="strong">{plan.data.where}</span>
            {plan.data.deployed ? ', where the stack is deployed now.' : ', where the stack is not deployed.'}
          </p>
          <h3>Replaces</h3>
          {plan.data.replaces.length > 0 ? (
            <ul className="small" aria-label="Replaces">
              {plan.data.replaces.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          ) : (
            <p className="muted small">Nothing: there is nothing of this stack there yet.</p>
          )}
          <h3>Skipped</h3>
          {plan.data.skipped.length > 0 ? (
            <ul className="small" aria-label="Skipped">
              {plan.data.skipped.map((s) => (
                <li key={s}>{s}</li>
              ))}
            </ul>
          ) : (
            <p className="muted small">Nothing: every item of the backup is restored.</p>
          )}
          {needsConfirm ? (
            <label className="field-check">
              <input
                type="checkbox"
                checked={replace}
                disabled={started}
                onChange={(e) => setReplace(e.target.checked)}
              />
              Replace the deployed {backup.stack} in {plan.data.where}: what is listed above is lost
            </label>
          ) : null}
          {target && !started ? (
            <button
              type="button"
              className={needsConfirm ? 'danger' : undefined}
              disabled={restore.isPending || (needsConfirm && !replace)}
              onClick={() =>
                restore.mutate(
                  { destination, backup: backup.id, target, replace: needsConfirm && replace },
                  { onSuccess: (op) => setOperation(op.operation) },
                )
              }
            >
              Restore into {describeTarget(target)}
            </button>
          ) : null}
        </div>
      ) : null}
      {restore.error ? (
        <p className="error" role="alert">
          {restore.error.message}
        </p>
      ) : null}
      {operation ? (
        <OperationProgress
          operation={operation}
          label={`Restore ${backup.id}`}
          onEnd={(p) => setSucceeded(p.state === 'succeeded')}
        />
      ) : null}
      {succeeded && target ? <RolloutView deployRef={{ target, stack: backup.stack }} /> : null}
      <div className="row">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}
