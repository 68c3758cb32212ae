import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { Subscribe } from '../api/dispatch';
import { createBatcher, createSubscriptionTable } from './batcher';

export interface SocketLimits {
  /** Bytes queued for one client before it counts as not reading. */
  maxBufferedBytes: number;
  /** Subscriptions one client may hold at once. */
  maxSubscriptions: number;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = {
  // Large enough for the first snapshot of a 5,000-pod cluster on a slow link, several times over.
  maxBufferedBytes: 8 * 1024 * 1024,
  // The UI holds a handful at once; a few hundred is far beyond any screen.
  maxSubscriptions: 256,
};

/** Close code 1013 (RFC 6455 registry: "Try Again Later"). The web bridge reconnects and resubscribes. */
export const CLOSE_TRY_AGAIN_LATER = 1013;

const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), id: z.string().min(1).max(100), topic: z.string(), params: z.unknown() }),
  z.object({ type: z.literal('unsubscribe'), id: z.string().min(1).max(100) }),
]);

/**
 * Serves one client's subscriptions over its WebSocket. A misbehaving client can cost this
 * process one socket, never more: protocol errors (oversized or invalid UTF-8 frames) close that
 * socket; a client that stops reading is disconnected with 1013 once its queue passes
 * `maxBufferedBytes` (memory stays bounded, and on reconnect it gets fresh snapshots rather than
 * a backlog); more than `maxSubscriptions` at once are refused with an error naming the limit.
 */
export function serveSocket(
  ws: WebSocket,
  subscribe: Subscribe,
  opts: { batchIntervalMs?: number; limits?: Partial<SocketLimits> } = {},
): void {
  const limits = { ...DEFAULT_SOCKET_LIMITS, ...opts.limits };
  const table = createSubscriptionTable();
  const connection = `socket-${randomUUID()}`;
  let closed = false;
  const shutDown = () => {
    if (closed) return;
    closed = true;
    table.clear();
    batcher.close();
  };
  const send = (payload: string) => {
    if (closed || ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > limits.maxBufferedBytes) {
      shutDown();
      ws.close(CLOSE_TRY_AGAIN_LATER, 'Client is not reading; reconnect to get fresh data');
      return;
    }
    ws.send(payload);
  };
  const batcher = createBatcher((messages) => send(JSON.stringify(messages)), opts.batchIntervalMs);

  // ws reports frames it refuses (over maxPayload, invalid UTF-8, bad opcodes) as 'error' on the
  // socket and closes it itself; with no listener that error would end the whole process.
  ws.on('error', () => shutDown());
  ws.on('close', shutDown);
  ws.on('message', (data) => {
    if (closed) return;
    let msg;
    try {
      msg = clientMessage.parse(JSON.parse(String(data)));
    } catch {
      shutDown();
      ws.close(1008, 'Malformed message');
      return;
    }
    if (msg.type === 'unsubscribe') {
      table.remove(msg.id);
      batcher.drop(msg.id);
      return;
    }
    const id = msg.id;
    if (!table.has(id) && table.size() >= limits.maxSubscriptions) {
      const message = `This connection already holds ${limits.maxSubscriptions} subscriptions, the most one connection may hold; unsubscribe from some first (reloading the page does)`;
      send(JSON.stringify([{ type: 'error', id, error: { code: 'UNAVAILABLE', message } }]));
      return;
    }
    const started = subscribe(
      msg.topic,
      msg.params,
      (event) => {
        if (!closed) batcher.push(id, event);
      },
      connection,
    );
    if (!started.ok) {
      send(JSON.stringify([{ type: 'error', id, error: started.error }]));
      return;
    }
    if (closed) started.stop();
    else table.add(id, started.stop);
  });
}
