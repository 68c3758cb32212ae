import { useState } from 'react';
import { podKey, type PodSummary } from '@shared/kube-schemas';
import { formatAge } from '@shared/leases';
import { VirtualRows } from '../../components/VirtualRows';
import { WatchStatusBadge } from '../../components/WatchStatusBadge';
import { useActiveContext } from '../../lib/active-context';
import { useNow } from '../../lib/use-live-collection';
import { ActiveForwards } from '../portforward/ActiveForwards';
import { PodDetails } from './PodDetails';
import { podStatusText, podStatusTone, usePods } from './use-pods';

const ROW_HEIGHT = 34;

export function PodsScreen() {
  const { active } = useActiveContext();
  const [namespace, setNamespace] = useState('');
  const [text, setText] = useState('');
  const [selected, setSelected] = useState<PodSummary | undefined>();
  const { rows, total, namespaces, status } = usePods(active?.name, { namespace, text });
  const now = useNow(5000);

  if (!active) return <p className="empty">Add a cluster on the Connections screen to see its pods.</p>;
  const selectedNow = selected ? rows.find((p) => p.uid === selected.uid) : undefined;
  return (
    <section aria-labelledby="pods-title" className="split">
      <div className="split-main">
        <header className="page-header">
          <h1 id="pods-title">Pods</h1>
          <WatchStatusBadge status={status} />
        </header>
        <div className="toolbar">
          <label>
            Namespace{' '}
            <select value={namespace} onChange={(e) => setNamespace(e.target.value)} aria-label="Namespace">
              <option value="">All namespaces</option>
              {namespaces.map((ns) => (
                <option key={ns} value={ns}>
                  {ns}
                </option>
              ))}
            </select>
          </label>
          <input
            type="search"
            placeholder="Filter by name, node or status"
            aria-label="Filter pods"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <span className="muted small" data-testid="pod-count">
            {rows.length === total ? `${total} pods` : `${rows.length} of ${total} pods`}
          </span>
        </div>
        <div className="vtable" role="table" aria-label="Pods" data-testid="pods-table">
          <div className="vtable-head pod-grid" role="row">
            <span>Name</span>
            <span>Namespace</span>
            <span>Status</span>
            <span>Ready</span>
            <span>Restarts</span>
            <span>Age</span>
            <span>Node</span>
          </div>
          <VirtualRows
            rows={rows}
            rowHeight={ROW_HEIGHT}
            height={Math.max(200, Math.min(rows.length * ROW_HEIGHT, 560))}
            rowKey={(p) => p.uid}
            testId="pods-rows"
            renderRow={(p) => (
              <button
                type="button"
                className={`pod-grid pod-row${selectedNow?.uid === p.uid ? ' selected' : ''}`}
                data-pod={podKey(p)}
                onClick={() => setSelected(p)}
              >
                <span className="strong ellipsis">{p.name}</span>
                <span className="ellipsis">{p.namespace}</span>
                <span className={`tone-${podStatusTone(p)}`}>{podStatusText(p)}</span>
                <span>
                  {p.ready}/{p.total}
                </span>
                <span>{p.restarts}</span>
                <span>{formatAge(p.createdAt, now)}</span>
                <span className="ellipsis muted">{p.node ?? '—'}</span>
              </button>
            )}
          />
        </div>
        <ActiveForwards />
      </div>
      {selected ? (
        <PodDetails
          context={active.name}
          pod={selectedNow ?? selected}
          gone={!selectedNow}
          onClose={() => setSelected(undefined)}
        />
      ) : null}
    </section>
  );
}
