import { describe, expect, it } from 'vitest';
import { createDeadline } from './deadline';

const after = <T>(ms: number, v: T) => new Promise<T>((r) => setTimeout(() => r(v), ms));

describe('deadline', () => {
  it('lets steps finish in time and fails the first step still running at the deadline', async () => {
    const deadline = createDeadline(50, () => new Error('too slow'));
    expect(await deadline.race(after(5, 'connected'))).toBe('connected');
    await expect(deadline.race(after(200, 'answer'))).rejects.toThrow('too slow');
    deadline.clear();
  });

  it('hands what arrives after the deadline to late, to be closed', async () => {
    const deadline = createDeadline(10, () => new Error('too slow'));
    const closed: string[] = [];
    await expect(deadline.race(after(40, 'session'), (s) => closed.push(s))).rejects.toThrow('too slow');
    await after(60, null);
    expect(closed).toEqual(['session']);
  });
});
