/** homeport readiness STACK --context NAME [--namespace NS] [--json]: the Readiness screen in a terminal. */
import { categoryTitles, type ReadinessReport } from '@shared/readiness-schemas';
import { HomeportError } from '../core/errors';
import { resolveDataDir } from '../core/storage/data-dir';
import { createServices } from '../services';

const percent = (n: number | null) => (n === null ? '—' : `${Math.round(n)}%`);

export function formatReport(report: ReadinessReport): string {
  const lines = [`Readiness of ${report.stack} (${report.target}): ${percent(report.score)}`, ''];
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
  opts: {
    context?: string;
    swarm?: string;
    namespace?: string;
    json?: boolean;
    kubeconfig?: string;
    'data-dir'?: string;
  },
  out: (line: string) => void = (l) => console.log(l),
): Promise<number> {
  if (!stack) throw new HomeportError('INVALID_INPUT', 'name the stack: homeport readiness revenge --context NAME');
  if (!opts.context && !opts.swarm) {
    throw new HomeportError(
      'INVALID_INPUT',
      '--context: name the cluster context (see homeport contexts), or --swarm ENDPOINT',
    );
  }
  const env = opts.kubeconfig ? { ...process.env, KUBECONFIG: opts.kubeconfig } : process.env;
  const services = createServices({ dataDir: resolveDataDir({ flag: opts['data-dir'] }), mode: 'desktop', env });
  try {
    const report = opts.swarm
      ? await services.swarmReadiness({ endpoint: opts.swarm, stack })
      : await services.readiness.report({ context: opts.context ?? '', namespace: opts.namespace ?? stack, stack });
    out(opts.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return 0;
  } finally {
    services.close();
  }
}
