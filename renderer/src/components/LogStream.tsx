import { useEffect, useRef } from 'react';
import type { LogLines } from '../lib/log-lines';

/** A log view (fed by useLogLines), scrolled to the end while following. */
export function LogStream({ log, follow, testId }: { log: LogLines; follow: boolean; testId: string }) {
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
      {log.ended ? <div className="muted small">Log stream ended: {log.ended}</div> : null}
    </>
  );
}
