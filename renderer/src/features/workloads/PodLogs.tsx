import { useEffect, useRef, useState } from 'react';
import { subscribe } from '../../lib/api-client';

const MAX_LINES = 2000;

interface LogTarget {
  context: string;
  namespace: string;
  name: string;
}

/** A pod's log: the last lines on open, then new lines while following, until stopped. */
export function PodLogs({ containers, ...target }: LogTarget & { containers: string[] }) {
  const [container, setContainer] = useState(containers[0] ?? '');
  const [following, setFollowing] = useState(true);
  return (
    <div className="logs">
      <div className="toolbar">
        <h3>Logs</h3>
        {containers.length > 1 ? (
          <select aria-label="Container" value={container} onChange={(e) => setContainer(e.target.value)}>
            {containers.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        ) : null}
        <button type="button" onClick={() => setFollowing((f) => !f)}>
          {following ? 'Stop following' : 'Follow'}
        </button>
      </div>
      {/* A new stream (and an empty view) for every change of pod, container or follow mode. */}
      <LogStream
        key={`${target.context}/${target.namespace}/${target.name}/${container}/${following}`}
        {...target}
        container={container}
        follow={following}
      />
    </div>
  );
}

function LogStream({ container, follow, ...target }: LogTarget & { container: string; follow: boolean }) {
  const [lines, setLines] = useState<string[]>([]);
  const [ended, setEnded] = useState<string | undefined>();
  const view = useRef<HTMLPreElement>(null);

  useEffect(
    () =>
      subscribe(
        'kube:podLogs',
        { ...target, follow, tailLines: 200, ...(container ? { container } : {}) },
        (chunks) => {
          const added: string[] = [];
          for (const chunk of chunks) {
            if (chunk.type === 'lines') added.push(...chunk.lines);
            else setEnded(chunk.reason);
          }
          if (added.length > 0) setLines((prev) => [...prev, ...added].slice(-MAX_LINES));
        },
        (error) => setEnded(error.message),
      ),
    // The parent gives this component a new key whenever the target changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );

  useEffect(() => {
    const el = view.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [lines, follow]);

  return (
    <>
      <pre ref={view} className="log-view" data-testid="pod-logs">
        {lines.join('\n')}
      </pre>
      {ended ? <div className="muted small">Log stream ended: {ended}</div> : null}
    </>
  );
}
