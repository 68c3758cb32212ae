/**
 * Terminal sessions for the window: a command with a terminal in a workload, its output pushed as
 * events, its input, size and end driven by the session id. Each session belongs to the connection
 * (a web-mode WebSocket, an Electron window) whose subscription started it, ends when that
 * subscription ends, and a connection holds a bounded number of them.
 *
 * Flow control is end to end: the terminal acknowledges the output it has drawn, and once more than
 * a window of it is unacknowledged the session stops reading the command's output, which pauses
 * the command's stream back to the container (see session.ts). The transports never queue more
 * than a window per session, whatever the command prints.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { EXEC_OUTPUT_WINDOW, type ExecEvent, type TerminalSizeInput } from '@shared/exec-schemas';
import type { Target } from '@shared/target-schemas';
import { HomeportError } from '../errors';
import type { CommandResult, RunInWorkload, Workload } from './command';

export interface TerminalRequest {
  target: Target;
  workload: Workload;
  container?: string;
  command: readonly string[];
  size: TerminalSizeInput;
}

export interface TerminalSessionLimits {
  /** Sessions one connection may hold at once. */
  perConnection: number;
  /** Unacknowledged output bytes past which a session stops reading its command. */
  window: number;
  /** Input bytes queued for a command that does not read them, past which more input is refused. */
  maxQueuedInput: number;
  /** How long a closing session's command has to end on Ctrl+C, Ctrl+D before its connection is cut. */
  closeGraceMs: number;
}

export const DEFAULT_TERMINAL_LIMITS: TerminalSessionLimits = {
  perConnection: 8,
  window: EXEC_OUTPUT_WINDOW,
  maxQueuedInput: 1024 * 1024,
  closeGraceMs: 2000,
};

const CTRL_C = '\x03';
const CTRL_D = '\x04';
/** Time for the interrupt to reach the shell before the end of input: an interrupt discards input queued behind it. */
const INTERRUPT_SETTLE_MS = 150;

interface Live {
  connection: string;
  hangUp(): void;
  stdin: NonNullable<ReturnType<RunInWorkload>['stdin']>;
  resize(size: TerminalSizeInput): void;
  ack(bytes: number): void;
  ended: boolean;
}

const gone = () =>
  new HomeportError(
    'NOT_FOUND',
    'This terminal session has ended (or its window closed); open a new shell to run commands again',
  );

export function createTerminalSessions(
  deps: { runInWorkload: RunInWorkload },
  limits: Partial<TerminalSessionLimits> = {},
) {
  const { perConnection, window, maxQueuedInput, closeGraceMs } = { ...DEFAULT_TERMINAL_LIMITS, ...limits };
  const sessions = new Map<string, Live>();

  const find = (id: string): Live => {
    const live = sessions.get(id);
    if (!live || live.ended) throw gone();
    return live;
  };

  /** Starts the command; emits the session id first, then output, then how it ended. Returns stop. */
  function open(request: TerminalRequest, connection: string, emit: (event: ExecEvent) => void): () => void {
    const held = [...sessions.values()].filter((s) => s.connection === connection).length;
    if (held >= perConnection) {
      throw new HomeportError(
        'UNAVAILABLE',
        `This window already has ${perConnection} terminal sessions open, the most one window may hold; close one first`,
      );
    }
    const id = randomUUID();
    const abort = new AbortController();
    const command = deps.runInWorkload(request.target, {
      workload: request.workload,
      ...(request.container ? { container: request.container } : {}),
      command: request.command,
      tty: request.size,
      stdin: true,
      signal: abort.signal,
    });
    // A request with stdin always gets an input stream; its errors end with the session's result.
    const stdin = command.stdin!;
    stdin.on('error', () => {});
    let stopped = false;
    let unacked = 0;
    const outputs = [command.stdout, command.stderr];
    const paused = () => unacked >= window;
    const forward = (stream: Readable) =>
      new Promise<void>((resolve) => {
        stream.on('data', (chunk: Buffer) => {
          if (stopped) return;
          unacked += chunk.length;
          emit({ type: 'output', base64: chunk.toString('base64') });
          if (paused()) stream.pause();
        });
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', () => resolve());
      });
    let commandDone = false;
    void command.result.then(() => (commandDone = true));
    let hangingUp = false;
    /**
     * Leaves the terminal as a user would: interrupt what runs, then end the input (which ends a
     * shell at its prompt); a command that outlives both is cut off after the grace period. Just
     * closing the connection is not enough: neither the Docker Engine nor the Kubernetes API signals
     * an exec'd process when its client goes away, so the shell would live on in the container.
     */
    const hangUp = () => {
      if (hangingUp || commandDone) return;
      hangingUp = true;
      const cut = setTimeout(() => abort.abort(), closeGraceMs);
      void command.result.then(() => clearTimeout(cut));
      stdin.write(CTRL_C);
      setTimeout(() => {
        if (!commandDone) stdin.write(CTRL_D);
      }, INTERRUPT_SETTLE_MS);
    };
    const live: Live = {
      connection,
      hangUp,
      stdin,
      resize: (size) => command.resize(size),
      ack(bytes) {
        unacked = Math.max(0, unacked - bytes);
        if (!paused()) for (const s of outputs) if (s.isPaused()) s.resume();
      },
      ended: false,
    };
    sessions.set(id, live);
    emit({ type: 'session', session: id });

    void command.started.then((place) => {
      if (place && !stopped) emit({ type: 'started', ...place });
    });
    const end = (result: CommandResult) => {
      live.ended = true;
      // An ended session no longer counts against the window's limit, though its view stays open.
      sessions.delete(id);
      if (!stopped) emit({ type: 'ended', result });
    };
    // Output first, then the end: the terminal shows everything the command printed before it says why it stopped.
    void Promise.all([command.result, ...outputs.map(forward)]).then(([result]) => end(result));

    return () => {
      if (stopped) return;
      stopped = true;
      live.ended = true;
      sessions.delete(id);
      // Nobody reads the output any more: let it drain (dropped) so the command can take its end.
      unacked = 0;
      for (const s of outputs) s.resume();
      hangUp();
      void command.result.then(() => {
        for (const s of outputs) s.destroy();
        stdin.destroy();
      });
    };
  }

  return {
    open,

    /** Types into the session; resolves once the command's connection has taken the bytes. */
    async input(id: string, data: Buffer): Promise<void> {
      const live = find(id);
      if (live.stdin.writableLength + data.length > maxQueuedInput) {
        throw new HomeportError(
          'UNAVAILABLE',
          'The command is not reading its input; wait for it, or close the session',
        );
      }
      if (live.stdin.write(data)) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          live.stdin.off('drain', done);
          live.stdin.off('close', done);
          resolve();
        };
        live.stdin.on('drain', done);
        live.stdin.on('close', done);
      });
    },

    resize(id: string, size: TerminalSizeInput): void {
      find(id).resize(size);
    },

    /** The terminal has drawn this much more output. */
    ack(id: string, bytes: number): void {
      // Acknowledgements that cross a session's end are expected; they change nothing.
      sessions.get(id)?.ack(bytes);
    },

    /** Ends the command as a user leaving the terminal would (see hangUp); the session's last event says how it ended. */
    close(id: string): void {
      find(id).hangUp();
    },

    /** Sessions open now, per connection (for tests and diagnostics). */
    count(connection?: string): number {
      return [...sessions.values()].filter((s) => connection === undefined || s.connection === connection).length;
    },
  };
}

export type TerminalSessions = ReturnType<typeof createTerminalSessions>;
