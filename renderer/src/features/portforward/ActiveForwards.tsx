import { ForwardUrl } from './ForwardUrl';
import { describeForward, usePortForwards, useStopForward } from './use-port-forwards';

/** Every active forward (of all contexts) with its URL, the pod it reaches now, and Stop. */
export function ActiveForwards({ context }: { context?: string }) {
  const list = usePortForwards();
  const stop = useStopForward();
  const forwards = (list.data?.forwards ?? []).filter((f) => !context || f.context === context);
  if (forwards.length === 0 && !list.error) return null;
  return (
    <section aria-label="Active port-forwards" className="forwards" data-testid="active-forwards">
      <h3>Port-forwards</h3>
      {list.error ? (
        <div role="alert" className="error small">
          {list.error.message}
        </div>
      ) : null}
      <ul className="plain">
        {forwards.map((f) => (
          <li key={f.id} data-forward={f.id}>
            <ForwardUrl url={f.url} />{' '}
            <span className="small">
              → {describeForward(f)}
              {f.pod ? ` (pod ${f.pod}:${f.podPort ?? '?'})` : ''} · {f.connections} connection
              {f.connections === 1 ? '' : 's'}
            </span>{' '}
            <button type="button" onClick={() => stop.mutate(f.id)} disabled={stop.isPending}>
              Stop
            </button>
            {f.lastError ? <div className="small warning">{f.lastError}</div> : null}
          </li>
        ))}
      </ul>
      {stop.error ? (
        <div role="alert" className="error small">
          {stop.error.message}
        </div>
      ) : null}
    </section>
  );
}
