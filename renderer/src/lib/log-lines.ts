import type { LogChunk } from '@shared/kube-schemas';

/** What a log view shows: the last lines, and why the stream stopped once it has. */
export interface LogLines {
  lines: readonly string[];
  ended?: string;
}

export const MAX_LOG_LINES = 2000;
export const NO_LOG_LINES: LogLines = { lines: [] };

/** The log after one batch of chunks: new lines appended (the oldest dropped past the cap), an end noted. */
export function appendLogChunks(log: LogLines, chunks: readonly LogChunk[]): LogLines {
  const added: string[] = [];
  let ended = log.ended;
  for (const chunk of chunks) {
    if (chunk.type === 'lines') added.push(...chunk.lines);
    else ended = chunk.reason;
  }
  if (added.length === 0 && ended === log.ended) return log;
  const lines = added.length === 0 ? log.lines : [...log.lines, ...added].slice(-MAX_LOG_LINES);
  return ended === undefined ? { lines } : { lines, ended };
}
