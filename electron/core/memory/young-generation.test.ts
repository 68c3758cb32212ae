import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { keepYoungGenerationSmall, YOUNG_GENERATION_FLAG } from './young-generation';

/**
 * Runs a fresh Node process that (with a flag) sets it as Homeport does, while running, then keeps
 * 300,000 objects alive, as a large list does; returns the young generation's size in MB.
 */
function youngAfterLargeList(flag: string | undefined): number {
  const script = `
    const v8 = require('node:v8');
    ${flag ? `v8.setFlagsFromString(${JSON.stringify(flag)});` : ''}
    const kept = [];
    for (let i = 0; i < 300000; i++) kept.push({ name: 'pod-' + i, n: [i] });
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    process.stdout.write(String(young.space_size / 1048576 + kept.length * 0));
  `;
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

describe('young generation', () => {
  it('grows to tens of MB under a large list by default, and stays at its starting size with the flag', () => {
    expect(youngAfterLargeList(undefined)).toBeGreaterThanOrEqual(16);
    expect(youngAfterLargeList(YOUNG_GENERATION_FLAG)).toBeLessThanOrEqual(4);
  });

  it('keepYoungGenerationSmall sets that flag', () => {
    const set: string[] = [];
    keepYoungGenerationSmall((flags) => set.push(flags));
    expect(set).toEqual([YOUNG_GENERATION_FLAG]);
  });
});
