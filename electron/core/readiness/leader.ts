/**
 * Leaders Homeport sees outside a platform object (a Lease): a row of a database table, read by
 * running psql in the database's container (core/leaders). Shared by the Kubernetes and Swarm
 * scorecards and the Leaders screen (through the stack list).
 */
import type { StackLeader } from '@shared/deploy-schemas';
import type { Evidence, ReadinessCheck } from '@shared/readiness-schemas';
import type { LeaderRead } from '../leaders/read-leader';
import { leaderQuery, qualifiedTable } from '../leaders/table-leader';
import type { LeaderSource, PostgresTableLeader } from '../stacks/signals';

type Draft = Pick<ReadinessCheck, 'id' | 'title' | 'category' | 'weight'>;

/** Where a leader kept in a database table lives, in words. */
const tableWhere = (s: PostgresTableLeader) =>
  `a row of the table ${qualifiedTable(s)} in the database ${s.database} of the component '${s.component}'`;

/** The leader check when the leader lives in a database table, from what psql read there (if it ran). */
export function tableLeaderCheck(
  d: Draft,
  source: PostgresTableLeader,
  object: string,
  read: LeaderRead | undefined,
): ReadinessCheck {
  const table = qualifiedTable(source);
  const field = `table ${table} (database ${source.database}, user ${source.user})`;
  const where = `Where the leader is elected: ${source.ref}; the table: ${source.tableRef}.`;
  const check = (verdict: ReadinessCheck['verdict'], summary: string, evidence: Evidence[], remediation: string) => ({
    ...d,
    verdict,
    summary,
    evidence,
    remediation,
  });
  if (!read) {
    return check(
      'unknown',
      `The leader of the periodic jobs is ${tableWhere(source)}: Homeport cannot run commands in this target's containers`,
      [{ object, field, query: leaderQuery(source), value: 'not read' }],
      where,
    );
  }
  const r = read.reading;
  const base: Evidence = { object: read.workload, field, query: leaderQuery(source), value: '' };
  switch (r.state) {
    case 'held':
      return check(
        'pass',
        `The periodic jobs' leader is ${r.holder} (elected ${r.since}, holds until ${r.expires} unless renewed)`,
        [{ ...base, value: `${r.holder}, elected ${r.since}, expires ${r.expires} (database time ${r.now})` }],
        '',
      );
    case 'expired':
      return check(
        'fail',
        `The periodic jobs' leader ${r.holder} stopped renewing: its term ended ${r.expires} and nobody took over, so periodic jobs do not run`,
        [{ ...base, value: `${r.holder}, expired ${r.expires} (database time ${r.now})` }],
        `A leader renews its row while it runs; an expired row means the process that held it stopped, and no other one runs the job client. Check the primary component's logs. ${where}`,
      );
    case 'none':
      return check(
        'fail',
        `Nobody leads the periodic jobs: ${table} is empty`,
        [{ ...base, value: 'no row' }],
        `A running instance of the program elects itself within seconds of starting; an empty table means none is running its job client. Check the primary component's logs. ${where}`,
      );
    case 'unknown':
      return check(
        'unknown',
        `The leader of the periodic jobs could not be read from ${table}: ${r.message}`,
        [{ ...base, value: `unknown (${r.cause})` }],
        r.cause === 'no-table'
          ? `The program creates the table when it migrates at start; once it has started, the leader shows. ${where}`
          : where,
      );
  }
}

/** What the Leaders screen says about a stack's leader. */
export function describeLeader(source: LeaderSource | undefined): StackLeader | undefined {
  if (!source) return undefined;
  if (source.kind === 'lease') {
    return { kind: 'lease', where: `the Lease ${source.lease} in the stack's namespace`, observable: true };
  }
  return { kind: 'table', where: tableWhere(source), observable: true, ref: source.ref };
}
