import { describe, expect, it } from 'vitest';
import type { ReadinessCheck } from '@shared/readiness-schemas';
import { buildReport, categoryScores, weightedScore } from './score';

const c = (id: string, category: ReadinessCheck['category'], weight: number, verdict: ReadinessCheck['verdict']) =>
  ({ id, title: id, category, weight, verdict, summary: '', evidence: [], remediation: '' }) as ReadinessCheck;

describe('readiness scoring', () => {
  it('weighs pass 1, warn 0.5, fail 0 over observable checks; null when none', () => {
    const checks = [
      c('a', 'state', 4, 'pass'),
      c('b', 'state', 2, 'warn'),
      c('d', 'state', 2, 'fail'),
      c('e', 'state', 5, 'unknown'),
      c('f', 'storage', 3, 'unknown'),
    ];
    expect(weightedScore(checks)).toBe(62.5);
    const scores = categoryScores(checks);
    expect(scores.find((s) => s.category === 'state')).toEqual({
      category: 'state',
      score: 62.5,
      passed: 1,
      observed: 3,
      total: 4,
    });
    expect(scores.find((s) => s.category === 'storage')?.score).toBeNull();
    expect(scores.find((s) => s.category === 'discovery')).toMatchObject({ score: null, total: 0 });
    expect(scores.map((s) => s.category)).toEqual([
      'state',
      'configuration',
      'discovery',
      'distributed',
      'observability',
      'storage',
    ]);
  });

  it('lists failing checks first, then unknown, warning and passing, keeping the catalog order within each', () => {
    const report = buildReport('s', 't', new Date(0), [
      c('p1', 'state', 1, 'pass'),
      c('w1', 'state', 1, 'warn'),
      c('u1', 'state', 1, 'unknown'),
      c('f1', 'storage', 1, 'fail'),
      c('p2', 'storage', 1, 'pass'),
      c('u2', 'storage', 1, 'unknown'),
      c('f2', 'discovery', 1, 'fail'),
    ]);
    expect(report.checks.map((x) => x.id)).toEqual(['f1', 'f2', 'u1', 'u2', 'w1', 'p1', 'p2']);
  });
});
