import { describe, expect, it } from 'vitest';
import { podColumnsFor, podGridTemplate } from './pod-columns';

describe('podColumnsFor', () => {
  it('shows every column in a wide table', () => {
    expect(podColumnsFor(1100)).toEqual(['name', 'namespace', 'status', 'ready', 'restarts', 'age', 'node']);
  });

  it('drops the node, then the namespace, then the age as the table narrows', () => {
    expect(podColumnsFor(640)).toEqual(['name', 'namespace', 'status', 'ready', 'restarts', 'age']);
    expect(podColumnsFor(540)).toEqual(['name', 'status', 'ready', 'restarts', 'age']);
    expect(podColumnsFor(440)).toEqual(['name', 'status', 'ready', 'restarts']);
    expect(podColumnsFor(200)).toEqual(['name', 'status', 'ready']);
  });

  it('gives the grid one track per shown column', () => {
    expect(podGridTemplate(['name', 'ready'])).toBe('minmax(140px, 2.2fr) 52px');
  });
});
