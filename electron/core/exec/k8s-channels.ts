/**
 * The API server's remote command protocol over a WebSocket (`v5.channel.k8s.io`, else
 * `v4.channel.k8s.io`): every binary message starts with its channel byte — 0 stdin, 1 stdout,
 * 2 stderr, 3 the exit status as a metav1.Status, 4 terminal size as {"Width","Height"}; v5 adds
 * 255 + channel to close one stream (stdin's half-close, so `cat` sees its end of input).
 */
import type WebSocket from 'ws';
import type { CommandFailure, CommandResult } from './command';
import { resultOfExitCode, type SessionPlumbing } from './session';

export const PROTOCOL_V5 = 'v5.channel.k8s.io';
export const PROTOCOL_V4 = 'v4.channel.k8s.io';
export const EXEC_PROTOCOLS = [PROTOCOL_V5, PROTOCOL_V4];

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

/** Input goes out in messages of at most this size (golang.org/x/net/websocket refuses above 32 MiB). */
const MAX_INPUT_MESSAGE = 256 * 1024;
/** A heartbeat like client-go's: a ping every 5 s, the connection declared dead after a minute without a pong. */
const PING_MS = 5_000;
const DEAD_AFTER_MS = 61_000;

/** The exec subresource's query, in the order kubectl sends it (keys sorted, false flags left out). */
export function execQuery(p: { command: readonly string[]; container: string; stdin: boolean; tty: boolean }): string {
  const q = new URLSearchParams();
  for (const arg of p.command) q.append('command', arg);
  q.append('container', p.container);
  if (!p.tty) q.append('stderr', 'true');
  if (p.stdin) q.append('stdin', 'true');
  q.append('stdout', 'true');
  if (p.tty) q.append('tty', 'true');
  return q.toString();
}

interface Status {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/** Which failure a runtime's words describe (containerd, CRI-O and Docker word them alike). */
export function classifyRuntimeMessage(message: string): CommandFailure {
  if (/executable file not found|no such file or directory|not found in \$PATH/i.test(message)) return 'no-executable';
  if (/permission denied/i.test(message)) return 'permission-denied';
  if (/container not found|no such container|not running/i.test(message)) return 'not-running';
  return 'runtime';
}

/** The command's end as the status on channel 3 says it; `where` names the pod and container. */
export function resultOfStatus(text: string, where: string): CommandResult {
  let status: Status;
  try {
    status = JSON.parse(text) as Status;
  } catch {
    return { kind: 'failed', reason: 'runtime', message: `${where}: the API server sent an unreadable status` };
  }
  if (status.status === 'Success') return { kind: 'exited', code: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return resultOfExitCode(code);
  }
  const message = status.message || 'the command could not run';
  return { kind: 'failed', reason: classifyRuntimeMessage(message), message: `${where}: ${message}` };
}

const frame = (channel: number, payload: Buffer | string) =>
  Buffer.concat([Buffer.of(channel), typeof payload === 'string' ? Buffer.from(payload) : payload]);

/**
 * Runs the session over an open WebSocket until the server closes it (a socket paused when it
 * opened is resumed once listened to): output to the plumbing with
 * the socket paused while a consumer is behind, input in bounded messages as fast as the socket
 * takes them, the exit status from channel 3, and a heartbeat that notices a dead connection.
 */
export function runOverWebSocket(
  ws: WebSocket,
  plumbing: SessionPlumbing,
  opts: { tty: boolean; where: string; signal?: AbortSignal },
): void {
  const v5 = ws.protocol === PROTOCOL_V5;
  const statusParts: Buffer[] = [];
  let failure: Error | undefined;
  let paused = false;
  let lastPong = Date.now();

  plumbing.setSource({
    pause: () => {
      paused = true;
      ws.pause();
    },
    resume: () => {
      paused = false;
      // Pongs wait behind a paused socket: the time paused does not count against the connection.
      lastPong = Date.now();
      ws.resume();
    },
  });

  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    const payload = data.subarray(1);
    switch (data[0]) {
      case STDOUT:
        return plumbing.out(payload);
      case STDERR:
        return plumbing.err(payload);
      case ERROR:
        statusParts.push(Buffer.from(payload));
    }
  });
  ws.on('pong', () => (lastPong = Date.now()));
  ws.on('error', (err) => (failure ??= err));

  const heartbeat = setInterval(() => {
    if (!paused && Date.now() - lastPong > DEAD_AFTER_MS) {
      failure ??= new Error(`no answer to a heartbeat for ${Math.round(DEAD_AFTER_MS / 1000)} s`);
      ws.terminate();
      return;
    }
    if (ws.readyState === ws.OPEN) ws.ping();
  }, PING_MS);
  heartbeat.unref();

  const send = (data: Buffer, done: (err?: Error | null) => void) => {
    if (ws.readyState !== ws.OPEN) return done();
    ws.send(data, (err) => done(err && plumbing.finished ? null : err));
  };
  plumbing.attachInput({
    write(chunk, done) {
      let offset = 0;
      const next = (err?: Error | null) => {
        if (err || offset >= chunk.length) return done(err);
        const part = chunk.subarray(offset, offset + MAX_INPUT_MESSAGE);
        offset += part.length;
        send(frame(STDIN, part), next);
      };
      next();
    },
    // v4 has no way to close one stream: the command keeps its input open until it ends.
    end: (done) => (v5 ? send(Buffer.of(CLOSE, STDIN), done) : done()),
  });
  if (opts.tty) {
    plumbing.onResize(({ cols, rows }) => {
      if (ws.readyState === ws.OPEN) ws.send(frame(RESIZE, JSON.stringify({ Width: cols, Height: rows })));
    });
  }

  const onAbort = () => {
    plumbing.finish({ kind: 'failed', reason: 'cancelled', message: `${opts.where}: the command was cancelled` });
    ws.terminate();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  ws.on('close', (code: number) => {
    clearInterval(heartbeat);
    opts.signal?.removeEventListener('abort', onAbort);
    if (statusParts.length > 0) {
      plumbing.finish(resultOfStatus(Buffer.concat(statusParts).toString('utf8'), opts.where));
      return;
    }
    const why = failure ? failure.message : `the server closed it (WebSocket code ${code})`;
    plumbing.finish({
      kind: 'failed',
      reason: 'connection-lost',
      message: `${opts.where}: the connection was lost before the command's exit status arrived (${why}); whether it finished is unknown`,
    });
  });
  // The caller may have paused the socket when it opened so nothing came before these listeners.
  if (!paused && ws.isPaused) ws.resume();
}
