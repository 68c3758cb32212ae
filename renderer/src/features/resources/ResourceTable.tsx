import type { CSSProperties } from 'react';
import { formatAge } from '@shared/leases';
import type { ResourceColumn, SortKey } from '@shared/resource-columns';
import type { ResourceRow } from '@shared/resource-schemas';
import { VirtualRows } from '../../components/VirtualRows';

const ROW_HEIGHT = 34;

interface ResourceTableProps {
  label: string;
  rows: readonly ResourceRow[];
  columns: readonly ResourceColumn[];
  namespaced: boolean;
  sort: SortKey;
  descending: boolean;
  onSort(key: SortKey): void;
  selected?: string;
  onSelect(row: ResourceRow): void;
  now: number;
  height: number;
}

interface Header {
  key: SortKey;
  label: string;
  width: string;
}

/** A virtualised table of rows with sortable headers: name, namespace, status, the kind's columns, age. */
export function ResourceTable(props: ResourceTableProps) {
  const { rows, columns, namespaced, sort, descending, now } = props;
  const headers: Header[] = [
    { key: 'name', label: 'Name', width: 'minmax(160px, 2fr)' },
    ...(namespaced ? [{ key: 'namespace' as const, label: 'Namespace', width: 'minmax(90px, 1fr)' }] : []),
    { key: 'status', label: 'Status', width: 'minmax(100px, 1.2fr)' },
    ...columns.map((c) => ({ key: `cell:${c.id}` as const, label: c.label, width: c.width })),
    { key: 'age', label: 'Age', width: '60px' },
  ];
  const grid: CSSProperties = { gridTemplateColumns: headers.map((h) => h.width).join(' ') };
  const cell = (row: ResourceRow, c: ResourceColumn) => {
    const v = row.cells[c.id];
    if (v === undefined || v === '') return '—';
    return c.format === 'time' ? formatAge(String(v), now) : String(v);
  };
  return (
    <div className="vtable resource-table" role="table" aria-label={props.label} data-testid="resource-table">
      <div className="resource-scroll">
        <div className="vtable-head resource-grid" role="row" style={grid}>
          {headers.map((h) => {
            const active = sort === h.key;
            return (
              <span
                key={h.key}
                role="columnheader"
                aria-sort={active ? (descending ? 'descending' : 'ascending') : 'none'}
              >
                <button type="button" className="sort-header" onClick={() => props.onSort(h.key)} data-sort={h.key}>
                  {h.label}
                  <span className="sort-mark" aria-hidden="true">
                    {active ? (descending ? ' ▼' : ' ▲') : ''}
                  </span>
                </button>
              </span>
            );
          })}
        </div>
        <VirtualRows
          rows={rows}
          rowHeight={ROW_HEIGHT}
          height={Math.max(ROW_HEIGHT, Math.min(rows.length * ROW_HEIGHT, props.height))}
          rowKey={(r) => r.key}
          testId="resource-rows"
          renderRow={(r) => (
            <button
              type="button"
              className={`resource-grid resource-row${props.selected === r.key ? ' selected' : ''}${r.problem ? ' problem' : ''}`}
              style={grid}
              data-row={r.key}
              data-problem={r.problem ? 'true' : undefined}
              onClick={() => props.onSelect(r)}
            >
              <span className="strong ellipsis" title={r.name}>
                {r.problem ? (
                  <span className="problem-mark" aria-label="problem">
                    ●{' '}
                  </span>
                ) : null}
                {r.name}
              </span>
              {namespaced ? <span className="ellipsis">{r.namespace}</span> : null}
              <span className={`ellipsis tone-${r.tone}`} title={r.status}>
                {r.status || '—'}
              </span>
              {columns.map((c) => (
                <span key={c.id} className="ellipsis" title={String(r.cells[c.id] ?? '')}>
                  {cell(r, c)}
                </span>
              ))}
              <span>{formatAge(r.createdAt, now)}</span>
            </button>
          )}
        />
      </div>
    </div>
  );
}
