import type { HomeportBridge, PushMessage } from '@shared/bridge';

const TOKEN_KEY = 'homeport.token';

/** Reads the session token from the URL fragment once, keeps it for this tab, and hides it. */
export function takeSessionToken(): string | undefined {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/**
 * Web mode's implementation of window.homeport: calls are HTTP POSTs, subscriptions share one
 * WebSocket that reconnects with backoff and resubscribes what is still open.
 */
export function createWebBridge(token: string | undefined): HomeportBridge {
  const subs = new Map<string, { topic: string; params: unknown; onMessage: (m: PushMessage) => void }>();
  let socket: WebSocket | undefined;
  let attempt = 0;
  let nextId = 0;

  const sendSubscribe = (id: string) => {
    const sub = subs.get(id);
    if (sub && socket?.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: 'subscribe', id, topic: sub.topic, params: sub.params }));
    }
  };

  const connect = () => {
    if (!token || socket) return;
    const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/api/ws`;
    const ws = new WebSocket(url, ['homeport.v1', `homeport.token.${token}`]);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      for (const id of subs.keys()) sendSubscribe(id);
    };
    ws.onmessage = (event) => {
      const messages = JSON.parse(String(event.data)) as PushMessage[];
      for (const m of messages) subs.get(m.id)?.onMessage(m);
    };
    ws.onclose = () => {
      socket = undefined;
      if (subs.size === 0) return;
      const delay = Math.min(10_000, 250 * 2 ** attempt++) * (0.5 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  };

  return {
    async invoke(channel, input) {
      if (!token) {
        return {
          ok: false,
          error: {
            code: 'UNAUTHORIZED',
            message: 'No session token: open the full URL that `homeport serve` printed.',
          },
        };
      }
      const res = await fetch(`/api/invoke/${encodeURIComponent(channel)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ input }),
      });
      return res.json();
    },
    subscribe(topic, params, onMessage) {
      const id = `s${++nextId}`;
      subs.set(id, { topic, params, onMessage });
      if (socket) sendSubscribe(id);
      else connect();
      return () => {
        subs.delete(id);
        if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'unsubscribe', id }));
        if (subs.size === 0) socket?.close();
      };
    },
  };
}
