import { describe, expect, it } from 'vitest';
import { appendLogChunks, MAX_LOG_LINES, NO_LOG_LINES } from './log-lines';

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
