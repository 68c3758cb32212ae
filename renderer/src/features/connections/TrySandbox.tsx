import { useTrySandbox } from './use-contexts';

/** The empty Connections screen's way in: a simulated cluster with a small demo workload, in one click. */
export function TrySandbox() {
  const start = useTrySandbox();
  return (
    <div className="row" data-testid="try-sandbox">
      <button type="button" onClick={() => start.mutate()} disabled={start.isPending}>
        {start.isPending ? 'Starting the sandbox…' : 'Try the sandbox'}
      </button>
      <span className="muted small">
        A simulated cluster inside Homeport with a small demo workload (namespace demo); nothing leaves this machine.
      </span>
      {start.error ? (
        <div className="error small" role="alert">
          Could not start the sandbox: {start.error.message}
        </div>
      ) : null}
    </div>
  );
}
