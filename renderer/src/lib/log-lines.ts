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

/** A line cut into plain text and matches of `query` (case-insensitive), for highlighting. */
export function splitMatches(line: string, query: string): { text: string; match: boolean }[] {
  if (!query) return [{ text: line, match: false }];
  const parts: { text: string; match: boolean }[] = [];
  const lower = line.toLowerCase();
  const q = query.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(q); i !== -1; i = lower.indexOf(q, at)) {
    if (i > at) parts.push({ text: line.slice(at, i), match: false });
    parts.push({ text: line.slice(i, i + q.length), match: true });
    at = i + q.length;
  }
  if (at < line.length || parts.length === 0) parts.push({ text: line.slice(at), match: false });
  return parts;
}

/** How many times `query` occurs in the lines (case-insensitive), and on how many lines. */
export function countMatches(lines: readonly string[], query: string): { matches: number; lines: number } {
  if (!query) return { matches: 0, lines: 0 };
  let matches = 0;
  let hit = 0;
  for (const line of lines) {
    const n = splitMatches(line, query).filter((p) => p.match).length;
    matches += n;
    if (n > 0) hit += 1;
  }
  return { matches, lines: hit };
}

/** The file a downloaded log is saved as: pod, container, and whether it is the previous container's. */
export function logFileName(pod: string, container: string, previous: boolean): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${safe(pod)}${container ? `-${safe(container)}` : ''}${previous ? '-previous' : ''}.log`;
}

/** The text of a downloaded log: every line shown, each ended by a newline. */
export const logText = (lines: readonly string[]) => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);
