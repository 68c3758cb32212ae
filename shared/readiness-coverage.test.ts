import { describe, expect, it } from 'vitest';
import { coverageOf, scoreLine } from './readiness-coverage';

const checks = (...verdicts: ('pass' | 'warn' | 'fail' | 'unknown')[]) => verdicts.map((verdict) => ({ verdict }));

describe('readiness coverage', () => {
  it('says how many checks the score saw and how many it did not', () => {
    const c = coverageOf(checks('pass', 'pass', 'warn', 'unknown', 'unknown', 'unknown'));
    expect(c).toEqual({ observed: 3, unknown: 3, total: 6 });
    expect(scoreLine(100, c)).toBe('100% of 3 observed · 3 unknown');
    expect(scoreLine(91.7, coverageOf(checks('pass', 'fail')))).toBe('92% of 2 observed');
    expect(scoreLine(null, coverageOf(checks('unknown')))).toBe('— (nothing observed) · 1 unknown');
  });
});
