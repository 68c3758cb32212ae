import { useState } from 'react';
import type { DrainPlan, DrainResult, NodeSummary } from '@shared/resource-action-schemas';
import { useCordonNode, useDrainNode, useDrainPlan } from './use-resource-actions';
import './resource-actions.css';

export interface NodeActionsProps {
  context: string;
  /** The node: its name and whether it is cordoned. */
  node: Pick<NodeSummary, 'name' | 'unschedulable'>;
  /** Called after a cordon, uncordon or drain, so a caller without a live node list can refresh it. */
  onChanged?: () => void;
}

const outcomeText: Record<DrainResult['pods'][number]['outcome'], string> = {
  evicted: 'Evicted',
  blocked: 'Kept: its disruption budget refused',
  failed: 'Failed',
  timeout: 'Still terminating at the timeout',
};

const skipText: Record<DrainPlan['skipped'][number]['reason'], string> = {
  daemonset: 'DaemonSet pod (stays)',
  mirror: 'static pod (stays)',
  finished: 'finished (stays)',
};

/** Cordon, uncordon and drain one node; a drain shows the pods it will evict and asks first. */
export function NodeActions({ context, node, onChanged }: NodeActionsProps) {
  const [timeout, setTimeoutText] = useState('60');
  const cordon = useCordonNode(context, node.name, onChanged);
  const plan = useDrainPlan(context, node.name);
  const drain = useDrainNode(context, node.name, () => {
    plan.reset();
    onChanged?.();
  });
  const seconds = Number(timeout);
  const timeoutProblem =
    !Number.isInteger(seconds) || seconds < 5 || seconds > 3600
      ? 'Timeout (seconds): a whole number from 5 to 3600'
      : undefined;
  const busy = cordon.isPending || plan.isPending || drain.isPending;
  const error = cordon.error ?? plan.error ?? drain.error;

  return (
    <div className="ra-node-actions" data-testid={`node-actions-${node.name}`}>
      <div className="ra-actions">
        {node.unschedulable ? (
          <button type="button" disabled={busy} onClick={() => cordon.mutate(false)}>
            Uncordon
          </button>
        ) : (
          <button type="button" disabled={busy} onClick={() => cordon.mutate(true)}>
            Cordon
          </button>
        )}
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            drain.reset();
            plan.mutate();
          }}
        >
          Drain…
        </button>
      </div>
      {plan.data ? (
        <section className="ra-panel" role="dialog" aria-label={`Drain ${node.name}`} data-testid="drain-confirm">
          <h3>Drain node {node.name}?</h3>
          <p className="small">
            The node is cordoned first, then{' '}
            {plan.data.evict.length === 0 ? 'no pod' : `${plan.data.evict.length} pods`}{' '}
            {plan.data.evict.length === 1 ? 'is' : 'are'} evicted through the Eviction API. A PodDisruptionBudget may
            hold a pod back; the drain retries it until the timeout.
          </p>
          {plan.data.evict.length > 0 ? (
            <ul className="ra-pod-list" data-testid="drain-evict-list">
              {plan.data.evict.map((p) => (
                <li key={`${p.namespace}/${p.name}`} className="mono small">
                  {p.namespace}/{p.name}
                  {p.owner ? <span className="muted"> · {p.owner}</span> : null}
                </li>
              ))}
            </ul>
          ) : null}
          {plan.data.skipped.length > 0 ? (
            <details>
              <summary className="small">{plan.data.skipped.length} pods stay on the node</summary>
              <ul className="ra-pod-list">
                {plan.data.skipped.map((p) => (
                  <li key={`${p.namespace}/${p.name}`} className="mono small">
                    {p.namespace}/{p.name} <span className="muted">· {skipText[p.reason]}</span>
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
          <div className="ra-inline-fields">
            <label className="field">
              Timeout (seconds)
              <input
                inputMode="numeric"
                value={timeout}
                onChange={(e) => setTimeoutText(e.target.value)}
                aria-invalid={timeoutProblem ? true : undefined}
              />
            </label>
          </div>
          {timeoutProblem ? (
            <p className="error small" role="alert">
              {timeoutProblem}
            </p>
          ) : null}
          <div className="ra-actions">
            <button
              type="button"
              className="danger"
              disabled={busy || timeoutProblem !== undefined}
              onClick={() => drain.mutate(seconds)}
            >
              {drain.isPending ? `Draining ${node.name}…` : `Drain ${node.name}`}
            </button>
            <button type="button" disabled={drain.isPending} onClick={() => plan.reset()}>
              Cancel
            </button>
          </div>
        </section>
      ) : null}
      {drain.data ? (
        <section className="ra-panel" aria-label={`Drain result of ${node.name}`} data-testid="drain-result">
          <h3 className={drain.data.drained ? 'ok' : 'warning'}>
            {drain.data.drained ? `${node.name} is drained` : `${node.name} is cordoned but not fully drained`}
          </h3>
          <table className="table">
            <tbody>
              {drain.data.pods.map((p) => (
                <tr key={`${p.namespace}/${p.name}`} data-testid="drain-pod" data-outcome={p.outcome}>
                  <td className="mono small">
                    {p.namespace}/{p.name}
                  </td>
                  <td className={p.outcome === 'evicted' ? 'ok' : 'warning'}>{outcomeText[p.outcome]}</td>
                  <td className="small muted">{p.message ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {drain.data.pods.length === 0 ? <p className="muted small">There was no pod to evict.</p> : null}
        </section>
      ) : null}
      {error ? (
        <p className="error small" role="alert">
          {error.message}
        </p>
      ) : null}
    </div>
  );
}
