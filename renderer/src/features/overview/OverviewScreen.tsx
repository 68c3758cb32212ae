import type { OverviewStack, OverviewTarget } from '@shared/overview-schemas';
import { formatAge } from '@shared/leases';
import { useLatestEvent } from '../../lib/use-subscription';
import { useNow } from '../../lib/use-live-collection';
import './overview.css';

const stateLabels: Record<OverviewTarget['state'], string> = {
  checking: 'Checking…',
  reachable: 'Reachable',
  unreachable: 'Unreachable',
};
const stackLabels: Record<OverviewStack['state'], string> = {
  healthy: 'Healthy',
  progressing: 'Progressing',
  failed: 'Failed',
  unknown: 'Unknown',
};
const stackTone: Record<OverviewStack['state'], string> = {
  healthy: 'tone-ok',
  progressing: 'tone-warn',
  failed: 'tone-error',
  unknown: 'tone-muted',
};

/** '2/3 ready', in the warning colour when not all are. */
function Ready({ count, noun }: { count: { ready: number; total: number }; noun: 'node' | 'pod' | 'task' }) {
  const short = count.total - count.ready;
  return (
    <span className={short > 0 ? 'tone-warn' : undefined}>
      {count.ready}/{count.total} ready
      {short > 0 ? <span className="small"> · {`${short} ${noun}${short === 1 ? '' : 's'} not ready`}</span> : null}
    </span>
  );
}

function Figures({ t }: { t: OverviewTarget }) {
  return (
    <dl className="overview-figures">
      <dt>Version</dt>
      <dd data-testid="overview-version">{t.version ?? '—'}</dd>
      <dt>Nodes</dt>
      <dd data-testid="overview-nodes">{t.nodes ? <Ready count={t.nodes} noun="node" /> : '—'}</dd>
      {t.kind === 'kubernetes' ? (
        <>
          <dt>Pods</dt>
          <dd data-testid="overview-pods">
            {t.pods ? <Ready count={t.pods} noun="pod" /> : '—'}
            {t.pods && !t.pods.live ? <span className="muted small"> (watch reconnecting)</span> : null}
          </dd>
          <dt>Warnings (1 h)</dt>
          <dd data-testid="overview-warnings" className={t.warnings ? 'tone-warn' : undefined}>
            {t.warnings ?? '—'}
          </dd>
        </>
      ) : (
        <>
          <dt>Tasks</dt>
          <dd data-testid="overview-tasks">
            {t.tasks ? (
              <Ready count={t.tasks} noun="task" />
            ) : t.swarm && t.swarm !== 'manager' ? (
              <span className="muted">{t.swarm === 'worker' ? 'a swarm worker' : 'not in a swarm'}</span>
            ) : (
              '—'
            )}
          </dd>
        </>
      )}
    </dl>
  );
}

function Stacks({ t }: { t: OverviewTarget }) {
  if (t.stacksError) return <p className="overview-line error">Stacks: {t.stacksError}</p>;
  if (t.stacks.length === 0) return <p className="muted small">No stacks deployed by Homeport.</p>;
  return (
    <ul className="overview-stacks" aria-label="Deployed stacks">
      {t.stacks.map((s) => (
        <li key={`${s.namespace ?? ''}/${s.stack}`} data-stack={s.stack} title={s.message}>
          <span className="strong">{s.stack}</span>
          {s.namespace ? <span className="muted small"> in {s.namespace}</span> : null}
          <span className="overview-stack-state">
            <span className="muted small">
              {s.readyWorkloads}/{s.workloads}
            </span>{' '}
            <span className={stackTone[s.state]}>{stackLabels[s.state]}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

function TargetCard({ t, now }: { t: OverviewTarget; now: number }) {
  const kind = t.kind === 'kubernetes' ? 'Kubernetes context' : 'Docker endpoint';
  return (
    <article
      className={`overview-card overview-${t.state}`}
      data-testid="overview-target"
      data-target={`${t.kind}/${t.name}`}
      aria-label={`${kind} ${t.name}`}
    >
      <header>
        <div className="overview-name">
          <span className="strong ellipsis" title={t.name}>
            {t.name}
          </span>
          <span className="muted small">
            {kind}
            {t.simulated ? ' · simulated' : ''}
          </span>
        </div>
        <span className={`overview-state overview-state-${t.state}`} data-testid="overview-state">
          {stateLabels[t.state]}
        </span>
      </header>
      {t.state === 'unreachable' ? (
        <p className="overview-line error" data-testid="overview-error" title={t.error}>
          {t.error}
        </p>
      ) : null}
      {t.state === 'reachable' ? (
        <>
          <Figures t={t} />
          <Stacks t={t} />
        </>
      ) : null}
      <footer className="muted small">
        {t.checkedAt ? `Checked ${formatAge(t.checkedAt, now)} ago` : 'Not checked yet'}
        {t.latencyMs !== undefined && t.state === 'reachable' ? ` · ${t.latencyMs} ms` : ''}
      </footer>
    </article>
  );
}

export function OverviewScreen() {
  const { event: overview, error } = useLatestEvent('overview:live', {});
  const now = useNow(5000);
  const targets = overview?.targets ?? [];
  const down = targets.filter((t) => t.state === 'unreachable').length;
  return (
    <section aria-labelledby="overview-title">
      <header className="page-header">
        <h1 id="overview-title">Overview</h1>
        {overview ? (
          <span className="muted" data-testid="overview-summary">
            {targets.length} {targets.length === 1 ? 'target' : 'targets'}
            {down > 0 ? ` · ${down} unreachable` : ''}
          </span>
        ) : null}
      </header>
      <p className="muted">
        Every kubeconfig context and Docker endpoint, checked every 15 seconds; each has its own time limit, so a
        cluster that does not answer never holds up the others.
      </p>
      {error ? (
        <div role="alert" className="error-banner">
          {error}
        </div>
      ) : null}
      {overview?.problems.map((p) => (
        <div key={p} role="alert" className="error-banner">
          {p}
        </div>
      ))}
      {!overview && !error ? <p className="muted">Looking for your clusters…</p> : null}
      {overview && targets.length === 0 ? (
        <p className="empty">No contexts or Docker endpoints yet: add one on the Connections screen.</p>
      ) : null}
      <div className="overview-grid">
        {targets.map((t) => (
          <TargetCard key={`${t.kind}/${t.name}`} t={t} now={now} />
        ))}
      </div>
    </section>
  );
}
