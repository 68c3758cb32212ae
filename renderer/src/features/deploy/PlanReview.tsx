import { Fragment, useState } from 'react';
import type { Plan, PlanAction, PlanItem } from '@shared/deploy-schemas';
import { ObjectDiff } from './ObjectDiff';
import './plan-review.css';

const actionLabels: Record<PlanAction, string> = {
  create: 'Create',
  update: 'Update',
  unchanged: 'Unchanged',
  prune: 'Delete',
};
const actionTone: Record<PlanAction, string> = {
  create: 'tone-ok',
  update: 'tone-warn',
  unchanged: 'tone-muted',
  prune: 'tone-error',
};

export function planCounts(plan: Plan): Record<PlanAction, number> {
  const counts: Record<PlanAction, number> = { create: 0, update: 0, unchanged: 0, prune: 0 };
  for (const item of plan.items) counts[item.action] += 1;
  return counts;
}

const itemKey = (item: PlanItem) => `${item.apiVersion}/${item.kind}/${item.namespace ?? ''}/${item.name}`;

/** What the values change, first: 'logging.level: info → debug'. */
function ValuesDiff({ plan }: { plan: Plan }) {
  const values = plan.values;
  if (!values) return null;
  if (values.from === undefined)
    return (
      <p className="muted small" data-testid="plan-values">
        First deploy: every value is new.
      </p>
    );
  if (values.changes.length === 0)
    return (
      <p className="muted small" data-testid="plan-values">
        No value differs from revision {values.from}
        {plan.rollbackTo !== undefined ? '.' : '; the objects below differ from what the cluster runs.'}
      </p>
    );
  return (
    <>
      <h3 className="small">Values changed since revision {values.from}</h3>
      <ul className="plan-values" data-testid="plan-values">
        {values.changes.map((c) => (
          <li key={c.path} data-value-change={c.path}>
            {c.path}: <span className="before">{c.before ?? '(unset)'}</span> →{' '}
            <span className="after">{c.after ?? '(unset)'}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

function ItemRow({ item, hidden }: { item: PlanItem; hidden?: boolean }) {
  const [open, setOpen] = useState(false);
  const diffable = item.live !== undefined || item.desired !== undefined;
  return (
    <>
      <tr data-plan-item={`${item.kind}/${item.name}`} data-action={item.action} hidden={hidden}>
        <td className={actionTone[item.action]}>{actionLabels[item.action]}</td>
        <td>{item.kind}</td>
        <td className="mono">{item.name}</td>
        <td className="mono small fields">
          {item.changedFields.length > 3
            ? `${item.changedFields.slice(0, 3).join(', ')} (+${item.changedFields.length - 3} more)`
            : item.changedFields.join(', ')}
        </td>
        <td>
          {diffable ? (
            <button
              type="button"
              className="link small"
              aria-expanded={open}
              data-testid="toggle-diff"
              onClick={() => setOpen(!open)}
            >
              {open ? 'Hide diff' : 'Show diff'}
            </button>
          ) : null}
        </td>
      </tr>
      {open ? (
        <tr className="diff-row" data-diff-of={`${item.kind}/${item.name}`}>
          <td colSpan={5}>
            <ObjectDiff live={item.live} desired={item.desired} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/**
 * What an apply (or a rollback) will change before anything changes: the values diff first, then
 * each changed object with its side-by-side YAML diff on demand, the unchanged ones folded.
 */
export function PlanReview({ plan }: { plan: Plan }) {
  const counts = planCounts(plan);
  const changes = counts.create + counts.update + counts.prune;
  const [showUnchanged, setShowUnchanged] = useState(false);
  const changed = plan.items.filter((i) => i.action !== 'unchanged');
  const unchanged = plan.items.filter((i) => i.action === 'unchanged');
  return (
    <div data-testid="plan-review">
      <p data-testid="plan-summary">
        {changes === 0
          ? `No changes: revision ${plan.revision - 1} is what the cluster runs.`
          : `Revision ${plan.revision}: ${counts.create} to create, ${counts.update} to update, ${counts.prune} to delete, ${counts.unchanged} unchanged.`}
      </p>
      <ValuesDiff plan={plan} />
      <table className="table plan-objects">
        <thead>
          <tr>
            <th>Change</th>
            <th>Kind</th>
            <th>Name</th>
            <th>Fields</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {changed.map((item) => (
            <ItemRow key={itemKey(item)} item={item} />
          ))}
          {unchanged.length > 0 ? (
            <Fragment>
              <tr data-testid="unchanged-fold">
                <td colSpan={5}>
                  <button
                    type="button"
                    className="link small"
                    aria-expanded={showUnchanged}
                    onClick={() => setShowUnchanged(!showUnchanged)}
                  >
                    {showUnchanged ? '▾' : '▸'} {unchanged.length} unchanged
                  </button>
                </td>
              </tr>
              {unchanged.map((item) => (
                <ItemRow key={itemKey(item)} item={item} hidden={!showUnchanged} />
              ))}
            </Fragment>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
