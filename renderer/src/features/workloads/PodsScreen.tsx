import { useEffect, useState, type ReactNode } from 'react';
import { podKey, type PodSummary } from '@shared/kube-schemas';
import { formatAge } from '@shared/leases';
import { NoConnection } from '../../components/NoConnection';
import { VirtualRows } from '../../components/VirtualRows';
import { WatchStatusBadge } from '../../components/WatchStatusBadge';
import { useActiveContext } from '../../lib/active-context';
import { useNow } from '../../lib/use-live-collection';
import { ActiveForwards } from '../portforward/ActiveForwards';
import { PodDetails } from './PodDetails';
import { POD_COLUMNS, podColumnsFor, podGridTemplate, type PodColumn } from './pod-columns';
import { SplitDivider } from './SplitDivider';
import { podStatusText, podStatusTone, usePods } from './use-pods';
import { useWidth } from './use-width';

const ROW_HEIGHT = 34;
const PANEL_WIDTH_KEY = 'homeport.podPanelWidth';
/** Below these widths the panel would squeeze the table or itself: it opens over the table instead. */
const MIN_TABLE = 480;
const MIN_PANEL = 360;
const DIVIDER = 8;

/**
 * The panel's width as last set, read once, when the first pod opens: a page's first use of
 * localStorage waits for the browser to load it (15-20 ms of a busy page at 5,000 pods, measured
 * in the renderer's profile), and the screen has no use for it before a panel opens.
 */
function rememberedPanelWidth(): number {
  const n = Number(localStorage.getItem(PANEL_WIDTH_KEY));
  return Number.isFinite(n) && n >= MIN_PANEL ? n : 480;
}

function cell(column: PodColumn, p: PodSummary, now: number, namespaceShown: boolean): ReactNode {
  switch (column) {
    case 'name':
      return (
        <span className="strong ellipsis" title={podKey(p)}>
          {namespaceShown ? null : <span className="muted">{p.namespace}/</span>}
          {p.name}
        </span>
      );
    case 'namespace':
      return <span className="ellipsis">{p.namespace}</span>;
    case 'status':
      return <span className={`ellipsis tone-${podStatusTone(p)}`}>{podStatusText(p)}</span>;
    case 'ready':
      return (
        <span>
          {p.ready}/{p.total}
        </span>
      );
    case 'restarts':
      return <span>{p.restarts}</span>;
    case 'age':
      return <span>{formatAge(p.createdAt, now)}</span>;
    case 'node':
      return <span className="ellipsis muted">{p.node ?? '—'}</span>;
  }
}

export function PodsScreen() {
  const { active, loading } = useActiveContext();
  const [namespace, setNamespace] = useState('');
  const [text, setText] = useState('');
  const [selected, setSelected] = useState<PodSummary | undefined>();
  /** Unknown until the first pod opens (then remembered or dragged). */
  const [panelWidth, setPanelWidth] = useState<number | undefined>();
  const { rows, total, namespaces, status } = usePods(active?.name, { namespace, text });
  const now = useNow(5000);
  const [splitRef, splitWidth] = useWidth<HTMLElement>();
  const [tableRef, tableWidth] = useWidth<HTMLDivElement>();

  useEffect(() => {
    if (!selected) return;
    const close = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !(e.target instanceof HTMLInputElement)) setSelected(undefined);
    };
    window.addEventListener('keydown', close);
    return () => window.removeEventListener('keydown', close);
  }, [selected]);

  if (!active) {
    return <NoConnection loading={loading}>Add a cluster on the Connections screen to see its pods.</NoConnection>;
  }
  const selectedNow = selected ? rows.find((p) => p.uid === selected.uid) : undefined;
  const width = panelWidth ?? MIN_PANEL;
  const maxPanel = splitWidth - MIN_TABLE - DIVIDER;
  const overlay = selected !== undefined && maxPanel < MIN_PANEL;
  const sideWidth = overlay
    ? Math.min(width, Math.max(MIN_PANEL, splitWidth - 48))
    : Math.min(Math.max(width, MIN_PANEL), Math.max(MIN_PANEL, maxPanel));
  const open = (pod: PodSummary) => {
    setSelected(pod);
    if (panelWidth === undefined) setPanelWidth(rememberedPanelWidth());
  };
  const resize = (w: number) => {
    setPanelWidth(w);
    localStorage.setItem(PANEL_WIDTH_KEY, String(w));
  };
  const columns = podColumnsFor(tableWidth || 1200);
  const grid = { gridTemplateColumns: podGridTemplate(columns) };
  const namespaceShown = columns.includes('namespace');

  return (
    <section
      ref={splitRef}
      aria-labelledby="pods-title"
      className={`split pods-split${overlay ? ' overlay' : ''}`}
      data-layout={selected ? (overlay ? 'overlay' : 'split') : 'table'}
      data-testid="pods-split"
    >
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
        <div ref={tableRef} className="vtable" role="table" aria-label="Pods" data-testid="pods-table">
          <div className="vtable-head pod-grid" role="row" style={grid}>
            {columns.map((c) => (
              <span key={c} className="ellipsis" role="columnheader">
                {POD_COLUMNS[c].label}
              </span>
            ))}
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
                style={grid}
                data-pod={podKey(p)}
                onClick={() => open(p)}
              >
                {columns.map((c) => (
                  <span key={c} className="pod-cell" data-col={c}>
                    {cell(c, p, now, namespaceShown)}
                  </span>
                ))}
              </button>
            )}
          />
        </div>
        <ActiveForwards />
      </div>
      {selected ? (
        <>
          {overlay ? null : <SplitDivider width={sideWidth} min={MIN_PANEL} max={maxPanel} onResize={resize} />}
          <PodDetails
            key={selected.uid}
            context={active.name}
            pod={selectedNow ?? selected}
            gone={!selectedNow}
            width={sideWidth}
            onClose={() => setSelected(undefined)}
          />
        </>
      ) : null}
    </section>
  );
}
