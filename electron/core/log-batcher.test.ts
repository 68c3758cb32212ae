import { describe, expect, it } from 'vitest';
import type { LogChunk } from '@shared/kube-schemas';
import { createLineBatcher, MAX_LINES_PER_CHUNK } from './log-batcher';

describe('line batcher', () => {
  it('sends lines together after the batch interval, and full chunks at once', async () => {
    const chunks: LogChunk[] = [];
    const batch = createLineBatcher((c) => chunks.push(c), { batchMs: 20, stopped: () => false });
    batch.push('a');
    batch.push('b');
    expect(chunks).toEqual([]);
    await new Promise((r) => setTimeout(r, 40));
    expect(chunks).toEqual([{ type: 'lines', lines: ['a', 'b'] }]);
    for (let i = 0; i < MAX_LINES_PER_CHUNK; i++) batch.push(String(i));
    expect(chunks).toHaveLength(2);
    expect(chunks[1]).toMatchObject({ type: 'lines' });
    expect((chunks[1] as { lines: string[] }).lines).toHaveLength(MAX_LINES_PER_CHUNK);
  });

  it('sends nothing once stopped, and nothing after cancel', async () => {
    const chunks: LogChunk[] = [];
    let stopped = false;
    const batch = createLineBatcher((c) => chunks.push(c), { batchMs: 10, stopped: () => stopped });
    batch.push('a');
    stopped = true;
    batch.flush();
    stopped = false;
    batch.push('b');
    batch.cancel();
    await new Promise((r) => setTimeout(r, 30));
    expect(chunks).toEqual([]);
  });
});
