import { describe, expect, it } from 'vitest';
import { pollChanges } from './poll-changes';

const tick = () => new Promise((r) => setTimeout(r, 15));

describe('pollChanges', () => {
  it('emits changes only, reports failures, and re-emits after a failure', async () => {
    const answers: (string | Error)[] = ['a', 'a', 'b', new Error('down'), 'b', 'b'];
    const seen: string[] = [];
    const errors: string[] = [];
    const stop = pollChanges(
      async () => {
        const next = answers.shift() ?? 'b';
        if (next instanceof Error) throw next;
        return next;
      },
      (v) => seen.push(v),
      { intervalMs: 5, onError: (e) => errors.push((e as Error).message) },
    );
    for (let i = 0; i < 20 && answers.length > 0; i++) await tick();
    stop();
    expect(seen).toEqual(['a', 'b', 'b']);
    expect(errors).toEqual(['down']);
  });

  it('stops polling when stopped', async () => {
    let reads = 0;
    const stop = pollChanges(
      async () => ++reads,
      () => {},
      { intervalMs: 5 },
    );
    await tick();
    stop();
    const after = reads;
    await tick();
    await tick();
    expect(reads).toBe(after);
  });
});
