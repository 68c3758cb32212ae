import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeGateway } from './kube-gateway';
import { continueFromHead } from './list-pages';

describe('continueFromHead', () => {
  const head = (text: string) => continueFromHead(Buffer.from(text));

  it('reads the token from metadata written before the items, as the API server writes lists', () => {
    expect(
      head(
        '{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","continue":"eyJ2Ijo"},"items":[{"met',
      ),
    ).toBe('eyJ2Ijo');
    expect(head('{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[{"metadata":')).toBe(
      '',
    );
    expect(
      head('{"kind":"PodList","metadata":{"resourceVersion":"7","remainingItemCount":3,"continue":"a"},"items":null}'),
    ).toBe('a');
  });

  it('says nothing when the first bytes do not hold the metadata', () => {
    expect(head('{"items":[{"metadata":{"name":"a"}}],"metadata":{"continue":"x"}}')).toBeNull();
    expect(head('{"kind":"PodList","metadata":{"resourceVersion":"7","conti')).toBeNull();
    expect(head('{"kind":"Status","code":410,"message":"continue token expired"}')).toBeNull();
    expect(head('not json "items": at all')).toBeNull();
    expect(head('{"kind":"PodList","metadata":null,"items":[')).toBeNull();
  });
});

describe('listAll asks for the next page early', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    server = undefined;
  });

  /** Pages of two pods each; `order` puts the metadata before or after the items. */
  async function listServer(order: 'metadata first' | 'items first', pages: number, breakFirst = false) {
    const log: string[] = [];
    let secondAsked: (() => void) | undefined;
    const secondArrived = new Promise<void>((r) => (secondAsked = r));
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const n = Number(url.searchParams.get('continue') ?? '0');
      log.push(`asked ${n}`);
      if (n === 1) secondAsked?.();
      const items = [0, 1].map((i) => JSON.stringify({ metadata: { name: `pod-${n}-${i}` } }));
      const metadata = JSON.stringify({ resourceVersion: '9', ...(n + 1 < pages ? { continue: String(n + 1) } : {}) });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const start =
        order === 'metadata first'
          ? `{"kind":"PodList","apiVersion":"v1","metadata":${metadata},"items":[${items[0]},`
          : `{"kind":"PodList","apiVersion":"v1","items":[${items[0]},`;
      const rest = order === 'metadata first' ? `${items[1]}]}` : `${items[1]}],"metadata":${metadata}}`;
      res.write(start);
      if (n === 0 && breakFirst) {
        void secondArrived.then(() => res.destroy());
        return;
      }
      // The first page is held open until the second is asked for (or 1 s has passed).
      const hold =
        n === 0 ? Promise.race([secondArrived, new Promise((r) => setTimeout(r, 1_000))]) : Promise.resolve();
      void hold.then(() => {
        log.push(`ended ${n}`);
        res.end(rest);
      });
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    const gateway = createKubeGateway({
      context: 'c',
      server: `http://127.0.0.1:${port}`,
      namespace: 'default',
      insecureSkipTlsVerify: false,
      token: 't',
    });
    return { gateway, log };
  }

  it('asks for page 2 while page 1 is still arriving, when the metadata comes first', async () => {
    const { gateway, log } = await listServer('metadata first', 3);
    const names: string[] = [];
    const list = await gateway.listAll<{ metadata: { name: string } }>('/api/v1/pods', {
      onPage: (items) => names.push(...items.map((o) => (o as { metadata: { name: string } }).metadata.name)),
    });
    expect(log.slice(0, 2)).toEqual(['asked 0', 'asked 1']);
    expect(log.indexOf('asked 1')).toBeLessThan(log.indexOf('ended 0'));
    expect(names).toEqual(['pod-0-0', 'pod-0-1', 'pod-1-0', 'pod-1-1', 'pod-2-0', 'pod-2-1']);
    expect(list.resourceVersion).toBe('9');
  });

  it('follows the page itself when the metadata comes after the items', async () => {
    const { gateway, log } = await listServer('items first', 3);
    const list = await gateway.listAll<{ metadata: { name: string } }>('/api/v1/pods');
    expect(log.slice(0, 3)).toEqual(['asked 0', 'ended 0', 'asked 1']);
    expect(list.items.map((o) => o.metadata.name)).toEqual([
      'pod-0-0',
      'pod-0-1',
      'pod-1-0',
      'pod-1-1',
      'pod-2-0',
      'pod-2-1',
    ]);
  });

  it('fails with the page that broke, the page asked for ahead forgotten', async () => {
    const { gateway, log } = await listServer('metadata first', 3, true);
    await expect(gateway.listAll('/api/v1/pods', { onPage: () => undefined })).rejects.toThrow(
      /dropped|socket|hang up|reset/i,
    );
    expect(log).toContain('asked 1');
  });
});
