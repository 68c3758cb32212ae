/** Scoring of readiness checks: weighted, over the checks that could be observed. */
import {
  readinessCategories,
  type CategoryScore,
  type ReadinessCheck,
  type ReadinessReport,
} from '@shared/readiness-schemas';
import { verdictOrder } from '@shared/readiness-coverage';

const credit: Record<ReadinessCheck['verdict'], number> = { pass: 1, warn: 0.5, fail: 0, unknown: 0 };

/** Percent (0-100, one decimal) over the observable checks; null when none could be observed. */
export function weightedScore(checks: readonly ReadinessCheck[]): number | null {
  const observed = checks.filter((c) => c.verdict !== 'unknown');
  const total = observed.reduce((sum, c) => sum + c.weight, 0);
  if (total === 0) return null;
  const got = observed.reduce((sum, c) => sum + c.weight * credit[c.verdict], 0);
  return Math.round((got / total) * 1000) / 10;
}

export function categoryScores(checks: readonly ReadinessCheck[]): CategoryScore[] {
  return readinessCategories.map((category) => {
    const own = checks.filter((c) => c.category === category);
    return {
      category,
      score: weightedScore(own),
      passed: own.filter((c) => c.verdict === 'pass').length,
      observed: own.filter((c) => c.verdict !== 'unknown').length,
      total: own.length,
    };
  });
}

const verdictRank = Object.fromEntries(verdictOrder.map((v, i) => [v, i])) as Record<ReadinessCheck['verdict'], number>;

/** Checks failing first, then unknown, warning and passing; the catalog's order within each. */
export function orderChecks(checks: readonly ReadinessCheck[]): ReadinessCheck[] {
  return checks
    .map((check, i) => ({ check, i }))
    .sort((a, b) => verdictRank[a.check.verdict] - verdictRank[b.check.verdict] || a.i - b.i)
    .map(({ check }) => check);
}

export function buildReport(
  stack: string,
  target: string,
  generatedAt: Date,
  checks: ReadinessCheck[],
): ReadinessReport {
  return {
    stack,
    target,
    generatedAt: generatedAt.toISOString(),
    score: weightedScore(checks),
    categories: categoryScores(checks),
    checks: orderChecks(checks),
  };
}

/** What watch compares: the checks' ids, verdicts and summaries (not the time of the report). */
export function fingerprint(report: ReadinessReport): string {
  return JSON.stringify(report.checks.map((c) => [c.id, c.verdict, c.summary]));
}

/** Names that look like they hold a credential. */
export const SECRET_NAME = /PASSWORD|PASSWD|SECRET|KEY|TOKEN|CREDENTIAL/i;
