/**
 * The pods/{name}/exec subresource over WebSocket, as the API server serves it to kubectl 1.30
 * and later (k8s.io/apimachinery remotecommand): channel 0 stdin, 1 stdout, 2 stderr, 3 the
 * result as a metav1.Status, 4 terminal resizes ({"Width","Height"}), and in `v5.channel.k8s.io`
 * 255 for "the client closed this stream" (so stdin can reach end of file).
 */
import type { WebSocket } from 'ws';
import type { ExecProcess } from '../docker/exec';
import { createChannelCodec } from './channels';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];

const STDIN = 0;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

/** The Status kubectl reads on channel 3: success, or the exit code as an ExitCode cause. */
export function execStatus(command: string[], exitCode: number) {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/**
 * A failure before the command ran (no such binary, the engine refused the exec): Status on
 * channel 3 in the kubelet's words (kubectl prints the message), then close.
 */
export function execFailure(ws: WebSocket, protocol: string, why: string) {
  const codec = createChannelCodec(protocol);
  const message = `Internal error occurred: error executing command in container: ${why}`;
  const status = {
    metadata: {},
    status: 'Failure',
    message,
    reason: 'InternalError',
    details: { causes: [{ message: `error executing command in container: ${why}` }] },
    code: 500,
  };
  ws.send(...codec.encode(ERROR, Buffer.from(JSON.stringify(status))));
  ws.close(1000);
}

/**
 * Relays one exec between the WebSocket and the process until the process exits or the client
 * goes. The client may send stdin (and a terminal size) before the engine has started the
 * process: what arrives early is held and delivered in order.
 */
export function relayExec(ws: WebSocket, protocol: string, starting: Promise<ExecProcess>, command: string[]) {
  const codec = createChannelCodec(protocol);
  const v5 = protocol.startsWith('v5.');
  let proc: ExecProcess | undefined;
  const early: { channel: number; data: Buffer }[] = [];
  const deliver = (p: ExecProcess, frame: { channel: number; data: Buffer }) => {
    if (frame.channel === STDIN) p.write(frame.data);
    else if (frame.channel === RESIZE) {
      try {
        const size = JSON.parse(frame.data.toString('utf8')) as { Width?: number; Height?: number };
        if (size.Width && size.Height) p.resize(size.Width, size.Height);
      } catch {
        // A malformed size changes nothing, as with the kubelet.
      }
    } else if (v5 && frame.channel === CLOSE && frame.data[0] === STDIN) p.endInput();
  };
  ws.on('message', (message: Buffer, isBinary: boolean) => {
    const frame = codec.decode(message, isBinary);
    if (!frame) return;
    if (proc) deliver(proc, frame);
    else early.push({ channel: frame.channel, data: Buffer.from(frame.data) });
  });
  let gone = false;
  ws.on('close', () => {
    gone = true;
    proc?.abandon();
  });
  starting.then(
    (p) => {
      if (gone) return p.abandon();
      proc = p;
      for (const frame of early.splice(0)) deliver(p, frame);
      p.onOutput((stream, data) => {
        if (ws.readyState === ws.OPEN) ws.send(...codec.encode(stream, data));
      });
      p.done.then(
        (code) => {
          if (ws.readyState !== ws.OPEN) return;
          ws.send(...codec.encode(ERROR, Buffer.from(JSON.stringify(execStatus(command, code)))));
          ws.close(1000);
        },
        (err: Error) => ws.readyState === ws.OPEN && execFailure(ws, protocol, err.message),
      );
    },
    (err: Error) => ws.readyState === ws.OPEN && execFailure(ws, protocol, err.message),
  );
}
