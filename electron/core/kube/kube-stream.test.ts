import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { continueFromHead, createBodyText } from './kube-stream';
import { createKubeGateway } from './kube-gateway';
import { fakePod, startFakeKubeServer } from './testing/fake-kube-server';

function bodyText(chunks: Buffer[]): string {
  const body = createBodyText();
  for (const c of chunks) body.write(c);
  return body.text();
}

describe('createBodyText', () => {
  it('gives an ASCII body as it was sent, from one chunk or many', () => {
    const text = JSON.stringify({ kind: 'PodList', items: [{ metadata: { name: 'web-0' } }] });
    expect(bodyText([Buffer.from(text)])).toBe(text);
    const bytes = Buffer.from(text);
    expect(bodyText([bytes.subarray(0, 7), bytes.subarray(7, 20), bytes.subarray(20)])).toBe(text);
    expect(bodyText([])).toBe('');
  });

  it('decodes UTF-8, also when a character is split between two chunks', () => {
    const text = JSON.stringify({ metadata: { annotations: { note: 'Café ☕ 日本 🚀' } } });
    const bytes = Buffer.from(text, 'utf8');
    // Every split point, including those inside the multi-byte characters.
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(bodyText([bytes.subarray(0, cut), bytes.subarray(cut)])).toBe(text);
    }
  });
});

describe('createBodyText with bodies read at once', () => {
  it('keeps each body its own while they arrive interleaved, large and small, one after another', () => {
    const big = Buffer.from(JSON.stringify({ items: Array.from({ length: 200_000 }, (_, i) => `pod-${i}`) }));
    const small = Buffer.from('{"kind":"Status","code":404}');
    for (let round = 0; round < 3; round++) {
      const a = createBodyText();
      const b = createBodyText();
      // a grows past its first buffer in 64 KB socket-sized chunks while b takes a byte between them.
      let taken = 0;
      for (let at = 0; at < big.length; at += 65_536) {
        a.write(big.subarray(at, at + 65_536));
        if (taken < small.length) b.write(small.subarray(taken, ++taken));
      }
      b.write(small.subarray(taken));
      expect(big.length).toBeGreaterThan(8 * 256 * 1024);
      expect(a.text()).toBe(big.toString());
      expect(b.text()).toBe(small.toString());
    }
  });
});

describe('list pages through the gateway', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('reads pages of many chunks, ASCII and not, the same as the server wrote them', async () => {
    const api = await startFakeKubeServer({ token: 't' });
    close = api.close;
    const note = 'Zürich — 東京 ✓ '.repeat(300);
    for (let i = 0; i < 300; i++) {
      const name = `web-${String(i).padStart(3, '0')}`;
      const annotations = { note: i === 150 ? note : 'x'.repeat(2_000) };
      api.putQuietly('pods', fakePod('media', name, { metadata: { name, annotations } }));
    }
    const gateway = createKubeGateway({
      context: 'c',
      server: api.url,
      namespace: 'default',
      insecureSkipTlsVerify: false,
      token: 't',
    });
    const pages: { name?: string; annotations?: Record<string, string> }[][] = [];
    await gateway.listAll('/api/v1/pods', {
      pageSize: 100,
      onPage: (items) =>
        pages.push(
          items.map((o) => (o as { metadata: { name?: string; annotations?: Record<string, string> } }).metadata),
        ),
    });
    expect(pages.map((p) => p.length)).toEqual([100, 100, 100]);
    expect(pages[1]?.[50]?.annotations?.note).toBe(note);
    expect(pages[2]?.[99]?.name).toBe('web-299');
    expect(pages[0]?.[0]?.annotations?.note).toBe('x'.repeat(2_000));
  });
});

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
