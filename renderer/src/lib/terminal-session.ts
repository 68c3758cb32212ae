/**
 * The renderer's side of a terminal session (see shared/exec-schemas.ts): one subscription that
 * runs the command, input sent in order (one call at a time, what was typed meanwhile coalesced
 * into the next), the latest size, and acknowledgements of the output once the terminal drew it.
 */
import {
  EXEC_ACK_STEP,
  EXEC_INPUT_MAX,
  EXEC_OUTPUT_WINDOW,
  type ExecEvent,
  type ExecStart,
} from '@shared/exec-schemas';
import type { CommandResultEvent, TerminalSizeInput } from '@shared/exec-schemas';
import { invoke, subscribe } from './api-client';

export interface SessionPlace {
  workload: string;
  container: string;
  defaulted?: { from: string[] };
}

export interface TerminalSessionEvents {
  /** A session id was handed out; `again` when the connection to Homeport was lost and a new one started. */
  session(again: boolean): void;
  started(place: SessionPlace): void;
  /** Output to draw; call drawn() once it is on screen, so more may come. */
  output(bytes: Uint8Array, drawn: () => void): void;
  /** `asked`: the user ended the session (close) before it ended. */
  ended(result: CommandResultEvent, asked: boolean): void;
  /** The session could not be opened, or a call failed; the message says why. */
  failed(message: string): void;
}

export interface TerminalSessionControl {
  /** Keys or pasted text, sent in order. */
  write(text: string): void;
  /** Bytes that are not text (xterm's onBinary: one char per byte), in order with the text. */
  writeBytes(bytes: string): void;
  resize(size: TerminalSizeInput): void;
  /** Ends the command; the session's end still arrives. */
  close(): void;
  /** Stops the subscription (which ends the command if it still runs). */
  dispose(): void;
}

function decode(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** At most max UTF-16 units, never splitting a surrogate pair. */
function takeChunk(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

export function openTerminalSession(params: ExecStart, on: TerminalSessionEvents): TerminalSessionControl {
  let session: string | undefined;
  let ended = false;
  let disposed = false;
  /** Input not sent yet, in order: typed text, and raw bytes (one char each) xterm reports as binary. */
  let pending: { bytes: boolean; data: string }[] = [];
  let sending = false;
  let size: TerminalSizeInput | undefined;
  let resizing = false;
  let drawnBytes = 0;
  let closeAsked = false;

  const report = (err: unknown) => {
    if (!ended && !disposed) on.failed(err instanceof Error ? err.message : String(err));
  };

  const queue = (bytes: boolean, data: string) => {
    if (ended || disposed || data === '') return;
    const last = pending.at(-1);
    if (last && last.bytes === bytes) last.data += data;
    else pending.push({ bytes, data });
    pump();
  };

  const pump = () => {
    const next = pending[0];
    if (sending || !session || ended || !next) return;
    const data = next.bytes ? next.data.slice(0, EXEC_INPUT_MAX) : takeChunk(next.data, EXEC_INPUT_MAX);
    next.data = next.data.slice(data.length);
    if (next.data === '') pending.shift();
    sending = true;
    invoke('exec:input', next.bytes ? { session, base64: btoa(data) } : { session, text: data })
      .catch(report)
      .finally(() => {
        sending = false;
        pump();
      });
  };

  const sendSize = () => {
    if (resizing || !session || ended || !size) return;
    const next = size;
    size = undefined;
    resizing = true;
    invoke('exec:resize', { session, size: next })
      .catch(report)
      .finally(() => {
        resizing = false;
        sendSize();
      });
  };

  const acknowledge = (bytes: number, id: string) => {
    if (id !== session || ended) return;
    drawnBytes += bytes;
    if (drawnBytes < EXEC_ACK_STEP) return;
    // A lost acknowledgement only slows this session; the end or an error says the rest.
    for (let left = drawnBytes; left > 0; left -= EXEC_OUTPUT_WINDOW) {
      invoke('exec:ack', { session: id, bytes: Math.min(left, EXEC_OUTPUT_WINDOW) }).catch(() => {});
    }
    drawnBytes = 0;
  };

  const handle = (event: ExecEvent) => {
    switch (event.type) {
      case 'session': {
        const again = session !== undefined;
        session = event.session;
        ended = false;
        drawnBytes = 0;
        on.session(again);
        pump();
        sendSize();
        return;
      }
      case 'started':
        on.started(event);
        return;
      case 'output': {
        const bytes = decode(event.base64);
        const id = session ?? '';
        on.output(bytes, () => acknowledge(bytes.length, id));
        return;
      }
      case 'ended':
        ended = true;
        pending = [];
        on.ended(event.result, closeAsked);
        // Done with the subscription: a reconnecting transport must not start the command again.
        stop();
    }
  };

  let subscribed = true;
  const stop = () => {
    if (subscribed) unsubscribe();
    subscribed = false;
  };
  const unsubscribe = subscribe(
    'exec:session',
    params,
    (events) => {
      if (!disposed) for (const event of events) handle(event);
    },
    (error) => report(new Error(error.message)),
  );

  return {
    write(text) {
      queue(false, text);
    },
    writeBytes(bytes) {
      queue(true, bytes);
    },
    resize(next) {
      size = next;
      sendSize();
    },
    close() {
      if (!session || ended) return;
      closeAsked = true;
      invoke('exec:close', { session }).catch(report);
    },
    dispose() {
      disposed = true;
      stop();
    },
  };
}
