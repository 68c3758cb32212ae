/**
 * What a readiness score covers, said next to it wherever it is shown: a score over the observed
 * checks only is honest only when it says how many were observed and how many could not be.
 */
import type { ReadinessCheck } from './readiness-schemas';

export interface Coverage {
  observed: number;
  unknown: number;
  total: number;
}

export function coverageOf(checks: readonly Pick<ReadinessCheck, 'verdict'>[]): Coverage {
  const unknown = checks.filter((c) => c.verdict === 'unknown').length;
  return { observed: checks.length - unknown, unknown, total: checks.length };
}

/** "of 9 observed · 3 unknown": what follows the percentage. */
export function coverageText(coverage: Coverage): string {
  const head = coverage.observed === 0 ? '(nothing observed)' : `of ${coverage.observed} observed`;
  return coverage.unknown > 0 ? `${head} · ${coverage.unknown} unknown` : head;
}

/** "92% of 9 observed · 3 unknown"; "— (nothing observed) · 4 unknown" when no check could be observed. */
export function scoreLine(score: number | null, coverage: Coverage): string {
  return `${score === null ? '—' : `${Math.round(score)}%`} ${coverageText(coverage)}`;
}

/** The order the user reads checks in: what fails, what could not be seen, what warns, what passes. */
export const verdictOrder = ['fail', 'unknown', 'warn', 'pass'] as const;
