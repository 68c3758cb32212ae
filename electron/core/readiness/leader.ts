/**
 * Leaders Homeport cannot see through a platform object (a Lease): where the stack says its leader
 * lives, and why it is not read yet. Shared by the Kubernetes and Swarm scorecards and the Leaders
 * screen (through the stack list).
 */
import type { StackLeader } from '@shared/deploy-schemas';
import type { ReadinessCheck } from '@shared/readiness-schemas';
import type { LeaderSource } from '../stacks/signals';

type Draft = Pick<ReadinessCheck, 'id' | 'title' | 'category' | 'weight'>;
type TableSource = Exclude<LeaderSource, { kind: 'lease' }>;

/** Why a leader kept in a database table is not read yet. */
const needsExec = (s: TableSource) =>
  `reading it needs running psql in the '${s.component}' container, which comes with exec into containers (not in Homeport yet)`;

/** Where a leader kept in a database table lives, in words. */
const tableWhere = (s: TableSource) =>
  `a row of the table ${s.table} in the database ${s.database} of the component '${s.component}'`;

/** The leader check when the leader lives in a database table: unknown, saying where and why. */
export function leaderNotObservable(d: Draft, source: TableSource, object: string): ReadinessCheck {
  return {
    ...d,
    verdict: 'unknown',
    summary: `The leader of the periodic jobs is ${tableWhere(source)}: ${needsExec(source)}`,
    evidence: [
      {
        object,
        field: `table ${source.table} (database ${source.database}, user ${source.user})`,
        query: source.query,
        value: 'not read',
      },
    ],
    remediation: `Where the leader is elected: ${source.ref}.`,
  };
}

/** What the Leaders screen says about a stack's leader. */
export function describeLeader(source: LeaderSource | undefined): StackLeader | undefined {
  if (!source) return undefined;
  if (source.kind === 'lease') {
    return { kind: 'lease', where: `the Lease ${source.lease} in the stack's namespace`, observable: true };
  }
  return { kind: 'table', where: tableWhere(source), observable: false, why: needsExec(source), ref: source.ref };
}
