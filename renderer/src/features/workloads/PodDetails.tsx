import { useState } from 'react';
import type { PodDetail, PodSummary } from '@shared/kube-schemas';
import { formatAge } from '@shared/leases';
import { eventAges } from '@shared/pod-events';
import { useNow } from '../../lib/use-live-collection';
import { ShellDock } from '../../components/ShellDock';
import { PodForwards } from '../portforward/PodForwards';
import { PodLogs } from './PodLogs';
import { useDeletePod, usePodDetail } from './use-pods';

interface PodDetailsProps {
  context: string;
  pod: PodSummary;
  /** The pod left the cluster while it was open. */
  gone: boolean;
  /** The panel's width in pixels (the pods screen sizes it: split or overlay). */
  width: number;
  onClose(): void;
}

function ContainerList({ containers, testId }: { containers: PodDetail['containers']; testId: string }) {
  return (
    <ul className="plain" data-testid={testId}>
      {containers.map((c) => (
        <li key={c.name} data-container={c.name}>
          <span className="strong">{c.name}</span> <span className="mono small">{c.image}</span>
          <div className="small">
            {c.state}
            {c.reason ? ` (${c.reason})` : ''} · {c.ready ? 'ready' : 'not ready'} · {c.restarts} restarts
          </div>
          {c.message ? <div className="small muted">{c.message}</div> : null}
        </li>
      ))}
    </ul>
  );
}

export function PodDetails({ context, pod, gone, width, onClose }: PodDetailsProps) {
  const now = useNow(5000);
  const detail = usePodDetail(context, pod, gone);
  const [confirming, setConfirming] = useState(false);
  const [shell, setShell] = useState(false);
  /** The log takes the whole panel. */
  const [logsOnly, setLogsOnly] = useState(false);
  const remove = useDeletePod({ context, namespace: pod.namespace, name: pod.name }, () => setConfirming(false));
  const d = detail.data;

  return (
    <aside
      className="split-side pod-panel"
      style={{ width }}
      aria-label={`Pod ${pod.namespace}/${pod.name}`}
      data-testid="pod-details"
    >
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
          {logsOnly ? null : (
            <>
              <dl className="facts">
                <dt>Node</dt>
                <dd>{d.summary.node ?? '—'}</dd>
                <dt>Pod IP</dt>
                <dd>{d.podIP ?? '—'}</dd>
                <dt>Owner</dt>
                <dd>{d.summary.owner ? `${d.summary.owner.kind}/${d.summary.owner.name}` : '—'}</dd>
              </dl>
              {d.initContainers.length > 0 ? (
                <>
                  <h3>Init containers</h3>
                  <ContainerList containers={d.initContainers} testId="pod-init-containers" />
                </>
              ) : null}
              <h3>Containers</h3>
              <ContainerList containers={d.containers} testId="pod-containers" />
            </>
          )}
          <PodLogs
            context={context}
            namespace={pod.namespace}
            name={pod.name}
            containers={d.containers.map((c) => c.name)}
            initContainers={d.initContainers.map((c) => c.name)}
            restarted={[...d.containers, ...d.initContainers].filter((c) => c.restarts > 0).map((c) => c.name)}
            expanded={logsOnly}
            onExpand={setLogsOnly}
          />
          {logsOnly ? null : (
            <>
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
              <PodForwards
                pod={{ context, namespace: pod.namespace, name: pod.name }}
                running={!gone && !pod.deleting && pod.phase === 'Running'}
              />
              <h3>Recent events</h3>
              {d.events.length === 0 ? <p className="muted small">No events.</p> : null}
              <ul className="plain events" data-testid="pod-events">
                {d.events.map((e) => (
                  <li
                    key={`${e.type}-${e.reason}-${e.message}`}
                    className={e.type === 'Warning' ? 'event warning' : 'event'}
                    data-reason={e.reason}
                  >
                    <span className="strong small">{e.reason}</span>
                    {e.count > 1 ? (
                      <span className="badge small" data-testid="event-count">
                        ×{e.count}
                      </span>
                    ) : null}{' '}
                    <span className="small">{e.message}</span>
                    <div className="muted small" data-testid="event-age">
                      {eventAges(e, now, formatAge)}
                    </div>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      ) : null}
      <div className="danger-zone" hidden={logsOnly}>
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
