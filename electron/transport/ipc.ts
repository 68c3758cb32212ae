import { channels, type Envelope } from '@shared/contract';
import type { Dispatch, Subscribe } from '../api/dispatch';
import { IPC_HELLO, IPC_PUSH, IPC_SUBSCRIBE, IPC_UNSUBSCRIBE, type PushMessage } from '@shared/bridge';
import { createBatcher, createSubscriptionTable } from './batcher';

/** The parts of Electron's ipcMain this transport uses, so it runs and is tested in plain Node. */
export interface IpcSender {
  id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}
export interface IpcEvent {
  senderFrame: { url: string } | null;
  sender: IpcSender;
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEvent, input: unknown) => Promise<unknown>): void;
  on(channel: string, listener: (event: IpcEvent, message: unknown) => void): unknown;
}

/** True when the frame's URL has exactly the app's own scheme and host. */
export function isOwnOrigin(frameUrl: string | undefined, appUrl: string): boolean {
  if (!frameUrl) return false;
  try {
    const frame = new URL(frameUrl);
    const app = new URL(appUrl);
    // URL.origin is 'null' for custom schemes such as app://, so compare the parts instead.
    return frame.protocol === app.protocol && frame.host === app.host;
  } catch {
    return false;
  }
}

const forbidden: Envelope<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'Calls are accepted only from the Homeport window' },
};

/**
 * Registers one ipcMain handler per contract channel. Every call and subscription checks that
 * the sending frame is the app's own page; anything else (an iframe, a navigated-away window)
 * gets FORBIDDEN and no handler runs.
 */
export function registerIpcTransport(opts: {
  ipcMain: IpcMainLike;
  dispatch: Dispatch;
  subscribe: Subscribe;
  appUrl: string;
  batchIntervalMs?: number;
}) {
  const trusted = (event: IpcEvent) => isOwnOrigin(event.senderFrame?.url, opts.appUrl);
  for (const channel of Object.keys(channels)) {
    opts.ipcMain.handle(channel, async (event, input) => (trusted(event) ? opts.dispatch(channel, input) : forbidden));
  }

  const clients = new Map<
    number,
    { table: ReturnType<typeof createSubscriptionTable>; batcher: ReturnType<typeof createBatcher> }
  >();
  const clientFor = (sender: IpcSender) => {
    let client = clients.get(sender.id);
    if (!client) {
      const created = {
        table: createSubscriptionTable(),
        batcher: createBatcher((messages: PushMessage[]) => {
          if (!sender.isDestroyed()) sender.send(IPC_PUSH, messages);
        }, opts.batchIntervalMs),
      };
      clients.set(sender.id, created);
      sender.once('destroyed', () => {
        created.table.clear();
        created.batcher.close();
        clients.delete(sender.id);
      });
      client = created;
    }
    return client;
  };

  opts.ipcMain.on(IPC_SUBSCRIBE, (event, message) => {
    const msg = message as { id?: unknown; topic?: unknown; params?: unknown } | null;
    if (!trusted(event) || typeof msg?.id !== 'string' || typeof msg.topic !== 'string') return;
    const id = msg.id;
    const client = clientFor(event.sender);
    const started = opts.subscribe(
      msg.topic,
      msg.params,
      (ev) => client.batcher.push(id, ev),
      `window-${event.sender.id}`,
    );
    if (started.ok) client.table.add(id, started.stop);
    else event.sender.send(IPC_PUSH, [{ type: 'error', id, error: started.error }]);
  });
  // A new page in the window (a reload): what the page before it held ends now, not with the window.
  opts.ipcMain.on(IPC_HELLO, (event) => {
    if (!trusted(event)) return;
    const client = clients.get(event.sender.id);
    client?.table.clear();
    client?.batcher.close();
  });
  opts.ipcMain.on(IPC_UNSUBSCRIBE, (event, message) => {
    const id = (message as { id?: unknown } | null)?.id;
    if (!trusted(event) || typeof id !== 'string') return;
    const client = clients.get(event.sender.id);
    client?.table.remove(id);
    client?.batcher.drop(id);
  });
}
