import { useState } from 'react';
import type { StackInfo } from '@shared/deploy-schemas';
import { useActiveContext } from '../../lib/active-context';
import { useActiveEndpoint } from '../swarm/use-swarm';
import { PlanReview, planCounts } from './PlanReview';
import { RevisionsPanel } from './RevisionsPanel';
import { RolloutView } from './RolloutView';
import { SchemaForm } from './SchemaForm';
import { isRecord, type JsonSchema, type Values } from './schema-values';
import {
  describeTarget,
  useApply,
  usePlan,
  useRevisions,
  useStacks,
  useValidation,
  type DeployTarget,
} from './use-deploy';

/** Deploy to k3s or Swarm: target, stack, values, plan review, apply, rollout. */
export function DeployScreen() {
  const { active, contexts, select } = useActiveContext();
  const swarm = useActiveEndpoint();
  const [kind, setKind] = useState<DeployTarget['kind']>('kubernetes');
  const stacks = useStacks();
  const [stack, setStack] = useState<StackInfo>();
  const [namespace, setNamespace] = useState('');
  const [values, setValues] = useState<Values>();
  const [prune, setPrune] = useState(false);
  const validation = useValidation(stack?.name, values);
  const plan = usePlan();
  const apply = useApply();
  let target: DeployTarget | undefined;
  if (kind === 'kubernetes' && active && stack && namespace) {
    target = { kind, context: active.name, namespace, stack: stack.name };
  } else if (kind === 'swarm' && swarm.active && stack) {
    target = { kind, endpoint: swarm.active.name, stack: stack.name };
  }
  const revisions = useRevisions(target);

  if (!active && !swarm.active) {
    return <p className="empty">Add a cluster or a Docker Swarm endpoint on the Connections screen to deploy to it.</p>;
  }

  const pick = (info: StackInfo) => {
    setStack(info);
    setNamespace(info.name);
    setValues(isRecord(info.defaults) ? structuredClone(info.defaults) : {});
    plan.reset();
    apply.reset();
  };
  // Any edit makes a reviewed plan stale: the user reviews again before applying.
  const edit = (change: () => void) => {
    change();
    plan.reset();
    apply.reset();
  };
  const issues = validation.data?.issues ?? [];
  const valid =
    values !== undefined && validation.data !== undefined && issues.length === 0 && !validation.isPlaceholderData;
  const deployed = (revisions.data?.length ?? 0) > 0;

  return (
    <section aria-labelledby="deploy-title" className="deploy">
      <header className="page-header">
        <h1 id="deploy-title">Deploy</h1>
      </header>

      <div className="deploy-step">
        <h2>1. Target</h2>
        <div className="row" role="radiogroup" aria-label="Target">
          <label className="field-check">
            <input
              type="radio"
              name="target-kind"
              data-testid="target-kubernetes"
              checked={kind === 'kubernetes'}
              onChange={() => edit(() => setKind('kubernetes'))}
            />
            Kubernetes (k3s)
          </label>
          <label className="field-check">
            <input
              type="radio"
              name="target-kind"
              data-testid="target-swarm"
              checked={kind === 'swarm'}
              onChange={() => edit(() => setKind('swarm'))}
            />
            Docker Swarm
          </label>
        </div>
        {kind === 'kubernetes' ? (
          active ? (
            <div className="row">
              <label className="field">
                <span>Cluster</span>
                <select
                  data-testid="deploy-context"
                  value={active.name}
                  onChange={(e) => edit(() => select(e.target.value))}
                >
                  {contexts.map((c) => (
                    <option key={c.name} value={c.name}>
                      {c.name}
                      {c.simulated ? ' (simulated)' : ''}
                    </option>
                  ))}
                </select>
              </label>
              <label className="field">
                <span>Namespace</span>
                <input
                  data-testid="deploy-namespace"
                  className="mono"
                  value={namespace}
                  onChange={(e) => edit(() => setNamespace(e.target.value.trim()))}
                  placeholder="revenge"
                />
              </label>
            </div>
          ) : (
            <p className="empty">No Kubernetes context: add a kubeconfig on the Connections screen.</p>
          )
        ) : swarm.active ? (
          <div className="row">
            <label className="field">
              <span>Swarm endpoint</span>
              <select
                data-testid="deploy-endpoint"
                value={swarm.active.name}
                onChange={(e) => edit(() => swarm.select(e.target.value))}
              >
                {swarm.endpoints.map((e) => (
                  <option key={e.name} value={e.name}>
                    {e.name}
                  </option>
                ))}
              </select>
            </label>
            <p className="muted small">The stack is deployed as the Swarm stack named after it.</p>
          </div>
        ) : (
          <p className="empty">No Docker endpoint: add one on the Connections screen.</p>
        )}
      </div>

      <div className="deploy-step">
        <h2>2. Stack</h2>
        {stacks.error ? <p className="error">{stacks.error.message}</p> : null}
        <div className="stack-cards">
          {(stacks.data?.stacks ?? []).map((s) => (
            <button
              type="button"
              key={s.name}
              className={`stack-card${stack?.name === s.name ? ' selected' : ''}`}
              data-testid={`stack-${s.name}`}
              aria-pressed={stack?.name === s.name}
              onClick={() => pick(s)}
            >
              <span className="strong">{s.title}</span>
              <span className="muted small">{s.description}</span>
            </button>
          ))}
        </div>
      </div>

      {stack && values ? (
        <div className="deploy-step">
          <h2>3. Values</h2>
          <SchemaForm
            schema={stack.valuesSchema as JsonSchema}
            values={values}
            issues={issues}
            onChange={(next) => edit(() => setValues(next))}
          />
          <div className="row">
            <button
              type="button"
              data-testid="review-plan"
              disabled={!valid || !target || plan.isPending}
              onClick={() => target && plan.mutate({ target, values })}
            >
              {plan.isPending ? 'Planning…' : 'Review plan'}
            </button>
            {issues.length > 0 ? (
              <span className="error small">
                Fix the {issues.length === 1 ? 'field' : 'fields'} marked above first.
              </span>
            ) : null}
          </div>
          {plan.error ? (
            <p className="error" role="alert" data-testid="plan-error">
              {plan.error.message}
            </p>
          ) : null}
        </div>
      ) : null}

      {plan.data && target && values ? (
        <div className="deploy-step">
          <h2>4. Plan</h2>
          <PlanReview plan={plan.data} />
          {planCounts(plan.data).prune > 0 ? (
            <label className="field-check">
              <input
                type="checkbox"
                checked={prune}
                onChange={(e) => setPrune(e.target.checked)}
                data-testid="confirm-prune"
              />
              Delete the {planCounts(plan.data).prune} objects this stack no longer has
            </label>
          ) : null}
          <div className="row">
            <button
              type="button"
              data-testid="apply"
              disabled={apply.isPending || apply.isSuccess}
              onClick={() => apply.mutate({ target, values, prune })}
            >
              {apply.isPending ? 'Applying…' : `Apply to ${describeTarget(target)}`}
            </button>
          </div>
          {apply.error ? (
            <p className="error" role="alert">
              {apply.error.message}
            </p>
          ) : null}
          {apply.data ? (
            <p className="ok" role="status" data-testid="apply-result">
              Applied revision {apply.data.revision}.
              {apply.data.leftOver.length > 0
                ? ` Left in place (not confirmed): ${apply.data.leftOver.join(', ')}.`
                : ''}
            </p>
          ) : null}
        </div>
      ) : null}

      {target ? (
        <div className="deploy-step">
          <h2>
            Status of {target.stack} · {describeTarget(target)}
          </h2>
          {deployed ? <RolloutView key={JSON.stringify(target)} target={target} /> : null}
          <h3>Revisions</h3>
          <RevisionsPanel key={JSON.stringify(target)} target={target} />
        </div>
      ) : null}
    </section>
  );
}
