import { useState } from 'react';
import type { PodSummary } from '@shared/kube-schemas';
import { ShellDock } from '../../components/ShellDock';
import { PodForwards } from '../portforward/PodForwards';
import { PodLogs } from './PodLogs';
import { useDeletePod, usePodDetail } from './use-pods';

interface PodDetailsProps {
  context: string;
  pod: PodSummary;
  /** The pod left the cluster while it was open. */
  gone: boolean;
  onClose(): void;
}

export function PodDetails({ context, pod, gone, onClose }: PodDetailsProps) {
  const detail = usePodDetail(context, pod, gone);
  const [confirming, setConfirming] = useState(false);
  const [shell, setShell] = useState(false);
  const remove = useDeletePod({ context, namespace: pod.namespace, name: pod.name }, () => setConfirming(false));
  const d = detail.data;

  return (
    <aside className="split-side" aria-label={`Pod ${pod.namespace}/${pod.name}`} data-testid="pod-details">
      <header className="side-header">
        <div>
          <div className="muted small">{pod.namespace}</div>
          <h2>{pod.name}</h2>
        </div>
        <div>
          <button
            type="button"
            onClick={() => setShell(true)}
            disabled={gone || pod.phase !== 'Running'}
            title={
              pod.phase === 'Running' ? 'Open a shell in a container of this pod' : 'Only a running pod has a shell'
            }
            data-testid="pod-shell"
          >
            Shell
          </button>{' '}
          <button type="button" onClick={onClose} aria-label="Close details">
            ✕
          </button>
        </div>
      </header>
      {shell ? (
        <ShellDock
          title={`pod ${pod.name}`}
          target={{ kind: 'kubernetes', context, namespace: pod.namespace }}
          workload={{ pod: pod.name }}
          containers={d?.containers.map((c) => c.name)}
          onClose={() => setShell(false)}
        />
      ) : null}
      {gone ? <div className="warning">This pod no longer exists.</div> : null}
      {detail.error ? (
        <div role="alert" className="error small">
          {detail.error.message}
        </div>
      ) : null}
      {d ? (
        <>
          <dl className="facts">
            <dt>Node</dt>
            <dd>{d.summary.node ?? '—'}</dd>
            <dt>Pod IP</dt>
            <dd>{d.podIP ?? '—'}</dd>
            <dt>Owner</dt>
            <dd>{d.summary.owner ? `${d.summary.owner.kind}/${d.summary.owner.name}` : '—'}</dd>
          </dl>
          <h3>Conditions</h3>
          <ul className="plain" data-testid="pod-conditions">
            {d.conditions.map((c) => (
              <li key={c.type}>
                <span className={c.status === 'True' ? 'ok' : 'warning'}>{c.status === 'True' ? '✓' : '✗'}</span>{' '}
                {c.type}
                {c.reason ? <span className="muted small"> ({c.reason})</span> : null}
              </li>
            ))}
          </ul>
          <h3>Containers</h3>
          <ul className="plain" data-testid="pod-containers">
            {d.containers.map((c) => (
              <li key={c.name}>
                <span className="strong">{c.name}</span> <span className="mono small">{c.image}</span>
                <div className="small">
                  {c.state}
                  {c.reason ? ` (${c.reason})` : ''} · {c.ready ? 'ready' : 'not ready'} · {c.restarts} restarts
                </div>
                {c.message ? <div className="small muted">{c.message}</div> : null}
              </li>
            ))}
          </ul>
          <PodForwards
            pod={{ context, namespace: pod.namespace, name: pod.name }}
            running={!gone && !pod.deleting && pod.phase === 'Running'}
          />
          <h3>Recent events</h3>
          {d.events.length === 0 ? <p className="muted small">No events.</p> : null}
          <ul className="plain events" data-testid="pod-events">
            {d.events.map((e, i) => (
              <li key={`${e.reason}-${i}`} className={e.type === 'Warning' ? 'warning' : undefined}>
                <span className="strong small">{e.reason}</span> <span className="small">{e.message}</span>
                {e.count > 1 ? <span className="muted small"> ×{e.count}</span> : null}
              </li>
            ))}
          </ul>
          <PodLogs
            context={context}
            namespace={pod.namespace}
            name={pod.name}
            containers={d.containers.map((c) => c.name)}
          />
        </>
      ) : null}
      <div className="danger-zone">
        {confirming ? (
          <div role="alertdialog" aria-label="Confirm delete" className="confirm">
            <p>
              Delete pod <strong>{pod.name}</strong>? Its controller, if any, will replace it.
            </p>
            <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
              Delete pod
            </button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)} disabled={gone || pod.deleting}>
            Delete…
          </button>
        )}
        {remove.error ? (
          <div role="alert" className="error small">
            {remove.error.message}
          </div>
        ) : null}
      </div>
    </aside>
  );
}
