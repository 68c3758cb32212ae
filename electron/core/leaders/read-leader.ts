/**
 * Runs the leader query (table-leader.ts) in the database component's container of a deployed
 * stack, on any kind of target, through runInWorkload: a running pod of the component on
 * Kubernetes, a running task of the component's service on Docker Swarm.
 */
import type { Readable } from 'node:stream';
import type { TableLeaderReading } from '@shared/leader-schemas';
import { describeTarget, type Target } from '@shared/target-schemas';
import { errorMessage } from '../errors';
import { collectOutput } from '../exec/collect-output';
import type { Workload, RunInWorkload } from '../exec/command';
import type { PostgresTableLeader } from '../stacks/signals';
import { classifyLeader, psqlArgv, type PsqlOutcome } from './table-leader';

/** What is kept of each output: a leader row is short, an error a few lines. */
const MAX_OUTPUT = 64 * 1024;
const TIMEOUT_MS = 15_000;

/** The container's workload to run in, or why there is none. */
export type WorkloadLookup = (target: Target, stack: string, component: string) => Promise<Workload | string>;

export interface ReadLeaderDeps {
  runInWorkload: RunInWorkload;
  workloadOf: WorkloadLookup;
  timeoutMs?: number;
}

export interface LeaderRead {
  /** Where the query ran (or was to run), in words. */
  workload: string;
  reading: TableLeaderReading;
}

const collect = (stream: Readable) => collectOutput(stream, MAX_OUTPUT);

/** Runs psql in the component's container and reads what it says about the leader. */
export async function readTableLeader(
  deps: ReadLeaderDeps,
  target: Target,
  stack: string,
  source: PostgresTableLeader,
): Promise<LeaderRead> {
  const found = await deps.workloadOf(target, stack, source.component).catch((err: unknown) => errorMessage(err));
  if (typeof found === 'string') {
    return {
      workload: `component ${source.component}`,
      reading: { state: 'unknown', cause: 'exec-failed', message: found },
    };
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), deps.timeoutMs ?? TIMEOUT_MS);
  try {
    const session = deps.runInWorkload(target, {
      workload: found,
      command: psqlArgv(source),
      signal: abort.signal,
    });
    const [stdout, stderr, result, place] = await Promise.all([
      collect(session.stdout),
      collect(session.stderr),
      session.result,
      session.started.catch(() => undefined),
    ]);
    const workload = place?.workload ?? describeWorkloadIn(found, target);
    let outcome: PsqlOutcome;
    if (result.kind === 'exited') outcome = { kind: 'exited', code: result.code, stdout, stderr };
    else if (result.kind === 'signaled') {
      outcome = { kind: 'not-run', message: `psql in ${workload} was killed by ${result.signal}` };
    } else {
      const message =
        result.reason === 'cancelled' && abort.signal.aborted
          ? `psql in ${workload} did not answer within ${(deps.timeoutMs ?? TIMEOUT_MS) / 1000} s`
          : result.message;
      outcome = { kind: 'not-run', message };
    }
    return { workload, reading: classifyLeader(source, outcome) };
  } finally {
    clearTimeout(timer);
  }
}

function describeWorkloadIn(w: Workload, target: Target): string {
  const what = 'pod' in w ? `pod ${w.pod}` : 'task' in w ? `task ${w.task}` : `Service ${w.service}`;
  return `${what} in ${describeTarget(target)}`;
}
