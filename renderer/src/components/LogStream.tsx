import { useEffect, useRef } from 'react';
import { splitMatches, type LogLines } from '../lib/log-lines';

interface LogStreamProps {
  log: LogLines;
  follow: boolean;
  testId: string;
  /** Long lines wrap (the default) or scroll sideways. */
  wrap?: boolean;
  /** Text to highlight in every line (case-insensitive). */
  search?: string;
  /** What an empty log says while lines may still come, and once the stream ended without any. */
  empty?: { waiting: string; none: string };
}

/**
 * A log view (fed by useLogLines), scrolled to the end while following. An empty log says so:
 * `empty.waiting` while lines may still come, `empty.none` once the stream ended without any.
 */
export function LogStream({
  log,
  follow,
  testId,
  wrap = true,
  search = '',
  empty = { waiting: 'No log lines yet', none: 'No log lines' },
}: LogStreamProps) {
  const view = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const el = view.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [log.lines, follow]);

  // The first match comes into view when the search changes.
  useEffect(() => {
    if (search) view.current?.querySelector('mark')?.scrollIntoView({ block: 'center' });
  }, [search]);

  return (
    <>
      <pre ref={view} className={`log-view${wrap ? '' : ' nowrap'}`} data-testid={testId} data-wrap={wrap}>
        {search
          ? log.lines.map((line, i) => (
              <span key={i}>
                {splitMatches(line, search).map((p, j) => (p.match ? <mark key={j}>{p.text}</mark> : p.text))}
                {'\n'}
              </span>
            ))
          : log.lines.join('\n')}
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
