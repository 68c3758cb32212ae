import type { LeaderPlace, StackTableLeader, TableLeaderReading } from '@shared/leader-schemas';
import { describeTarget } from '@shared/target-schemas';
import { useActiveContext } from '../../lib/active-context';
import { useStacks } from '../deploy/use-deploy';
import { useActiveEndpoint } from '../swarm/use-swarm';
import { useTableLeaders } from './use-table-leaders';

const stateLabels: Record<TableLeaderReading['state'], string> = {
  held: 'Held',
  expired: 'Expired',
  none: 'No leader',
  unknown: 'Unknown',
};
const stateTone: Record<TableLeaderReading['state'], string> = {
  held: 'tone-ok',
  expired: 'tone-error',
  none: 'tone-error',
  unknown: 'tone-warn',
};

function detail(r: TableLeaderReading): string {
  switch (r.state) {
    case 'held':
      return `elected ${r.since}, holds until ${r.expires}`;
    case 'expired':
      return `its term ended ${r.expires} (database time ${r.now}) and nobody took over`;
    case 'none':
      return 'the table is empty: nobody runs the periodic jobs';
    case 'unknown':
      return r.message;
  }
}

function LeaderRows({ place, title }: { place: LeaderPlace; title: string }) {
  const { data, error } = useTableLeaders(place);
  const leaders: StackTableLeader[] = data?.leaders ?? [];
  if (error) {
    return (
      <tr>
        <td colSpan={5} className="error" role="alert">
          {title}: {error.message}
        </td>
      </tr>
    );
  }
  return (
    <>
      {leaders.map((l) => (
        <tr key={`${describeTarget(l.target)}/${l.stack}`} data-table-leader={l.stack}>
          <td>
            <div className="strong">{l.title}</div>
            <div className="muted small">
              {l.stack} · {describeTarget(l.target)}
            </div>
          </td>
          <td>
            <div className="mono small">{l.table}</div>
            <div className="muted small">read in {l.workload}</div>
          </td>
          <td className="mono" data-testid="table-leader-holder">
            {l.reading.state === 'held' || l.reading.state === 'expired' ? l.reading.holder : '—'}
          </td>
          <td className={stateTone[l.reading.state]} data-testid="table-leader-state">
            {stateLabels[l.reading.state]}
          </td>
          <td className="small" data-testid="table-leader-detail">
            {detail(l.reading)}
            <div className="muted small">elected in {l.ref}</div>
          </td>
        </tr>
      ))}
    </>
  );
}

/**
 * Stacks whose leader is a row of a database table (each says so itself; nothing here names one):
 * where each catalog stack keeps it, and the row as the database reads it now for the stacks
 * deployed in the active context and on the active Swarm endpoint.
 */
export function StackLeaders() {
  const { data } = useStacks();
  const { active: context } = useActiveContext();
  const { active: endpoint } = useActiveEndpoint();
  const inTables = (data?.stacks ?? []).flatMap((s) =>
    s.leader?.kind === 'table' ? [{ name: s.name, title: s.title, leader: s.leader }] : [],
  );
  if (inTables.length === 0) return null;
  const places: { place: LeaderPlace; title: string }[] = [
    ...(context
      ? [{ place: { kind: 'kubernetes', context: context.name } as const, title: `context ${context.name}` }]
      : []),
    ...(endpoint
      ? [{ place: { kind: 'swarm', endpoint: endpoint.name } as const, title: `endpoint ${endpoint.name}` }]
      : []),
  ];
  return (
    <section aria-labelledby="stack-leaders-title" data-testid="stack-leaders">
      <h2 id="stack-leaders-title">Leader election in database tables</h2>
      <ul>
        {inTables.map(({ name, title, leader }) => (
          <li key={name} data-stack-leader={name}>
            <span className="strong">{title}</span>: the leader of its periodic jobs is {leader.where}, read by running
            the database&apos;s own client in its container.
          </li>
        ))}
      </ul>
      {places.length > 0 ? (
        <table className="table" data-testid="table-leaders">
          <thead>
            <tr>
              <th>Deployed stack</th>
              <th>Table</th>
              <th>Holder</th>
              <th>State</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {places.map((p) => (
              <LeaderRows key={`${p.place.kind}:${p.title}`} place={p.place} title={p.title} />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
