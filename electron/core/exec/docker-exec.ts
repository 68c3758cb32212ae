/**
 * A command in a container through the Docker Engine API, as `docker exec` runs it: create the exec
 * (POST /containers/{id}/exec), start it on a hijacked connection (POST /exec/{id}/start with
 * Upgrade: tcp), resize its terminal (POST /exec/{id}/resize), and read its exit code
 * (GET /exec/{id}/json) once the stream ends. Without a terminal the engine frames stdout and
 * stderr with 8-byte headers; with one the bytes are raw. Works over any transport the client has
 * (unix socket, TCP with TLS, SSH).
 */
import type { Duplex } from 'node:stream';
import { errorMessage } from '../errors';
import { DockerRequestError, type DockerClient } from '../docker/client';
import { createLogDemuxer } from '../docker/logs';
import type { CommandFailure, TerminalSize } from './command';
import { classifyRuntimeMessage } from './k8s-channels';
import { resultOfExitCode, type SessionPlumbing } from './session';

export interface ContainerCommand {
  containerId: string;
  command: readonly string[];
  stdin: boolean;
  tty?: TerminalSize;
  signal?: AbortSignal;
  /** The task and container in the user's words, for every message. */
  where: string;
}

/** A failure before the command ran. */
export class ExecNotRun extends Error {
  constructor(
    readonly reason: CommandFailure,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How the engine says an exec could not start: it writes its error into the stream (on stdout)
 * and sets exit code 126 (cannot run) or 127 (not found). Such a first chunk is held back until
 * the exit code says whether it was the engine's or the program's own output.
 */
const ENGINE_START_ERROR = /^(OCI runtime exec failed|[^\n]*exec failed: )/;
const START_FAILURE_CODES = new Set([126, 127]);

/** How long the engine may take to record the exit code after the stream ended. */
const EXIT_CODE_WAIT_MS = 5_000;

function refusal(err: unknown, where: string): ExecNotRun {
  if (err instanceof DockerRequestError && err.status !== undefined) {
    const words = err.message;
    if (err.status === 404) return new ExecNotRun('not-found', `${where}: the container no longer exists (${words})`);
    if (err.status === 409) return new ExecNotRun('not-running', `${where}: ${words}`);
    if (err.status === 401 || err.status === 403) return new ExecNotRun('permission-denied', `${where}: ${words}`);
    return new ExecNotRun('runtime', `${where}: ${words}`);
  }
  if (err instanceof DockerRequestError && err.reason === 'auth') {
    return new ExecNotRun('permission-denied', `${where}: ${err.message}`);
  }
  return new ExecNotRun('unreachable', `${where}: ${errorMessage(err)}`);
}

interface ExecInspect {
  Running?: boolean;
  ExitCode?: number | null;
}

async function exitCodeOf(client: DockerClient, execId: string): Promise<number | undefined> {
  const deadline = Date.now() + EXIT_CODE_WAIT_MS;
  for (;;) {
    const info = await client.request<ExecInspect>(`/exec/${execId}/json`, { timeoutMs: 5_000 });
    if (!info.Running && typeof info.ExitCode === 'number') return info.ExitCode;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the command; the session ends through `plumbing.finish`. Rejects with ExecNotRun before it runs. */
export async function execInContainer(
  client: DockerClient,
  cmd: ContainerCommand,
  plumbing: SessionPlumbing,
  onStarted: () => void,
): Promise<void> {
  if (!client.upgrade) throw new ExecNotRun('runtime', `${cmd.where}: this Docker client cannot hijack connections`);
  const tty = cmd.tty !== undefined;
  let execId: string;
  let upgraded: Awaited<ReturnType<NonNullable<DockerClient['upgrade']>>>;
  try {
    ({ Id: execId } = await client.request<{ Id: string }>(`/containers/${encodeURIComponent(cmd.containerId)}/exec`, {
      method: 'POST',
      body: {
        AttachStdin: cmd.stdin,
        AttachStdout: true,
        AttachStderr: true,
        Tty: tty,
        Cmd: cmd.command,
        // Engines from API 1.42 size the terminal before the command starts; older ones ignore
        // it, and the command may see 0x0 until the resize after start lands (as with docker exec).
        ...(cmd.tty ? { ConsoleSize: [cmd.tty.rows, cmd.tty.cols] } : {}),
      },
      signal: cmd.signal,
    }));
    upgraded = await client.upgrade(`/exec/${execId}/start`, {
      method: 'POST',
      body: { Detach: false, Tty: tty },
      signal: cmd.signal,
    });
  } catch (err) {
    if (cmd.signal?.aborted) throw new ExecNotRun('cancelled', `${cmd.where}: the command was cancelled`);
    throw refusal(err, cmd.where);
  }
  onStarted();
  // Framed exactly when there is no terminal, as the docker CLI reads it (older engines name both raw-stream).
  runOverSocket(client, execId, upgraded.socket, upgraded.head, !tty, cmd, plumbing);
}

function runOverSocket(
  client: DockerClient,
  execId: string,
  socket: Duplex,
  head: Buffer,
  multiplexed: boolean,
  cmd: ContainerCommand,
  plumbing: SessionPlumbing,
) {
  let firstOut = true;
  let heldBack: Buffer | undefined;
  const out = (chunk: Buffer) => {
    if (firstOut) {
      firstOut = false;
      if (ENGINE_START_ERROR.test(chunk.subarray(0, 512).toString('utf8'))) {
        heldBack = Buffer.from(chunk);
        return;
      }
    }
    if (heldBack) {
      plumbing.out(heldBack);
      heldBack = undefined;
    }
    plumbing.out(chunk);
  };
  const demux = createLogDemuxer((stream, payload) => (stream === 2 ? plumbing.err(payload) : out(payload)));
  const take = (chunk: Buffer) => (multiplexed ? demux.push(chunk) : out(chunk));

  plumbing.setSource({ pause: () => socket.pause(), resume: () => socket.resume() });
  plumbing.attachInput({
    write: (chunk, done) => {
      if (socket.destroyed || !socket.writable) return done();
      socket.write(chunk, (err) => done(err && plumbing.finished ? null : err));
    },
    end: (done) => {
      // Half-close: the command reads its end of input, its output keeps coming.
      if (!socket.destroyed && socket.writable) socket.end();
      done();
    },
  });
  if (cmd.tty) {
    plumbing.onResize(({ cols, rows }) => {
      void client
        .request(`/exec/${execId}/resize`, { method: 'POST', query: { h: rows, w: cols } })
        .catch(() => undefined);
    });
  }

  let ended = false;
  let failure: Error | undefined;
  let settled = false;
  const onAbort = () => {
    plumbing.finish({ kind: 'failed', reason: 'cancelled', message: `${cmd.where}: the command was cancelled` });
    socket.destroy();
  };
  cmd.signal?.addEventListener('abort', onAbort, { once: true });
  const settle = () => {
    if (settled) return;
    settled = true;
    cmd.signal?.removeEventListener('abort', onAbort);
    if (plumbing.finished) return;
    void finishWithExitCode(client, execId, cmd.where, plumbing, {
      lost: !ended ? (failure?.message ?? 'the engine closed the connection') : undefined,
      heldBack: () => heldBack,
      release: () => {
        if (heldBack) plumbing.out(heldBack);
        heldBack = undefined;
      },
    }).finally(() => socket.destroy());
  };
  socket.on('data', take);
  socket.on('end', () => {
    // The output is complete, so the command is done with this connection: close our side too, as
    // the docker CLI does. A transport that keeps half-open streams (an SSH channel) would
    // otherwise wait for an input end that a command without stdin never sends.
    ended = true;
    if (!socket.destroyed && socket.writable) socket.end();
    settle();
  });
  socket.on('error', (err) => (failure ??= err));
  socket.on('close', settle);
  if (head.length > 0) take(head);
}

async function finishWithExitCode(
  client: DockerClient,
  execId: string,
  where: string,
  plumbing: SessionPlumbing,
  state: { lost: string | undefined; heldBack: () => Buffer | undefined; release: () => void },
) {
  let code: number | undefined;
  let why = state.lost;
  // Output that was cut off cannot end well, whatever the command did afterwards.
  if (why === undefined) {
    try {
      code = await exitCodeOf(client, execId);
    } catch (err) {
      why = errorMessage(err);
    }
  }
  if (code === undefined) {
    state.release();
    plumbing.finish({
      kind: 'failed',
      reason: 'connection-lost',
      message: `${where}: the connection was lost before the command's exit code was known (${why ?? 'the engine never recorded one'}); whether it finished is unknown`,
    });
    return;
  }
  const engineWords = state.heldBack();
  if (engineWords && START_FAILURE_CODES.has(code)) {
    const message = engineWords.toString('utf8').trim();
    const reason = classifyRuntimeMessage(message);
    plumbing.finish({
      kind: 'failed',
      reason: reason === 'runtime' ? (code === 127 ? 'no-executable' : 'permission-denied') : reason,
      message: `${where}: ${message}`,
    });
    return;
  }
  state.release();
  plumbing.finish(resultOfExitCode(code));
}
