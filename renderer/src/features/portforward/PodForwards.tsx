import { useState } from 'react';
import type { ForwardTargetRef } from '@shared/portforward-schemas';
import { ForwardUrl } from './ForwardUrl';
import { useForwardOptions, useStartForward, type PodRef } from './use-port-forwards';

/**
 * "Open on localhost" for a pod: each of its declared ports, each port of a Service that selects
 * it, or any port typed in; forwards listen on 127.0.0.1 of the machine Homeport runs on.
 */
export function PodForwards({ pod, running }: { pod: PodRef; running: boolean }) {
  const options = useForwardOptions(pod, running);
  const start = useStartForward();
  const [typed, setTyped] = useState('');
  const open = (target: ForwardTargetRef, remotePort: number | string) =>
    start.mutate({ context: pod.context, namespace: pod.namespace, target, remotePort });
  const self: ForwardTargetRef = { kind: 'pod', name: pod.name };
  const typedPort = /^\d+$/.test(typed.trim()) ? Number(typed.trim()) : typed.trim();

  return (
    <div className="pod-forwards" data-testid="pod-forwards">
      <h3>Open on localhost</h3>
      <p className="muted small">Forwards listen on 127.0.0.1 of the machine Homeport runs on.</p>
      {!running ? <p className="muted small">A port can be forwarded only to a running pod.</p> : null}
      {options.error ? (
        <div role="alert" className="error small">
          {options.error.message}
        </div>
      ) : null}
      <ul className="plain">
        {(options.data?.ports ?? []).map((p) => (
          <li key={`${p.container}-${p.port}`}>
            <button type="button" onClick={() => open(self, p.port)} disabled={start.isPending}>
              Open port {p.port}
              {p.name ? ` (${p.name})` : ''} on localhost
            </button>{' '}
            <span className="muted small">container {p.container}</span>
          </li>
        ))}
        {(options.data?.services ?? []).flatMap((s) =>
          s.ports.map((p) => (
            <li key={`svc-${s.name}-${p.port}`}>
              <button
                type="button"
                onClick={() => open({ kind: 'service', name: s.name }, p.name ?? p.port)}
                disabled={start.isPending}
              >
                Open service {s.name}:{p.port}
                {p.name ? ` (${p.name})` : ''} on localhost
              </button>
            </li>
          )),
        )}
      </ul>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          if (typedPort !== '') open(self, typedPort);
        }}
      >
        <input
          aria-label="Pod port to forward"
          placeholder="port number or name"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          size={16}
        />
        <button type="submit" disabled={!running || typedPort === '' || start.isPending}>
          Open on localhost
        </button>
      </form>
      {start.data ? (
        <p className="small" data-testid="forward-started">
          Forwarding <ForwardUrl url={start.data.url} /> → {start.data.pod}:{start.data.podPort}
        </p>
      ) : null}
      {start.error ? (
        <div role="alert" className="error small">
          {start.error.message}
        </div>
      ) : null}
    </div>
  );
}
