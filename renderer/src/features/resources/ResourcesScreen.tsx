import { useCallback, useEffect, useMemo, useState } from 'react';
import { columnsFor, type SortKey } from '@shared/resource-columns';
import { resourceId, type ResourceRow } from '@shared/resource-schemas';
import { NoConnection } from '../../components/NoConnection';
import { WatchStatusBadge } from '../../components/WatchStatusBadge';
import { useActiveContext } from '../../lib/active-context';
import { useNow } from '../../lib/use-live-collection';
import { EventsView } from './EventsView';
import { DEFAULT_KIND } from './kind-groups';
import { KindList } from './KindList';
import { ResourceDrawer } from './ResourceDrawer';
import { ResourceTable } from './ResourceTable';
import { useDiscovery, useNamespaces, useResourceRows } from './use-resources';
import './resources.css';

/** The kind named after the route in the URL fragment: #resources/deployments.apps. */
function kindInHash(): string {
  const [, kind] = window.location.hash.replace(/^#\/?/, '').split('/');
  return kind ? decodeURIComponent(kind) : DEFAULT_KIND;
}

function useViewportHeight(): number {
  const [height, setHeight] = useState(() => window.innerHeight);
  useEffect(() => {
    const onResize = () => setHeight(window.innerHeight);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return height;
}

export function ResourcesScreen() {
  const { active, loading } = useActiveContext();
  const context = active?.name;
  const discovery = useDiscovery(context);
  const [kindId, setKindId] = useState(kindInHash);
  const [namespace, setNamespace] = useState('');
  const [text, setText] = useState('');
  const [sort, setSort] = useState<SortKey>('name');
  const [descending, setDescending] = useState(false);
  const [problemsFirst, setProblemsFirst] = useState(true);
  const [selected, setSelected] = useState<ResourceRow | undefined>();
  const now = useNow(5000);
  const viewport = useViewportHeight();
  const namespaces = useNamespaces(context);

  const resources = useMemo(() => discovery.data?.resources ?? [], [discovery.data]);
  const kind = resources.find((r) => resourceId(r) === kindId);
  // Core Events show deduplicated (one row per object, reason and message, with a count).
  const events = kind?.group === '' && kind.plural === 'events';
  const tableKind = events ? undefined : kind;
  const columns = tableKind ? columnsFor(tableKind) : [];
  const { rows, items, total, problems, status } = useResourceRows(context, tableKind, {
    namespace,
    text,
    sort,
    descending,
    problemsFirst,
  });

  const selectKind = useCallback((id: string) => {
    setKindId(id);
    setSelected(undefined);
    setSort('name');
    setDescending(false);
    window.history.replaceState(null, '', `#resources/${encodeURIComponent(id)}`);
  }, []);
  const onSort = (key: SortKey) => {
    if (key === sort) setDescending((d) => !d);
    else {
      setSort(key);
      setDescending(false);
    }
  };
  const close = useCallback(() => setSelected(undefined), []);

  if (!active || !context)
    return (
      <NoConnection loading={loading}>Add a cluster on the Connections screen to browse its resources.</NoConnection>
    );
  // The open object as the watch sees it now (it may be filtered out of the table meanwhile).
  const selectedNow = selected ? items.get(selected.key) : undefined;
  return (
    <section aria-labelledby="resources-title" className="resources">
      <header className="page-header">
        <h1 id="resources-title">Resources</h1>
        {tableKind ? <WatchStatusBadge status={status} /> : null}
      </header>
      {discovery.error ? (
        <div role="alert" className="error-banner">
          {discovery.error.message}
        </div>
      ) : null}
      {discovery.data?.failed.length ? (
        <div className="warning small" data-testid="discovery-failed">
          Some API groups did not answer discovery, so their kinds are missing:{' '}
          {discovery.data.failed.map((f) => f.groupVersion).join(', ')}.
        </div>
      ) : null}
      <div className="resources-body">
        <KindList resources={resources} selected={kindId} onSelect={selectKind} />
        <div className="resources-main">
          <div className="toolbar">
            <h2 className="kind-title">{kind ? kind.kind : discovery.isLoading ? 'Loading kinds…' : kindId}</h2>
            {kind?.namespaced ? (
              <label>
                Namespace{' '}
                <select value={namespace} onChange={(e) => setNamespace(e.target.value)} aria-label="Namespace">
                  <option value="">All namespaces</option>
                  {(namespaces.data?.namespaces ?? []).map((ns) => (
                    <option key={ns} value={ns}>
                      {ns}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
            {tableKind ? (
              <>
                <input
                  type="search"
                  placeholder="Filter by name or any column"
                  aria-label="Filter resources"
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                />
                <label className="problems-first">
                  <input
                    type="checkbox"
                    checked={problemsFirst}
                    onChange={(e) => setProblemsFirst(e.target.checked)}
                    aria-label="Problems first"
                  />{' '}
                  Problems first
                </label>
                <span className="muted small" data-testid="resource-count">
                  {rows.length === total ? `${total} objects` : `${rows.length} of ${total} objects`}
                  {problems ? ` · ${problems} with problems` : ''}
                </span>
              </>
            ) : null}
          </div>
          {!kind && discovery.data ? (
            <p className="empty">This cluster does not serve {kindId}. Pick a kind from the list.</p>
          ) : null}
          {events ? <EventsView context={context} {...(namespace ? { namespace } : {})} /> : null}
          {tableKind ? (
            <ResourceTable
              label={tableKind.kind}
              rows={rows}
              columns={columns}
              namespaced={tableKind.namespaced}
              sort={sort}
              descending={descending}
              onSort={onSort}
              selected={selected?.key}
              onSelect={setSelected}
              now={now}
              height={Math.max(200, viewport - 230)}
            />
          ) : null}
        </div>
      </div>
      {tableKind && selected ? (
        <ResourceDrawer
          context={context}
          kind={tableKind}
          row={selectedNow ?? selected}
          gone={!selectedNow}
          onClose={close}
        />
      ) : null}
    </section>
  );
}
