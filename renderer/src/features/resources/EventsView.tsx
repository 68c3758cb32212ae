import { useMemo, useState } from 'react';
import { formatAge } from '@shared/leases';
import type { EventGroup } from '@shared/resource-action-schemas';
import { WatchStatusBadge } from '../../components/WatchStatusBadge';
import { useNow } from '../../lib/use-live-collection';
import { sortEvents, useEvents } from './use-events';
import './resource-actions.css';

/** kind/name of the event's object; with `full`, its namespace too (the cell's tooltip). */
function objectText(g: EventGroup, full: boolean): string {
  const name = `${g.object.kind.toLowerCase()}/${g.object.name}`;
  return full && g.object.namespace ? `${g.object.namespace}/${name}` : name;
}

export interface EventsViewProps {
  /** The kubeconfig context whose Events stream. */
  context: string;
  /** One namespace, or every namespace when left out. */
  namespace?: string;
  /** At most this many rows are drawn (newest first); the rest are counted. Default 300. */
  limit?: number;
}

/**
 * The cluster's Events, deduplicated: one row per object, reason and message with how often it
 * happened and when it was first and last seen. Warnings first unless the user turns it off.
 */
export function EventsView({ context, namespace, limit = 300 }: EventsViewProps) {
  const { groups, status } = useEvents(context, namespace);
  const [warningsFirst, setWarningsFirst] = useState(true);
  const [filter, setFilter] = useState('');
  const now = useNow(5000);
  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const shown = f
      ? groups.filter((g) =>
          [g.reason, g.message, g.object.kind, g.object.name, g.object.namespace ?? ''].some((s) =>
            s.toLowerCase().includes(f),
          ),
        )
      : groups;
    return sortEvents(shown, warningsFirst);
  }, [groups, warningsFirst, filter]);
  const warnings = groups.filter((g) => g.type === 'Warning').length;
  return (
    <section className="ra-events" aria-label="Events" data-testid="events-view">
      <div className="toolbar">
        <WatchStatusBadge status={status} />
        <span className="muted small" data-testid="events-summary">
          {groups.length} distinct events · {warnings} warnings
        </span>
        <label className="field-check">
          <input
            type="checkbox"
            checked={warningsFirst}
            onChange={(e) => setWarningsFirst(e.target.checked)}
            data-testid="warnings-first"
          />
          Warnings first
        </label>
        <input
          type="search"
          aria-label="Filter events"
          placeholder="Filter by reason, object or message"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </div>
      {rows.length === 0 && status.state === 'live' ? (
        <p className="empty">{filter ? 'No event matches the filter.' : 'No events in this scope.'}</p>
      ) : null}
      {rows.length > 0 ? (
        <div className="ra-scroll">
          <table className="table ra-events-table">
            <thead>
              <tr>
                <th className="ra-col-type">Type</th>
                <th className="ra-col-reason">Reason</th>
                <th className="ra-col-object">Object</th>
                <th className="ra-col-message">Message</th>
                <th className="ra-col-count" title="How many times it happened">
                  Count
                </th>
                <th className="ra-col-age">Last seen</th>
                <th className="ra-col-age ra-col-first">First seen</th>
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, limit).map((g) => (
                <tr key={g.key} data-testid="event-row" data-reason={g.reason} data-type={g.type}>
                  <td className={`ra-col-type ${g.type === 'Warning' ? 'warning' : 'muted'}`}>{g.type}</td>
                  <td className={`ra-col-reason strong ${g.type === 'Warning' ? 'warning' : ''}`} title={g.reason}>
                    {g.reason}
                  </td>
                  <td className="ra-col-object" title={objectText(g, true)}>
                    <div className="mono">{objectText(g, false)}</div>
                    {g.object.namespace && !namespace ? <div className="muted small">{g.object.namespace}</div> : null}
                  </td>
                  <td className="ra-col-message" title={g.message}>
                    {g.message}
                  </td>
                  <td className="ra-col-count">
                    <span className="ra-count-badge" data-testid="event-count" title={`${g.count} times`}>
                      {g.count > 1 ? `×${g.count}` : '1'}
                    </span>
                  </td>
                  <td className="ra-col-age" title={g.lastSeen}>
                    {formatAge(g.lastSeen, now)} ago
                  </td>
                  <td className="ra-col-age ra-col-first muted" title={g.firstSeen}>
                    {formatAge(g.firstSeen, now)} ago
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {rows.length > limit ? (
        <p className="muted small">
          Showing the {limit} most relevant of {rows.length} events; filter to narrow them.
        </p>
      ) : null}
    </section>
  );
}
