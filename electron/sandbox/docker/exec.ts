/**
 * Commands run inside a container with Docker exec: interactively for the exec subresource
 * (stdin in, stdout/stderr out, a TTY that can be resized, the exit code at the end), and to
 * completion for exec probes.
 */
import { createLogDemuxer } from '../../core/docker/logs';
import type { RuntimeEngine } from './engine';

/** A process started in a container; the same shape whatever carries it to the client. */
export interface ExecProcess {
  /** Output as it comes: 1 stdout, 2 stderr (a TTY has only 1). */
  onOutput(listener: (stream: 1 | 2, data: Buffer) => void): void;
  write(data: Buffer): void;
  /** No more input: the program reads end of file. */
  endInput(): void;
  resize(width: number, height: number): void;
  /** The exit code, once the output has ended. */
  readonly done: Promise<number>;
  /** The client went away: stop relaying (the program is not signalled, as with a real kubelet). */
  abandon(): void;
}

export interface ExecOptions {
  command: string[];
  stdin: boolean;
  tty: boolean;
}

interface ExecInfo {
  Running: boolean;
  ExitCode: number | null;
  /** 0 until the process has started; stays 0 when it never could (no such binary). */
  Pid: number;
}

const inspect = (engine: RuntimeEngine, execId: string) => engine.client.request<ExecInfo>(`/exec/${execId}/json`);

/** A finished exec; the engine marks it stopped a moment after its stream ends. */
async function finished(engine: RuntimeEngine, execId: string): Promise<ExecInfo> {
  for (let i = 0; ; i++) {
    const info = await inspect(engine, execId);
    if (!info.Running || i >= 50) return info;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The process could not be started (no such binary, not executable). The engine writes why into
 * the output stream; a kubelet reports it as an error of the exec itself, not as program output.
 */
export class ExecStartError extends Error {}

export async function startExec(engine: RuntimeEngine, containerId: string, opts: ExecOptions): Promise<ExecProcess> {
  const { Id: execId } = await engine.client.request<{ Id: string }>(`/containers/${containerId}/exec`, {
    method: 'POST',
    body: {
      AttachStdin: opts.stdin,
      AttachStdout: true,
      AttachStderr: true,
      Tty: opts.tty,
      Cmd: opts.command,
    },
  });
  const socket = await engine.hijack(`/exec/${execId}/start`, { Detach: false, Tty: opts.tty });
  const listeners: ((stream: 1 | 2, data: Buffer) => void)[] = [];
  const pending: [1 | 2, Buffer][] = [];
  let size: [number, number] | undefined;
  let started = false;
  const applySize = () => {
    if (!size) return;
    const [w, h] = size;
    void engine.client.request(`/exec/${execId}/resize`, { method: 'POST', query: { w, h } }).catch(() => undefined);
  };
  // Output is held until the engine says the process started: until then it may be the engine's
  // own words about why it could not.
  let confirmed = false;
  const held: [1 | 2, Buffer][] = [];
  const deliver = (stream: 1 | 2, data: Buffer) => {
    if (listeners.length === 0) pending.push([stream, Buffer.from(data)]);
    for (const l of listeners) l(stream, data);
  };
  const emit = (stream: 1 | 2, data: Buffer) => {
    if (confirmed) deliver(stream, data);
    else held.push([stream, Buffer.from(data)]);
  };
  const confirm = () => {
    if (confirmed) return;
    confirmed = true;
    if (opts.tty) applySize();
    for (const [stream, data] of held.splice(0)) deliver(stream, data);
  };
  const demux = createLogDemuxer((stream, payload) => emit(stream === 2 ? 2 : 1, payload));
  socket.on('data', (chunk: Buffer) => (opts.tty ? emit(1, chunk) : demux.push(chunk)));
  let closed = false;
  void (async () => {
    for (let i = 0; i < 100 && !closed && !confirmed; i++) {
      const info = await inspect(engine, execId).catch(() => undefined);
      // Running is set before the engine tries to start the process; only a pid says it did.
      if (info && info.Pid > 0) return confirm();
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!closed) confirm();
  })();
  const done = new Promise<number>((resolve, reject) => {
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finished(engine, execId).then((info) => {
        if (!confirmed && info.Pid === 0 && info.ExitCode !== 0) {
          const words = Buffer.concat(held.map(([, d]) => d))
            .toString('utf8')
            .trim();
          return reject(new ExecStartError(`failed to exec in container: failed to start exec "${execId}": ${words}`));
        }
        confirm();
        resolve(info.ExitCode ?? 0);
      }, reject);
    });
  });
  // The engine resizes only a started process: the first size waits for the stream to open.
  setImmediate(() => {
    started = true;
    applySize();
  });
  return {
    onOutput(listener) {
      listeners.push(listener);
      for (const [stream, data] of pending.splice(0)) listener(stream, data);
    },
    write: (data) => void (socket.writable && socket.write(data)),
    endInput: () => void (socket.writable && socket.end()),
    resize(width, height) {
      size = [width, height];
      if (started && opts.tty) applySize();
    },
    done,
    abandon: () => socket.destroy(),
  };
}

/** Runs a command to completion (exec probes): its exit code and output, or no code after `timeoutMs`. */
export async function runExec(
  engine: RuntimeEngine,
  containerId: string,
  command: string[],
  timeoutMs: number,
): Promise<{ exitCode: number | undefined; output: string }> {
  const proc = await startExec(engine, containerId, { command, stdin: false, tty: false });
  const chunks: Buffer[] = [];
  proc.onOutput((_s, data) => chunks.push(data));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      proc.abandon();
      resolve(undefined);
    }, timeoutMs);
  });
  const exitCode = await Promise.race([proc.done, timedOut]);
  clearTimeout(timer);
  return { exitCode, output: Buffer.concat(chunks).toString('utf8').slice(0, 10_240) };
}
