import { useState } from 'react';
import { categoryTitles, type ReadinessCheck, type ReadinessReport, type Verdict } from '@shared/readiness-schemas';
import { coverageOf, coverageText, verdictOrder } from '@shared/readiness-coverage';
import type { StackOnTarget } from '@shared/target-schemas';
import { NoConnection } from '../../components/NoConnection';
import { TargetPicker } from '../../components/TargetPicker';
import { useActiveTarget } from '../../lib/active-target';
import { PlanReview } from '../deploy/PlanReview';
import { useStacks } from '../deploy/use-deploy';
import { useFix, useReadiness } from './use-readiness';

const verdictLabels: Record<Verdict, string> = { pass: 'Pass', warn: 'Warn', fail: 'Fail', unknown: 'Unknown' };
const verdictTone: Record<Verdict, string> = {
  pass: 'tone-ok',
  warn: 'tone-warn',
  fail: 'tone-error',
  unknown: 'tone-muted',
};
const percent = (n: number | null) => (n === null ? '—' : `${Math.round(n)}%`);
const verdictHeadings: Record<Verdict, string> = {
  fail: 'Failing',
  unknown: 'Not observed',
  warn: 'Warnings',
  pass: 'Passing',
};

/** Is my stack production-ready? The seed's scorecard, computed live from the chosen target. */
export function ReadinessScreen() {
  const targets = useActiveTarget();
  const stacks = useStacks();
  const [stack, setStack] = useState('revenge');
  const target = targets.targetFor(stack);
  const ref = target ? { target, stack } : undefined;
  const { report, error } = useReadiness(ref);
  if (!targets.context && !targets.endpoint) {
    return (
      <NoConnection loading={targets.loading}>
        Add a cluster or a Docker endpoint on the Connections screen to check its stacks.
      </NoConnection>
    );
  }
  return (
    <section aria-labelledby="readiness-title">
      <header className="page-header">
        <h1 id="readiness-title">Readiness</h1>
        <label className="field">
          <span>Stack</span>
          <select value={stack} onChange={(e) => setStack(e.target.value)} data-testid="readiness-stack">
            {(stacks.data?.stacks ?? []).map((s) => (
              <option key={s.name} value={s.name}>
                {s.title}
              </option>
            ))}
          </select>
        </label>
      </header>
      <TargetPicker stack={stack} />
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {ref && !report && !error ? <p className="muted">Checking the live target…</p> : null}
      {report && ref ? <ReportView key={JSON.stringify(ref)} report={report} deployRef={ref} /> : null}
    </section>
  );
}

function ReportView({ report, deployRef }: { report: ReadinessReport; deployRef: StackOnTarget }) {
  return (
    <>
      {report.error ? (
        <p className="warning" role="alert">
          {report.error}
        </p>
      ) : null}
      <p>
        <span className="score" data-testid="readiness-score">
          {percent(report.score)}
        </span>{' '}
        <span className="strong" data-testid="readiness-coverage">
          {coverageText(coverageOf(report.checks))}
        </span>{' '}
        <span className="muted">
          · the score counts observed checks only · {report.target} ·{' '}
          {new Date(report.generatedAt).toLocaleTimeString()}
        </span>
      </p>
      <table className="table" data-testid="readiness-categories">
        <thead>
          <tr>
            <th>Category</th>
            <th>Score</th>
            <th>Passed</th>
          </tr>
        </thead>
        <tbody>
          {report.categories.map((c) => (
            <tr key={c.category} data-category={c.category}>
              <td>{categoryTitles[c.category]}</td>
              <td data-testid="category-score">{percent(c.score)}</td>
              <td className="muted">
                {c.passed}/{c.observed} observed{c.total > c.observed ? ` · ${c.total - c.observed} unknown` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {verdictOrder.map((verdict) => {
        const checks = report.checks.filter((c) => c.verdict === verdict);
        if (checks.length === 0) return null;
        return (
          <div key={verdict} className="deploy-step" data-verdict-group={verdict}>
            <h2>
              {verdictHeadings[verdict]} ({checks.length})
            </h2>
            {checks.map((c) => (
              <CheckRow key={c.id} check={c} deployRef={deployRef} />
            ))}
          </div>
        );
      })}
    </>
  );
}

function CheckRow({ check, deployRef }: { check: ReadinessCheck; deployRef: StackOnTarget }) {
  const { plan, apply } = useFix(deployRef, check.id);
  return (
    <details className="check" data-check={check.id} data-verdict={check.verdict}>
      <summary>
        <span className={verdictTone[check.verdict]} data-testid="check-verdict">
          {verdictLabels[check.verdict]}
        </span>{' '}
        <span className="strong">{check.title}</span> <span className="badge">{categoryTitles[check.category]}</span>{' '}
        <span className="muted small">{check.summary}</span>
      </summary>
      <ul className="small">
        {check.evidence.map((e, i) => (
          <li key={i} data-testid="evidence">
            {e.object ? <span className="mono">{e.object}</span> : null}
            {e.field ? <span className="mono"> {e.field}</span> : null}
            {e.query ? <code>{e.query}</code> : null}: {e.value}
          </li>
        ))}
      </ul>
      <p className="small">{check.remediation}</p>
      {check.fix && check.verdict !== 'pass' ? (
        <div>
          <button type="button" onClick={() => plan.mutate()} disabled={plan.isPending} data-testid={`fix-${check.id}`}>
            {check.fix.label}
          </button>
          {plan.error ? <p className="error small">{plan.error.message}</p> : null}
          {plan.data ? (
            <>
              <PlanReview plan={plan.data.plan} />
              <button
                type="button"
                data-testid="apply-fix"
                disabled={apply.isPending || apply.isSuccess}
                onClick={() => apply.mutate(plan.data.values)}
              >
                {apply.isPending ? 'Applying…' : 'Apply the fix'}
              </button>
              {apply.data ? (
                <p className="ok small" role="status">
                  Applied revision {apply.data.revision}; the score updates as the target converges.
                </p>
              ) : null}
              {apply.error ? <p className="error small">{apply.error.message}</p> : null}
            </>
          ) : null}
        </div>
      ) : null}
    </details>
  );
}
