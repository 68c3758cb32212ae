/**
 * Running a command in a workload: a pod's container on Kubernetes, a task's container on Docker
 * Swarm. One interface, implemented once per kind of target (kubernetes-exec.ts, swarm-exec.ts),
 * so the CLI, the terminal and later backup and leader reading run commands the same way anywhere.
 *
 * A command is an argument array, never a shell string. Its input and output are Node streams that
 * respect backpressure end to end: output is read from the connection only as fast as the
 * consumer takes it, and input is sent only as fast as the connection takes it, so any amount of
 * data passes in constant memory. Consume stdout AND stderr (as with a child process): a full
 * stream that nobody reads holds the other one back.
 */
import type { Readable, Writable } from 'node:stream';
import type { Target, TargetKind } from '@shared/target-schemas';
import { describeTarget } from '@shared/target-schemas';

/** Which workload the command runs in; Swarm picks a running task of a service. */
export type Workload = { pod: string } | { task: string } | { service: string };

export interface TerminalSize {
  cols: number;
  rows: number;
}

export interface CommandRequest {
  workload: Workload;
  /** The container of a pod; by default the pod's default container, as kubectl picks it. */
  container?: string;
  /** argv: the program and its arguments. */
  command: readonly string[];
  /** A terminal of this size: output comes as one stream (stdout), input is the terminal's keys. */
  tty?: TerminalSize;
  /** Attach stdin (session.stdin); ending it closes the command's input where the target can say so. */
  stdin?: boolean;
  signal?: AbortSignal;
}

/** How a command ended. */
export type CommandResult =
  | { kind: 'exited'; code: number }
  /**
   * Killed by a signal. Neither the API server nor the engine says so directly: both report
   * 128 + N, which by the shell's convention (and runc's) is death by signal N; code keeps it.
   */
  | { kind: 'signaled'; signal: string; code: number }
  /** The command could not run, or the connection to it was lost; message names what and why. */
  | { kind: 'failed'; reason: CommandFailure; message: string };

export type CommandFailure =
  /** No such pod, task, service or container. */
  | 'not-found'
  /** It exists but does not run (a completed pod, a waiting container, a task that is not running). */
  | 'not-running'
  /** A Swarm task on another node than the endpoint's: only that node's engine can run commands in it. */
  | 'other-node'
  /** The program is not in the container (no such executable, no shell). */
  | 'no-executable'
  /** The cluster or engine refuses (RBAC on pods/exec, the socket), or the file is not executable. */
  | 'permission-denied'
  /** The server or engine cannot be reached, or refused the credentials. */
  | 'unreachable'
  /** The connection dropped while the command ran: its outcome is unknown. */
  | 'connection-lost'
  /** The request itself cannot be run (an empty command, a container on a Swarm task). */
  | 'invalid'
  | 'cancelled'
  /** The runtime refused for another reason; message has its words. */
  | 'runtime';

/** Where a session's command runs, once known. */
export interface CommandPlace {
  /** "pod web-0 in namespace media", "task 0abc… of service media_web". */
  workload: string;
  container: string;
  /** The container was chosen for the user (kubectl says "Defaulted container"); the ones there were. */
  defaulted?: { from: string[] };
}

export interface CommandSession {
  /** Present when the request asked for stdin; writes wait until the command runs. */
  readonly stdin: Writable | undefined;
  readonly stdout: Readable;
  /** Empty with a terminal (the terminal has one output). */
  readonly stderr: Readable;
  /** Resizes the terminal; ignored without one. */
  resize(size: TerminalSize): void;
  /** Where the command runs, once it started; undefined when it never did. */
  readonly started: Promise<CommandPlace | undefined>;
  /** Settles once the command has ended and both outputs have been handed to their streams. */
  readonly result: Promise<CommandResult>;
}

/** Commands in the workloads of one target. */
export interface WorkloadCommands {
  run(request: CommandRequest): CommandSession;
}

/** How each kind of target runs commands; tsc requires an entry for every member of Target. */
export type CommandFactories = {
  [K in TargetKind]: (target: Extract<Target, { kind: K }>) => WorkloadCommands;
};

/** `runInWorkload(target, request)` over the implementation for the target's kind. */
export function createRunInWorkload(factories: CommandFactories) {
  return function runInWorkload(target: Target, request: CommandRequest): CommandSession {
    const factory = factories[target.kind] as ((t: Target) => WorkloadCommands) | undefined;
    if (!factory) throw new Error(`Homeport cannot run commands on ${describeTarget(target)}`);
    return factory(target).run(request);
  };
}

export type RunInWorkload = ReturnType<typeof createRunInWorkload>;

/** The workload in the user's words. */
export function describeWorkload(w: Workload): string {
  if ('pod' in w) return `pod ${w.pod}`;
  if ('task' in w) return `task ${w.task}`;
  return `service ${w.service}`;
}
