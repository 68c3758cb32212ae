import { WatchStatusBadge } from '../../components/WatchStatusBadge';
import { useActiveEndpoint, useSwarmNodes } from './use-swarm';

/** The Raft managers of the active Swarm endpoint, leader first: the Swarm side of the Leaders screen. */
export function SwarmManagers() {
  const { active } = useActiveEndpoint();
  const nodes = useSwarmNodes(active?.name);
  if (!active) return null;
  const managers = nodes.items.filter((n) => n.role === 'manager');
  return (
    <section aria-labelledby="swarm-managers-title">
      <header className="page-header">
        <h2 id="swarm-managers-title">Swarm managers · {active.name}</h2>
        <WatchStatusBadge status={nodes.status} />
      </header>
      <table className="table" data-testid="swarm-managers">
        <thead>
          <tr>
            <th>Manager</th>
            <th>Raft</th>
            <th>Reachability</th>
            <th>Node state</th>
          </tr>
        </thead>
        <tbody>
          {managers.map((n) => (
            <tr key={n.id} data-manager={n.hostname}>
              <td className="strong">{n.hostname}</td>
              <td className={n.leader ? 'tone-ok' : ''} data-testid="raft-role">
                {n.leader ? 'Leader' : 'Follower'}
              </td>
              <td className={n.managerReachability === 'reachable' ? 'tone-ok' : 'tone-error'}>
                {n.managerReachability ?? 'unknown'}
              </td>
              <td>{n.state}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {nodes.status.state === 'live' && managers.length > 0 && !managers.some((m) => m.leader) ? (
        <p className="error" role="alert">
          No manager reports itself as the Raft leader: the swarm has lost quorum.
        </p>
      ) : null}
    </section>
  );
}
