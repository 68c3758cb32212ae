import { afterEach, describe, expect, it } from 'vitest';
import { createBodyText } from './kube-stream';
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
