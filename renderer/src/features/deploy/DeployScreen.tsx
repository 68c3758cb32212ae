import { useEffect, useRef, useState } from 'react';
import type { StackInfo } from '@shared/deploy-schemas';
import { NoConnection } from '../../components/NoConnection';
import { namespaceProblem, TargetPicker } from '../../components/TargetPicker';
import { useActiveTarget } from '../../lib/active-target';
import { PlanReview, planCounts } from './PlanReview';
import { RevisionsPanel } from './RevisionsPanel';
import { RolloutView } from './RolloutView';
import { ImportCompose } from './ImportCompose';
import { SchemaForm } from './SchemaForm';
import { StackPicker } from './StackPicker';
import { changedFromLive, type JsonSchema } from './schema-values';
import { useFormValues } from './use-form-values';
import { ValuesBanner } from './ValuesBanner';
import { describeRef, useApply, usePlan, useRevisions, useStacks, useValidation, type DeployRef } from './use-deploy';

/** Deploy to k3s or Swarm: target, stack, values, plan review, apply, rollout. */
export function DeployScreen() {
  const targets = useActiveTarget();
  const stacks = useStacks();
  const [stack, setStack] = useState<StackInfo>();
  const [prune, setPrune] = useState(false);
  const [importing, setImporting] = useState(false);
  const plan = usePlan();
  const apply = useApply();
  const target = stack ? targets.targetFor(stack.name) : undefined;
  // A namespace Kubernetes refuses is named at its field; nothing is asked of the cluster with it.
  const badNamespace = target ? namespaceProblem(target) !== undefined : false;
  const ref: DeployRef | undefined = stack && target && !badNamespace ? { target, stack: stack.name } : undefined;
  const form = useFormValues(stack, ref);
  const values = form.values;
  const validation = useValidation(stack?.name, values);
  const revisions = useRevisions(ref);
  // The revision live when the plan was asked for: another one going live makes the plan stale.
  const liveAtPlan = useRef<number | undefined>(undefined);
  const liveRevision = form.live?.revision;
  useEffect(() => {
    // While an apply runs, the revision it records goes live before its result arrives.
    if ((!plan.data && !apply.data) || apply.isPending) return;
    if (apply.data ? liveRevision === apply.data.revision : liveRevision === liveAtPlan.current) return;
    plan.reset();
    apply.reset();
  }, [liveRevision, plan, apply]);

  if (!targets.context && !targets.endpoint) {
    return (
      <NoConnection loading={targets.loading}>
        Add a cluster or a Docker Swarm endpoint on the Connections screen to deploy to it.
      </NoConnection>
    );
  }

  // Any change makes a reviewed plan stale: the user reviews again before applying.
  const resetPlan = () => {
    plan.reset();
    apply.reset();
  };
  const pick = (info: StackInfo) => {
    setStack(info);
    form.pick();
    resetPlan();
  };
  const edit = (change: () => void) => {
    change();
    resetPlan();
  };
  const issues = validation.data?.issues ?? [];
  const valid =
    values !== undefined &&
    validation.data !== undefined &&
    issues.length === 0 &&
    !validation.isPlaceholderData &&
    !badNamespace;
  const schema = stack?.valuesSchema as JsonSchema | undefined;
  const changed = schema && values && form.live ? changedFromLive(schema, values, form.live.values, target?.kind) : [];
  const deployed = (revisions.data?.length ?? 0) > 0;

  return (
    <section aria-labelledby="deploy-title" className="deploy">
      <header className="page-header">
        <h1 id="deploy-title">Deploy</h1>
      </header>

      <div className="deploy-step">
        <h2>1. Target</h2>
        <TargetPicker stack={stack?.name} onChange={resetPlan} />
      </div>

      <div className="deploy-step">
        <h2>2. Stack</h2>
        {stacks.error ? <p className="error">{stacks.error.message}</p> : null}
        <StackPicker
          stacks={stacks.data?.stacks ?? []}
          selected={stack?.name}
          onPick={pick}
          onRemoved={() => setStack(undefined)}
        />
        {importing ? (
          <ImportCompose
            onClose={() => setImporting(false)}
            onSaved={async (doc) => {
              setImporting(false);
              // The saved stack is picked as soon as the catalog lists it.
              const listed = (await stacks.refetch()).data?.stacks.find((s) => s.name === doc.name);
              if (listed) pick(listed);
            }}
          />
        ) : (
          <div className="row">
            <button type="button" onClick={() => setImporting(true)} data-testid="import-compose-open">
              Import compose file
            </button>
          </div>
        )}
      </div>

      {stack && form.loading ? (
        <div className="deploy-step">
          <h2>3. Values</h2>
          <p className="muted" data-testid="values-loading">
            Reading the values deployed to {ref ? describeRef(ref) : 'the target'}…
          </p>
        </div>
      ) : null}

      {stack && schema && values && !form.loading ? (
        <div className="deploy-step">
          <h2>3. Values</h2>
          <ValuesBanner
            where={ref ? describeRef(ref) : undefined}
            live={form.live}
            liveError={form.liveError}
            loadedRevision={form.loadedRevision}
            edited={form.edited}
            resetToDefaults={form.resetToDefaults}
            changed={changed.length}
            onReset={() => edit(form.reset)}
            onBack={() => edit(form.backToDeployed)}
          />
          <SchemaForm
            key={form.formKey}
            schema={schema}
            values={values}
            issues={issues}
            target={target?.kind}
            live={form.live?.values}
            defaults={stack.defaults}
            onChange={(next) => edit(() => form.edit(next))}
          />
          <div className="row">
            <button
              type="button"
              data-testid="review-plan"
              disabled={!valid || !ref || plan.isPending}
              onClick={() => {
                if (!ref) return;
                liveAtPlan.current = liveRevision;
                plan.mutate({ ...ref, values });
              }}
            >
              {plan.isPending ? 'Planning…' : 'Review plan'}
            </button>
            {issues.length > 0 || badNamespace ? (
              <span className="error small">
                Fix the {issues.length + (badNamespace ? 1 : 0) === 1 ? 'field' : 'fields'} marked above first.
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

      {plan.data && ref && values ? (
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
              onClick={() => apply.mutate({ ...ref, values, prune }, { onSuccess: form.applied })}
            >
              {apply.isPending ? 'Applying…' : `Apply to ${describeRef(ref)}`}
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

      {ref ? (
        <div className="deploy-step">
          <h2>
            Status of {ref.stack} · {describeRef(ref)}
          </h2>
          {/* Keys differ between siblings: with one key for both, React kept the rollout of an uninstalled stack. */}
          {deployed ? <RolloutView key={`rollout:${JSON.stringify(ref)}`} deployRef={ref} /> : null}
          <h3>Revisions</h3>
          <RevisionsPanel key={`revisions:${JSON.stringify(ref)}`} deployRef={ref} />
        </div>
      ) : null}
    </section>
  );
}
