import { useState } from 'react';
import { LogStream } from '../../components/LogStream';
import { usePodLogs, type PodRef } from './use-pods';

/** A pod's log: the last lines on open, then new lines while following, until stopped. */
export function PodLogs({ containers, ...pod }: PodRef & { containers: string[] }) {
  const [container, setContainer] = useState(containers[0] ?? '');
  const [following, setFollowing] = useState(true);
  // A new stream (and an empty view) for every change of pod, container or follow mode.
  const log = usePodLogs(pod, container, following);
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
      <LogStream testId="pod-logs" follow={following} log={log} />
    </div>
  );
}
