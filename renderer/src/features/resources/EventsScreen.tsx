import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useActiveContext } from '../../lib/active-context';
import { invoke } from '../../lib/api-client';
import { EventsView } from './EventsView';
import { NodeActions } from './NodeActions';
import { ObjectEditor, type EditedObject } from './ObjectEditor';

/**
 * The Events screen (route #events): the deduplicated Events of the active context, with node
 * maintenance and edit-and-apply beside it until the resource browser hosts those.
 */
export function EventsScreen() {
  const { active } = useActiveContext();
  if (!active) return <p className="empty">Add a cluster on the Connections screen to see its events.</p>;
  return (
    <>
      <section aria-labelledby="events-title">
        <header className="page-header">
          <h1 id="events-title">Events</h1>
        </header>
        <p className="muted">Every namespace; repeated events are one row with their count.</p>
        <EventsView context={active.name} />
      </section>
      <NodesPanel context={active.name} />
      <EditPanel context={active.name} />
    </>
  );
}

function NodesPanel({ context }: { context: string }) {
  const nodes = useQuery({
    queryKey: ['kube:listNodes', context],
    queryFn: () => invoke('kube:listNodes', { context }),
  });
  return (
    <section aria-labelledby="nodes-title">
      <h2 id="nodes-title">Nodes</h2>
      {nodes.error ? (
        <p className="error small" role="alert">
          {nodes.error.message}
        </p>
      ) : null}
      <table className="table" data-testid="nodes-table">
        <thead>
          <tr>
            <th>Node</th>
            <th>Status</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {(nodes.data?.nodes ?? []).map((n) => (
            <tr key={n.name} data-node={n.name}>
              <td>
                <div className="strong ra-nowrap">{n.name}</div>
                <div className="muted small">{n.roles.join(', ') || 'worker'}</div>
              </td>
              <td data-testid="node-status" className={`ra-nowrap ${n.ready ? 'ok' : 'error'}`}>
                {n.ready ? 'Ready' : 'NotReady'}
                {n.unschedulable ? ', SchedulingDisabled' : ''}
              </td>
              <td>
                <NodeActions context={context} node={n} onChanged={() => void nodes.refetch()} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function EditPanel({ context }: { context: string }) {
  const [form, setForm] = useState<EditedObject>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    namespace: 'default',
    name: '',
  });
  const [open, setOpen] = useState<EditedObject | undefined>();
  const field = (key: keyof EditedObject, label: string) => (
    <label className="field">
      {label}
      <input value={form[key] ?? ''} onChange={(e) => setForm({ ...form, [key]: e.target.value })} />
    </label>
  );
  return (
    <section aria-labelledby="edit-title">
      <h2 id="edit-title">Edit an object</h2>
      <form
        className="ra-inline-fields"
        onSubmit={(e) => {
          e.preventDefault();
          setOpen({ ...form, ...(form.namespace ? {} : { namespace: undefined }) });
        }}
      >
        {field('apiVersion', 'API version')}
        {field('kind', 'Kind')}
        {field('namespace', 'Namespace')}
        {field('name', 'Name')}
        <button type="submit" disabled={!form.name}>
          Open
        </button>
      </form>
      {open ? <ObjectEditor key={JSON.stringify(open)} context={context} object={open} /> : null}
    </section>
  );
}
