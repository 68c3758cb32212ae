import { useState } from 'react';
import type { SwarmService, SwarmTask } from '@shared/swarm-schemas';
import { LogStream } from '../../components/LogStream';
import { ShellDock } from '../../components/ShellDock';
import { SwarmEndpointPicker } from '../../components/SwarmEndpointPicker';
import { WatchStatusBadge } from '../../components/WatchStatusBadge';
import { SwarmEndpointScope } from '../../lib/swarm-endpoint';
import { ServiceActions } from './ServiceActions';
import { useActiveEndpoint, useServiceLogs, useSwarmNodes, useSwarmServices, useSwarmTasks } from './use-swarm';

/** A Swarm endpoint live: nodes (leader first), services, and a service's tasks and log. */
export function SwarmScreen() {
  return (
    <SwarmEndpointScope>
      <SwarmView />
    </SwarmEndpointScope>
  );
}

function SwarmView() {
  const { active, loading } = useActiveEndpoint();
  const nodes = useSwarmNodes(active?.name);
  const services = useSwarmServices(active?.name);
  const [selected, setSelected] = useState<string>();
  if (loading) return <p className="muted">Looking for a Docker endpoint that answers…</p>;
  if (!active) return <p className="empty">Add a Docker endpoint on the Connections screen to see its swarm.</p>;
  const service = services.items.find((s) => s.id === selected);
  return (
    <section aria-labelledby="swarm-title">
      <header className="page-header">
        <h1 id="swarm-title">Swarm</h1>
        <SwarmEndpointPicker testId="swarm-endpoint" onChange={() => setSelected(undefined)} />
        <WatchStatusBadge status={services.status.state === 'live' ? nodes.status : services.status} />
      </header>

      <h2>Nodes</h2>
      <table className="table" data-testid="swarm-nodes">
        <thead>
          <tr>
            <th>Hostname</th>
            <th>Role</th>
            <th>Availability</th>
            <th>State</th>
            <th>Manager</th>
            <th>Engine</th>
          </tr>
        </thead>
        <tbody>
          {nodes.items.map((n) => (
            <tr key={n.id} data-node={n.hostname}>
              <td className="strong">{n.hostname}</td>
              <td>{n.role}</td>
              <td>{n.availability}</td>
              <td className={n.state === 'ready' ? 'tone-ok' : 'tone-error'}>{n.state}</td>
              <td data-testid="node-manager">
                {n.leader ? <span className="badge">Leader</span> : null} {n.managerReachability ?? '—'}
              </td>
              <td className="muted">{n.engineVersion ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Services</h2>
      {services.items.length === 0 && services.status.state === 'live' ? (
        <p className="empty">No services on this swarm yet.</p>
      ) : null}
      <table className="table" data-testid="swarm-services">
        <thead>
          <tr>
            <th>Service</th>
            <th>Mode</th>
            <th>Replicas</th>
            <th>Image</th>
            <th>Ports</th>
            <th>Update</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {services.items.map((s) => (
            <tr
              key={s.id}
              data-service={s.name}
              className={s.id === selected ? 'selected' : undefined}
              onClick={() => setSelected(s.id)}
              style={{ cursor: 'pointer' }}
            >
              <td>
                <div className="strong">{s.name}</div>
                {s.stack ? <div className="muted small">stack {s.stack}</div> : null}
              </td>
              <td>{s.mode}</td>
              <td className={s.running >= s.desired ? 'tone-ok' : 'tone-warn'} data-testid="service-replicas">
                {s.running}/{s.desired}
              </td>
              <td className="mono small">{s.image}</td>
              <td className="mono small">
                {s.ports.map((p) => `${p.published}→${p.target}/${p.protocol}`).join(', ')}
              </td>
              <td className="small">{updateLabel(s)}</td>
              <td>
                <ServiceActions endpoint={active.name} service={s} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {service ? <ServiceTasks key={service.id} endpoint={active.name} service={service} /> : null}
    </section>
  );
}

function updateLabel(s: SwarmService): string {
  if (!s.update) return '';
  return s.update.message ? `${s.update.state}: ${s.update.message}` : s.update.state;
}

function ServiceTasks({ endpoint, service }: { endpoint: string; service: SwarmService }) {
  const tasks = useSwarmTasks(endpoint, service.id);
  const [following, setFollowing] = useState(true);
  const [shellTask, setShellTask] = useState<SwarmTask>();
  const log = useServiceLogs(endpoint, service.id, following);
  return (
    <div data-testid="service-details">
      <h2>Tasks of {service.name}</h2>
      <table className="table" data-testid="swarm-tasks">
        <thead>
          <tr>
            <th>Slot</th>
            <th>Node</th>
            <th>State</th>
            <th>Desired</th>
            <th>Error</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tasks.items.map((t) => (
            <tr key={t.id} data-task={t.id}>
              <td>{t.slot ?? '—'}</td>
              <td>{t.node ?? '—'}</td>
              <td
                className={
                  t.state === 'running' ? 'tone-ok' : t.state === 'failed' || t.state === 'rejected' ? 'tone-error' : ''
                }
              >
                {t.state}
              </td>
              <td>{t.desiredState}</td>
              <td className="small">{t.error ?? t.message ?? ''}</td>
              <td>
                <button
                  type="button"
                  className="small"
                  disabled={t.state !== 'running'}
                  title={
                    t.state === 'running' ? 'Open a shell in this task’s container' : 'Only a running task has a shell'
                  }
                  onClick={() => setShellTask(t)}
                  data-testid="task-shell"
                >
                  Shell
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="toolbar">
        <h3>Log</h3>
        <button type="button" onClick={() => setFollowing((f) => !f)}>
          {following ? 'Stop following' : 'Follow'}
        </button>
      </div>
      <LogStream
        testId="service-logs"
        follow={following}
        log={log}
        empty={{ waiting: 'No log lines yet', none: 'This service has written no logs' }}
      />
      {shellTask ? (
        <ShellDock
          key={shellTask.id}
          title={`task ${service.name}.${shellTask.slot ?? shellTask.id.slice(0, 12)}`}
          target={{ kind: 'swarm', endpoint }}
          workload={{ task: shellTask.id }}
          onClose={() => setShellTask(undefined)}
        />
      ) : null}
    </div>
  );
}
