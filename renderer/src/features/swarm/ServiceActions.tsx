import { useState } from 'react';
import type { SwarmService } from '@shared/swarm-schemas';
import { useServiceActions } from './use-service-actions';

type Action = 'scale' | 'restart' | 'remove';

/**
 * A service's actions on the Swarm screen. Each asks first, in a dialog that says what will happen:
 * scale (replicated services only), restart every task (a force update), remove the service.
 */
export function ServiceActions({ endpoint, service }: { endpoint: string; service: SwarmService }) {
  const [open, setOpen] = useState<Action>();
  const [replicas, setReplicas] = useState(String(service.desired));
  const { scale, restart, remove } = useServiceActions(endpoint, service.id);
  const error = scale.error ?? restart.error ?? remove.error;
  const done = (action: Action) => () => {
    if (action === open) setOpen(undefined);
  };
  const start = (action: Action) => {
    scale.reset();
    restart.reset();
    remove.reset();
    setReplicas(String(service.desired));
    setOpen(action);
  };
  const count = Number(replicas);
  const validCount = replicas.trim() !== '' && Number.isInteger(count) && count >= 0 && count <= 1000;
  return (
    // Clicks here must not select the row underneath.
    <div className="service-actions" onClick={(e) => e.stopPropagation()} data-testid="service-actions">
      <div className="row">
        <button
          type="button"
          className="small"
          onClick={() => start('scale')}
          disabled={service.mode !== 'replicated'}
          title={service.mode === 'replicated' ? undefined : 'A global service runs one task per node'}
        >
          Scale…
        </button>
        <button type="button" className="small" onClick={() => start('restart')}>
          Restart…
        </button>
        <button type="button" className="small danger" onClick={() => start('remove')}>
          Remove…
        </button>
      </div>
      {open === 'scale' ? (
        <form
          role="alertdialog"
          aria-label={`Scale ${service.name}`}
          className="confirm"
          onSubmit={(e) => {
            e.preventDefault();
            if (validCount) scale.mutate(count, { onSuccess: done('scale') });
          }}
        >
          <label className="field">
            <span>Replicas of {service.name}</span>
            <input
              type="number"
              min={0}
              max={1000}
              value={replicas}
              onChange={(e) => setReplicas(e.target.value)}
              data-testid="scale-replicas"
            />
          </label>
          <p className="small">
            {validCount
              ? count === 0
                ? 'Scaling to 0 stops every task of the service; it stays defined.'
                : `The swarm runs ${count} task${count === 1 ? '' : 's'} (now ${service.desired}).`
              : 'Enter a whole number from 0 to 1000.'}
          </p>
          <button type="submit" disabled={!validCount || scale.isPending}>
            {scale.isPending ? 'Scaling…' : `Scale to ${validCount ? count : '…'}`}
          </button>{' '}
          <button type="button" onClick={() => setOpen(undefined)}>
            Cancel
          </button>
        </form>
      ) : null}
      {open === 'restart' ? (
        <div role="alertdialog" aria-label={`Restart ${service.name}`} className="confirm">
          <p className="small">
            Restart <strong>{service.name}</strong>? Every task is replaced by a new one on the same spec, following the
            service&apos;s update policy (docker service update --force).
          </p>
          <button type="button" onClick={() => restart.mutate(undefined, { onSuccess: done('restart') })}>
            {restart.isPending ? 'Restarting…' : 'Restart tasks'}
          </button>{' '}
          <button type="button" onClick={() => setOpen(undefined)}>
            Cancel
          </button>
        </div>
      ) : null}
      {open === 'remove' ? (
        <div role="alertdialog" aria-label={`Remove ${service.name}`} className="confirm">
          <p className="small">
            Remove <strong>{service.name}</strong>? Its tasks stop and the service is gone
            {service.stack ? ` from stack ${service.stack} until the stack is deployed again` : ''}. Volumes and secrets
            stay.
          </p>
          <button
            type="button"
            className="danger"
            onClick={() => remove.mutate(undefined, { onSuccess: done('remove') })}
            disabled={remove.isPending}
          >
            {remove.isPending ? 'Removing…' : 'Remove service'}
          </button>{' '}
          <button type="button" onClick={() => setOpen(undefined)}>
            Cancel
          </button>
        </div>
      ) : null}
      {error ? (
        <div className="error small" role="alert">
          {error.message}
        </div>
      ) : null}
      {restart.data && !open ? (
        <div className="ok small" role="status">
          Restart requested: the tasks are being replaced.
        </div>
      ) : null}
    </div>
  );
}
