import type { Plan, PlanAction } from '@shared/deploy-schemas';

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

/** What an apply will change, object by object, before anything changes. */
export function PlanReview({ plan }: { plan: Plan }) {
  const counts = planCounts(plan);
  const changes = counts.create + counts.update + counts.prune;
  return (
    <div data-testid="plan-review">
      <p data-testid="plan-summary">
        {changes === 0
          ? `No changes: revision ${plan.revision - 1} is what the cluster runs.`
          : `Revision ${plan.revision}: ${counts.create} to create, ${counts.update} to update, ${counts.prune} to delete, ${counts.unchanged} unchanged.`}
      </p>
      <table className="table">
        <thead>
          <tr>
            <th>Change</th>
            <th>Kind</th>
            <th>Name</th>
            <th>Fields</th>
          </tr>
        </thead>
        <tbody>
          {plan.items.map((item) => (
            <tr
              key={`${item.apiVersion}/${item.kind}/${item.namespace ?? ''}/${item.name}`}
              data-plan-item={`${item.kind}/${item.name}`}
              data-action={item.action}
            >
              <td className={actionTone[item.action]}>{actionLabels[item.action]}</td>
              <td>{item.kind}</td>
              <td className="mono">{item.name}</td>
              <td className="mono small">{item.changedFields.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
