import { useState } from 'react';
import { LogStream } from '../../components/LogStream';
import { subscribe } from '../../lib/api-client';

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
      <PodLogStream
        key={`${target.context}/${target.namespace}/${target.name}/${container}/${following}`}
        {...target}
        container={container}
        follow={following}
      />
    </div>
  );
}

function PodLogStream({ container, follow, ...target }: LogTarget & { container: string; follow: boolean }) {
  return (
    <LogStream
      testId="pod-logs"
      follow={follow}
      open={(onChunks, onError) =>
        subscribe(
          'kube:podLogs',
          { ...target, follow, tailLines: 200, ...(container ? { container } : {}) },
          onChunks,
          onError,
        )
      }
    />
  );
}
