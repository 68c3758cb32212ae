/** homeport readiness STACK --context NAME [--namespace NS] [--json]: the Readiness screen in a terminal. */
import { categoryTitles, type ReadinessReport } from '@shared/readiness-schemas';
import { coverageOf, scoreLine } from '@shared/readiness-coverage';
import { targetFromOptions, withServices, type TargetOptions } from './stack-commands';
import { UsageError } from './usage-error';

const percent = (n: number | null) => (n === null ? '—' : `${Math.round(n)}%`);

export function formatReport(report: ReadinessReport): string {
  const lines = [
    `Readiness of ${report.stack} (${report.target}): ${scoreLine(report.score, coverageOf(report.checks))}`,
    '',
  ];
  const rows = report.categories.map((c) => [
    categoryTitles[c.category],
    percent(c.score),
    `${c.passed}/${c.observed}${c.total > c.observed ? ` (+${c.total - c.observed} unknown)` : ''}`,
  ]);
  const header = ['CATEGORY', 'SCORE', 'PASSED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const r of [header, ...rows])
    lines.push(
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  lines.push('');
  for (const c of report.checks) {
    lines.push(`${c.verdict.toUpperCase().padEnd(7)} ${c.title}: ${c.summary}`);
    if (c.verdict !== 'pass') {
      for (const e of c.evidence) {
        const where = [e.object, e.field].filter(Boolean).join(' ');
        lines.push(`          ${where || e.query || ''}: ${e.value}`);
      }
      lines.push(`          fix: ${c.remediation}${c.fix ? ` (Homeport can do it: ${c.fix.label})` : ''}`);
    }
  }
  return lines.join('\n');
}

export async function runReadiness(
  stack: string | undefined,
  opts: TargetOptions & { json?: boolean },
  out: (line: string) => void = (l) => console.log(l),
): Promise<number> {
  if (!stack) throw new UsageError('name the stack: homeport readiness revenge --context NAME');
  const ref = { target: targetFromOptions(opts, stack), stack };
  return withServices(
    opts,
    async (services) => {
      const report = await services.deployments.readiness(ref);
      out(opts.json ? JSON.stringify(report, null, 2) : formatReport(report));
      return 0;
    },
    ref,
  );
}
