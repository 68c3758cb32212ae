import { describe, expect, it } from 'vitest';
import {
  appendLogChunks,
  countMatches,
  logFileName,
  logText,
  MAX_LOG_LINES,
  NO_LOG_LINES,
  splitMatches,
} from './log-lines';

describe('log lines', () => {
  it('appends the lines of every chunk of a batch, in order', () => {
    const log = appendLogChunks(NO_LOG_LINES, [
      { type: 'lines', lines: ['one', 'two'] },
      { type: 'lines', lines: ['three'] },
    ]);
    expect(appendLogChunks(log, [{ type: 'lines', lines: ['four'] }])).toEqual({
      lines: ['one', 'two', 'three', 'four'],
    });
  });

  it(`keeps only the last ${MAX_LOG_LINES} lines`, () => {
    const many = Array.from({ length: MAX_LOG_LINES + 5 }, (_, i) => `line ${i}`);
    const log = appendLogChunks({ lines: ['old'] }, [{ type: 'lines', lines: many }]);
    expect(log.lines).toHaveLength(MAX_LOG_LINES);
    expect(log.lines[0]).toBe('line 5');
    expect(log.lines.at(-1)).toBe(`line ${MAX_LOG_LINES + 4}`);
  });

  it('notes why the stream ended and keeps the lines that came before', () => {
    const log = appendLogChunks(NO_LOG_LINES, [
      { type: 'lines', lines: ['last words'] },
      { type: 'end', reason: 'container exited' },
    ]);
    expect(log).toEqual({ lines: ['last words'], ended: 'container exited' });
  });

  it('returns the same object when a batch changes nothing, so React skips the render', () => {
    const log = appendLogChunks(NO_LOG_LINES, [{ type: 'lines', lines: ['a'] }]);
    expect(appendLogChunks(log, [{ type: 'lines', lines: [] }])).toBe(log);
  });
});

describe('log search and download helpers', () => {
  it('cuts a line into matches of the query, whatever their case, and the text between', () => {
    expect(splitMatches('Error: read error at ERROR.go', 'error')).toEqual([
      { text: 'Error', match: true },
      { text: ': read ', match: false },
      { text: 'error', match: true },
      { text: ' at ', match: false },
      { text: 'ERROR', match: true },
      { text: '.go', match: false },
    ]);
    expect(splitMatches('nothing here', 'error')).toEqual([{ text: 'nothing here', match: false }]);
    expect(splitMatches('', 'x')).toEqual([{ text: '', match: false }]);
    expect(splitMatches('abc', '')).toEqual([{ text: 'abc', match: false }]);
  });

  it('counts matches and the lines that hold them', () => {
    expect(countMatches(['a error error', 'ok', 'ERROR'], 'error')).toEqual({ matches: 3, lines: 2 });
    expect(countMatches(['a'], '')).toEqual({ matches: 0, lines: 0 });
  });

  it('names the downloaded file after the pod and container, marking the previous container’s log', () => {
    expect(logFileName('api-7d9f', 'api', false)).toBe('api-7d9f-api.log');
    expect(logFileName('api-7d9f', 'api', true)).toBe('api-7d9f-api-previous.log');
    expect(logFileName('a/b', '', false)).toBe('a_b.log');
    expect(logText(['one', 'two'])).toBe('one\ntwo\n');
    expect(logText([])).toBe('');
  });
});
