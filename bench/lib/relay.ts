/**
 * Homeport's data path without a browser: a WebSocket client in Node subscribes to a context's
 * pods the way the renderer does, and counts the items relayed until every pod has arrived. Set
 * against the floor, this is what the main process costs on its own; the difference to the
 * browser's figure is the renderer's share and the two processes' contention for the cores.
 */
import WebSocket from 'ws';
import { podKey } from '../../shared/kube-schemas';
import { TOKEN_PROTOCOL_PREFIX, WS_PROTOCOL } from '../../electron/transport/http';
import type { HomeportServer } from '../../e2e/env/homeport-server';

interface Batch {
  id?: string;
  events?: { type: string; items?: { namespace: string; name: string }[]; keys?: string[] }[];
}

/** Resolves with Date.now() when `size` pods have been relayed to a fresh subscription. */
export async function relayedPods(homeport: HomeportServer, context: string, size: number): Promise<number> {
  const ws = new WebSocket(
    `${homeport.origin.replace(/^http/, 'ws')}/api/ws`,
    [WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${homeport.token}`],
    { headers: { origin: homeport.origin } },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return await new Promise<number>((resolve, reject) => {
      // Keyed, as the renderer keeps them: a pod updated again (its owner found) counts once.
      const pods = new Set<string>();
      ws.on('message', (data: Buffer) => {
        for (const batch of JSON.parse(data.toString('utf8')) as Batch[]) {
          if (batch.id !== 'pods') continue;
          for (const e of batch.events ?? []) {
            if (e.type === 'reset') pods.clear();
            if (e.type === 'delete') for (const key of e.keys ?? []) pods.delete(key);
            for (const p of e.items ?? []) pods.add(podKey(p));
          }
        }
        if (pods.size >= size) resolve(Date.now());
      });
      ws.once('close', () => reject(new Error(`the socket closed after ${pods.size} of ${size} pods`)));
      ws.send(JSON.stringify({ type: 'subscribe', id: 'pods', topic: 'kube:pods', params: { context } }));
    });
  } finally {
    ws.close();
  }
}
