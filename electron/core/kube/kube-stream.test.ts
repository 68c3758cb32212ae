import { afterEach, describe, expect, it } from 'vitest';
import { createBodyText } from './kube-stream';
import { fakePod, startFakeKubeServer } from './testing/fake-kube-server';
import { gatewayFor, waitFor } from './testing/harness';

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

describe('bodies read through the gateway: list pages and watch events', () => {
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
    const gateway = gatewayFor(api.url, 't');
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

  it('leaves managedFields out of the items when asked to, and only then', async () => {
    const api = await startFakeKubeServer({ token: 't' });
    close = api.close;
    const managedFields = [{ manager: 'kubelet', operation: 'Update', fieldsV1: { 'f:status': { 'f:phase': {} } } }];
    for (let i = 0; i < 30; i++) {
      const name = `web-${String(i).padStart(2, '0')}`;
      api.putQuietly('pods', fakePod('media', name, { metadata: { name, labels: { app: 'web' }, managedFields } }));
    }
    const gateway = gatewayFor(api.url, 't');
    type Meta = { name?: string; labels?: Record<string, string>; managedFields?: unknown };
    const metas = async (dropManagedFields: boolean) =>
      (await gateway.listAll<{ metadata: Meta }>('/api/v1/pods', { pageSize: 7, dropManagedFields })).items.map(
        (p) => p.metadata,
      );
    const full = await metas(false);
    const cut = await metas(true);
    expect(full.every((m) => Array.isArray(m.managedFields))).toBe(true);
    expect(cut.some((m) => 'managedFields' in m)).toBe(false);
    expect(cut).toEqual(full.map(({ managedFields: _, ...rest }) => rest));
    expect(cut.map((m) => m.name)).toEqual(Array.from({ length: 30 }, (_, i) => `web-${String(i).padStart(2, '0')}`));
  });

  it('leaves managedFields out of watch events when asked to', async () => {
    const api = await startFakeKubeServer({ token: 't' });
    close = api.close;
    const gateway = gatewayFor(api.url, 't');
    const managedFields = [{ manager: 'kubelet', operation: 'Update', fieldsV1: { 'f:status': { 'f:phase': {} } } }];
    const seen = { cut: [] as Record<string, unknown>[], full: [] as Record<string, unknown>[] };
    const aborter = new AbortController();
    const watching = (['cut', 'full'] as const).map((mode) =>
      gateway
        .watch(
          '/api/v1/pods?watch=1&resourceVersion=0',
          (e) => seen[mode].push(e.object.metadata as Record<string, unknown>),
          { signal: aborter.signal, dropManagedFields: mode === 'cut' },
        )
        .catch(() => undefined),
    );
    await waitFor(() => api.openWatches === 2, 'both watches');
    api.put('pods', fakePod('media', 'web-0', { metadata: { name: 'web-0', labels: { app: 'web' }, managedFields } }));
    await waitFor(() => seen.cut.length === 1 && seen.full.length === 1, 'the event on both');
    expect(seen.full[0]?.managedFields).toEqual(managedFields);
    const { managedFields: _, ...rest } = seen.full[0] ?? {};
    expect(seen.cut[0]).toEqual(rest);
    aborter.abort();
    await Promise.all(watching);
  });
});
