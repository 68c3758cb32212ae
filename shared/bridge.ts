/**
 * What the desktop preload exposes as window.homeport, and the IPC names behind it. The renderer's
 * web transport implements the same shape over HTTP and WebSocket.
 */
export const IPC_SUBSCRIBE = 'homeport:subscribe';
export const IPC_UNSUBSCRIBE = 'homeport:unsubscribe';
export const IPC_PUSH = 'homeport:push';
/**
 * A page's first message. A reload keeps the window (and its IPC sender), so whatever the previous
 * page held (live subscriptions, terminal sessions) ends here rather than with the window.
 */
export const IPC_HELLO = 'homeport:hello';

export type PushMessage =
  | { type: 'events'; id: string; events: unknown[] }
  | { type: 'error'; id: string; error: { code: string; message: string } };

export interface HomeportBridge {
  invoke(channel: string, input: unknown): Promise<unknown>;
  subscribe(topic: string, params: unknown, onMessage: (message: PushMessage) => void): () => void;
}
