/**
 * The streams of a command session, shared by every implementation: output streams that pause
 * their source (a WebSocket, a hijacked socket) while a consumer is behind, an input stream that
 * holds writes until the command runs and passes the sink's backpressure on, and the result.
 */
import { constants } from 'node:os';
import { Readable, Writable } from 'node:stream';
import type { CommandPlace, CommandResult, CommandSession, TerminalSize } from './command';

/** Where input goes once the command runs; callbacks fire when the connection took the bytes. */
export interface InputSink {
  write(chunk: Buffer, done: (err?: Error | null) => void): void;
  /** The input has ended: tell the command, if the target can. */
  end(done: (err?: Error | null) => void): void;
}

/** What the output streams pull from. */
export interface OutputSource {
  pause(): void;
  resume(): void;
}

const HIGH_WATER_MARK = 64 * 1024;

class OutputStream extends Readable {
  constructor(private readonly wanted: (s: OutputStream) => void) {
    super({ highWaterMark: HIGH_WATER_MARK });
  }
  override _read() {
    this.wanted(this);
  }
}

class InputStream extends Writable {
  private sink: InputSink | undefined;
  private discarding = false;
  /** The one write or final Writable lets wait at a time, until the sink is there. */
  private pending: (() => void) | undefined;

  constructor() {
    super({ highWaterMark: HIGH_WATER_MARK });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void) {
    if (this.discarding) return done();
    if (!this.sink) {
      this.pending = () => this._write(chunk, _enc, done);
      return;
    }
    this.sink.write(chunk, done);
  }

  override _final(done: (err?: Error | null) => void) {
    if (this.discarding) return done();
    if (!this.sink) {
      this.pending = () => this._final(done);
      return;
    }
    this.sink.end(done);
  }

  attach(sink: InputSink) {
    this.sink = sink;
    this.flushPending();
  }

  /** The command has ended (or never ran): input from now on goes nowhere, without an error. */
  discard() {
    this.discarding = true;
    this.flushPending();
  }

  private flushPending() {
    const next = this.pending;
    this.pending = undefined;
    next?.();
  }
}

/** 128 + N means killed by signal N, by the convention both runtimes follow. */
export function resultOfExitCode(code: number): CommandResult {
  if (code > 128 && code < 128 + 65) {
    const name = Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0];
    if (name) return { kind: 'signaled', signal: name, code };
  }
  return { kind: 'exited', code };
}

/**
 * The plumbing of one session. An implementation connects, calls `begin` with where the command
 * runs, `attachInput` and `setSource`, pushes output with `out`/`err`, and calls `finish` once.
 */
export function createSessionPlumbing(opts: { stdin: boolean; tty?: TerminalSize }) {
  let source: OutputSource | undefined;
  let sourcePaused = false;
  const full = new Set<OutputStream>();
  const wanted = (s: OutputStream) => {
    if (full.delete(s) && full.size === 0 && sourcePaused) {
      sourcePaused = false;
      source?.resume();
    }
  };
  const stdout = new OutputStream(wanted);
  const stderr = new OutputStream(wanted);
  const stdin = opts.stdin ? new InputStream() : undefined;
  let resizeTo: ((size: TerminalSize) => void) | undefined;
  let lastSize: TerminalSize | undefined = opts.tty;
  let finished = false;

  let markStarted: (place: CommandPlace | undefined) => void = () => {};
  const started = new Promise<CommandPlace | undefined>((r) => (markStarted = r));
  let settle: (result: CommandResult) => void = () => {};
  const result = new Promise<CommandResult>((r) => (settle = r));

  const push = (s: OutputStream, chunk: Buffer) => {
    // A consumer that went away (a closed pipe) takes nothing more; the command still runs to its end.
    if (s.destroyed || finished || chunk.length === 0) return;
    if (!s.push(chunk)) {
      full.add(s);
      if (!sourcePaused) {
        sourcePaused = true;
        source?.pause();
      }
    }
  };
  const onGone = (s: OutputStream) => () => wanted(s);
  stdout.on('close', onGone(stdout));
  stderr.on('close', onGone(stderr));

  const session: CommandSession = {
    stdin,
    stdout,
    stderr,
    resize(size) {
      lastSize = size;
      resizeTo?.(size);
    },
    started,
    result,
  };

  return {
    session,
    get finished() {
      return finished;
    },
    begin(place: CommandPlace) {
      markStarted(place);
    },
    setSource(s: OutputSource) {
      source = s;
      if (sourcePaused) s.pause();
    },
    attachInput(sink: InputSink) {
      stdin?.attach(sink);
    },
    /** Where resizes go once the terminal exists; the size asked for last (or at first) is sent at once. */
    onResize(fn: (size: TerminalSize) => void) {
      resizeTo = fn;
      if (lastSize) fn(lastSize);
    },
    out: (chunk: Buffer) => push(stdout, chunk),
    err: (chunk: Buffer) => push(stderr, chunk),
    finish(r: CommandResult) {
      if (finished) return;
      finished = true;
      markStarted(undefined);
      stdin?.discard();
      stdout.push(null);
      stderr.push(null);
      settle(r);
    },
  };
}

export type SessionPlumbing = ReturnType<typeof createSessionPlumbing>;
