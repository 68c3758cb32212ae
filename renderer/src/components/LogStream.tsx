import { useEffect, useRef, useState } from 'react';
import type { ApiError } from '@shared/contract';
import type { LogChunk } from '@shared/kube-schemas';

const MAX_LINES = 2000;

/** Starts a log subscription; returns the function that stops it. */
export type OpenLog = (onChunks: (chunks: LogChunk[]) => void, onError: (error: ApiError) => void) => () => void;

/**
 * A log view fed by one subscription, kept to the last 2,000 lines and scrolled to the end while
 * following. Give it a new key to start over with another target.
 */
export function LogStream({ open, follow, testId }: { open: OpenLog; follow: boolean; testId: string }) {
  const [lines, setLines] = useState<string[]>([]);
  const [ended, setEnded] = useState<string | undefined>();
  const view = useRef<HTMLPreElement>(null);

  useEffect(
    () =>
      open(
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
      <pre ref={view} className="log-view" data-testid={testId}>
        {lines.join('\n')}
      </pre>
      {ended ? <div className="muted small">Log stream ended: {ended}</div> : null}
    </>
  );
}
