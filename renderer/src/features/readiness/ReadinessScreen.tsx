import { useEffect, useState } from 'react';
import {
  categoryTitles,
  readinessCategories,
  type ReadinessCheck,
  type ReadinessReport,
  type Verdict,
} from '@shared/readiness-schemas';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { invoke, subscribe } from '../../lib/api-client';
import { useActiveContext } from '../../lib/active-context';
import { PlanReview } from '../deploy/PlanReview';
import { useStacks } from '../deploy/use-deploy';
import { useActiveEndpoint } from '../swarm/use-swarm';

const verdictLabels: Record<Verdict, string> = { pass: 'Pass', warn: 'Warn', fail: 'Fail', unknown: 'Unknown' };
const verdictTone: Record<Verdict, string> = {
  pass: 'tone-ok',
  warn: 'tone-warn',
  fail: 'tone-error',
  unknown: 'tone-muted',
};
const percent = (n: number | null) => (n === null ? '—' : `${Math.round(n)}%`);

/** The live readiness report of a stack; undefined until the first one, with the error if any. */
function useReadiness(ref: { context: string; namespace: string; stack: string } | undefined) {
  const [state, setState] = useState<{ key: string; report?: ReadinessReport; error?: string }>({ key: '' });
  const key = ref ? JSON.stringify(ref) : '';
  useEffect(() => {
    if (!key) return;
    return subscribe(
      'readiness:live',
      JSON.parse(key) as { context: string; namespace: string; stack: string },
      (events) => {
        const last = events[events.length - 1];
        if (last) setState({ key, report: last });
      },
      (error) => setState({ key, error: error.message }),
    );
  }, [key]);
  return state.key === key ? state : { key };
}

/** Is my stack production-ready? The seed's scorecard, computed from the live cluster. */
export function ReadinessScreen() {
  const { active } = useActiveContext();
  const swarm = useActiveEndpoint();
  const stacks = useStacks();
  const [kind, setKind] = useState<'kubernetes' | 'swarm'>('kubernetes');
  const [namespace, setNamespace] = useState('revenge');
  const [stack, setStack] = useState('revenge');
  const ref =
    kind === 'kubernetes' && active && namespace && stack ? { context: active.name, namespace, stack } : undefined;
  const live = useReadiness(ref);
  const swarmRef = kind === 'swarm' && swarm.active ? { endpoint: swarm.active.name, stack } : undefined;
  // Swarm has no watch here: the scorecard is read again every 5 s.
  const swarmReport = useQuery({
    queryKey: ['readiness:swarmReport', swarmRef],
    queryFn: () => invoke('readiness:swarmReport', swarmRef as { endpoint: string; stack: string }),
    enabled: swarmRef !== undefined,
    refetchInterval: 5000,
    retry: false,
  });
  const report = kind === 'kubernetes' ? live.report : swarmReport.data;
  const error = kind === 'kubernetes' ? live.error : swarmReport.error?.message;
  if (!active && !swarm.active) {
    return <p className="empty">Add a cluster or a Docker endpoint on the Connections screen to check its stacks.</p>;
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
        <label className="field">
          <span>Target</span>
          <select
            value={kind}
            onChange={(e) => setKind(e.target.value as 'kubernetes' | 'swarm')}
            data-testid="readiness-target"
          >
            <option value="kubernetes">Kubernetes {active ? `(${active.name})` : ''}</option>
            <option value="swarm">Docker Swarm {swarm.active ? `(${swarm.active.name})` : ''}</option>
          </select>
        </label>
        {kind === 'kubernetes' ? (
          <label className="field">
            <span>Namespace</span>
            <input
              className="mono"
              value={namespace}
              onChange={(e) => setNamespace(e.target.value.trim())}
              data-testid="readiness-namespace"
            />
          </label>
        ) : null}
      </header>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {!report && !error ? <p className="muted">Checking the live cluster…</p> : null}
      {report ? <ReportView report={report} target={ref} /> : null}
    </section>
  );
}

function ReportView({
  report,
  target,
}: {
  report: ReadinessReport;
  /** The Kubernetes target, for one-click fixes; on Swarm the remedy says what to change. */
  target: { context: string; namespace: string; stack: string } | undefined;
}) {
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
        <span className="muted">
          overall, over the checks that could be observed · {report.target} ·{' '}
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
                {c.passed}/{c.observed} observed{c.total > c.observed ? ` (${c.total - c.observed} unknown)` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {readinessCategories.map((category) => (
        <div key={category} className="deploy-step">
          <h2>{categoryTitles[category]}</h2>
          {report.checks
            .filter((c) => c.category === category)
            .map((c) => (
              <CheckRow key={c.id} check={c} target={target} />
            ))}
        </div>
      ))}
    </>
  );
}

function CheckRow({
  check,
  target,
}: {
  check: ReadinessCheck;
  target: { context: string; namespace: string; stack: string } | undefined;
}) {
  const queryClient = useQueryClient();
  const plan = useMutation({
    mutationFn: (t: { context: string; namespace: string; stack: string }) =>
      invoke('readiness:planFix', { ...t, check: check.id }),
  });
  const apply = useMutation({
    mutationFn: (input: {
      target: { context: string; namespace: string; stack: string };
      values: Record<string, unknown>;
    }) => invoke('deploy:apply', { ...input.target, values: input.values, prune: false }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['revisions'] }),
  });
  return (
    <details className="check" data-check={check.id} data-verdict={check.verdict}>
      <summary>
        <span className={verdictTone[check.verdict]} data-testid="check-verdict">
          {verdictLabels[check.verdict]}
        </span>{' '}
        <span className="strong">{check.title}</span> <span className="muted small">{check.summary}</span>
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
      {check.fix && check.verdict !== 'pass' && target ? (
        <div>
          <button
            type="button"
            onClick={() => plan.mutate(target)}
            disabled={plan.isPending}
            data-testid={`fix-${check.id}`}
          >
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
                onClick={() => apply.mutate({ target, values: plan.data.values })}
              >
                {apply.isPending ? 'Applying…' : 'Apply the fix'}
              </button>
              {apply.data ? (
                <p className="ok small" role="status">
                  Applied revision {apply.data.revision}; the score updates as the cluster converges.
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
