import { podKey } from '@shared/kube-schemas';
import { formatAge, leaseVerdict, type LeaseVerdict } from '@shared/leases';
import { NoConnection } from '../../components/NoConnection';
import { SwarmEndpointPicker } from '../../components/SwarmEndpointPicker';
import { WatchStatusBadge } from '../../components/WatchStatusBadge';
import { SwarmEndpointScope } from '../../lib/swarm-endpoint';
import { SwarmManagers } from '../swarm/SwarmManagers';
import { useActiveContext } from '../../lib/active-context';
import { useActiveTarget } from '../../lib/active-target';
import { useNow } from '../../lib/use-live-collection';
import { StackLeaders } from './StackLeaders';
import { useLeases } from './use-leases';

const verdictLabels: Record<LeaseVerdict, string> = { held: 'Held', expired: 'Expired', contended: 'Contended' };
const verdictTone: Record<LeaseVerdict, string> = { held: 'tone-ok', expired: 'tone-error', contended: 'tone-warn' };

export function LeadersScreen() {
  return (
    <SwarmEndpointScope>
      <LeadersView />
    </SwarmEndpointScope>
  );
}

/** The Swarm part of the Leaders screen, with its own endpoint picker. */
function SwarmPart() {
  const { endpoints } = useActiveTarget();
  if (endpoints.length === 0) return <SwarmManagers />;
  return (
    <>
      <div className="toolbar" data-testid="leaders-swarm-picker">
        <span className="muted small">Swarm endpoint</span>
        <SwarmEndpointPicker testId="leaders-endpoint" />
      </div>
      <SwarmManagers />
    </>
  );
}

function LeadersView() {
  const { active, loading } = useActiveContext();
  const { leases, status } = useLeases(active?.name);
  const now = useNow(1000);
  if (!active) {
    return (
      <>
        <NoConnection loading={loading}>Add a cluster on the Connections screen to see its leaders.</NoConnection>
        <SwarmPart />
        <StackLeaders />
      </>
    );
  }
  return (
    <>
      <section aria-labelledby="leaders-title">
        <header className="page-header">
          <h1 id="leaders-title">Leaders</h1>
          <WatchStatusBadge status={status} />
        </header>
        <p className="muted">Who holds each leader-election Lease: control-plane leaders first, then your workloads.</p>
        {leases.length === 0 && status.state === 'live' ? <p className="empty">This cluster has no Leases.</p> : null}
        <table className="table" data-testid="leases-table">
          <thead>
            <tr>
              <th>Lease</th>
              <th>Holder</th>
              <th>Renewed</th>
              <th>Duration</th>
              <th>Transitions</th>
              <th>Health</th>
            </tr>
          </thead>
          <tbody>
            {leases.map(({ lease, changes }) => {
              const verdict = leaseVerdict(lease, now, changes);
              return (
                <tr key={podKey(lease)} data-lease={podKey(lease)}>
                  <td>
                    <div className="strong">{lease.name}</div>
                    <div className="muted small">
                      {lease.namespace}
                      {lease.controlPlane ? ' · control plane' : ''}
                    </div>
                  </td>
                  <td className="mono" data-testid="lease-holder">
                    {lease.holder ?? '—'}
                  </td>
                  <td>{lease.renewTime ? `${formatAge(lease.renewTime, now)} ago` : '—'}</td>
                  <td>{lease.durationSeconds !== undefined ? `${lease.durationSeconds}s` : '—'}</td>
                  <td>{lease.transitions}</td>
                  <td className={verdictTone[verdict]} data-testid="lease-verdict">
                    {verdictLabels[verdict]}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <SwarmPart />
      <StackLeaders />
    </>
  );
}
