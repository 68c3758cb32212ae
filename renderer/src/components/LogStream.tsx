import { useEffect, useRef } from 'react';
import type { LogLines } from '../lib/log-lines';

/**
 * A log view (fed by useLogLines), scrolled to the end while following. An empty log says so:
 * `empty.waiting` while lines may still come, `empty.none` once the stream ended without any.
 */
export function LogStream({
  log,
  follow,
  testId,
  empty = { waiting: 'No log lines yet', none: 'No log lines' },
}: {
  log: LogLines;
  follow: boolean;
  testId: string;
  empty?: { waiting: string; none: string };
}) {
  const view = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const el = view.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [log.lines, follow]);

  return (
    <>
      <pre ref={view} className="log-view" data-testid={testId}>
        {log.lines.join('\n')}
      </pre>
      {log.lines.length === 0 ? (
        <div className="muted small" data-testid={`${testId}-empty`}>
          {log.ended === undefined ? empty.waiting : empty.none}
        </div>
      ) : null}
      {log.ended ? <div className="muted small">Log stream ended: {log.ended}</div> : null}
    </>
  );
}
