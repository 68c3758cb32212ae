import { useState } from 'react';
import { LogStream } from '../../components/LogStream';
import { countMatches, logFileName, logText } from '../../lib/log-lines';
import { usePodLogs, type PodRef } from './use-pods';

interface PodLogsProps extends PodRef {
  containers: string[];
  initContainers: string[];
  /** Containers that restarted at least once: only they have a previous container's log. */
  restarted: string[];
  /** The log fills the panel (the other sections are hidden). */
  expanded: boolean;
  onExpand(expanded: boolean): void;
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * A pod's log: the last lines on open, then new lines while following; searchable, wrapped or not,
 * downloadable, and the previous container's log after a restart.
 */
export function PodLogs({ containers, initContainers, restarted, expanded, onExpand, ...pod }: PodLogsProps) {
  const [container, setContainer] = useState(containers[0] ?? '');
  const [following, setFollowing] = useState(true);
  const [previous, setPrevious] = useState(false);
  const [wrap, setWrap] = useState(true);
  const [search, setSearch] = useState('');
  // A new stream (and an empty view) for every change of pod, container, follow mode or instance.
  const log = usePodLogs(pod, container, following && !previous, previous);
  const found = countMatches(log.lines, search.trim());
  const all = [...containers, ...initContainers];
  return (
    <div className={`logs${expanded ? ' expanded' : ''}`} data-testid="pod-logs-pane">
      <div className="toolbar log-toolbar">
        <h3>Logs</h3>
        {all.length > 1 ? (
          <select aria-label="Container" value={container} onChange={(e) => setContainer(e.target.value)}>
            {containers.map((c) => (
              <option key={c}>{c}</option>
            ))}
            {initContainers.map((c) => (
              <option key={c} value={c}>
                {c} (init)
              </option>
            ))}
          </select>
        ) : null}
        <button type="button" onClick={() => setFollowing((f) => !f)} disabled={previous}>
          {following ? 'Stop following' : 'Follow'}
        </button>
        <label className="field-check" title={restarted.includes(container) ? '' : 'This container has not restarted'}>
          <input
            type="checkbox"
            checked={previous}
            onChange={(e) => setPrevious(e.target.checked)}
            data-testid="log-previous"
          />
          Previous container
        </label>
        <label className="field-check">
          <input type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} data-testid="log-wrap" />
          Wrap
        </label>
      </div>
      <div className="toolbar log-toolbar">
        <input
          type="search"
          placeholder="Search the log"
          aria-label="Search the log"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="log-search"
        />
        <span className="muted small" data-testid="log-matches">
          {search.trim()
            ? `${found.matches} match${found.matches === 1 ? '' : 'es'} on ${found.lines} line${found.lines === 1 ? '' : 's'}`
            : `${log.lines.length} lines`}
        </span>
        <button
          type="button"
          onClick={() => download(logFileName(pod.name, container, previous), logText(log.lines))}
          disabled={log.lines.length === 0}
          data-testid="log-download"
        >
          Download
        </button>
        <button type="button" onClick={() => onExpand(!expanded)} data-testid="log-expand">
          {expanded ? 'Show details' : 'Expand log'}
        </button>
      </div>
      <LogStream testId="pod-logs" follow={following && !previous} log={log} wrap={wrap} search={search.trim()} />
    </div>
  );
}
