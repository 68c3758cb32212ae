import { describe, expect, it } from 'vitest';
import { formatValue, toRows } from './chart-data';

describe('metrics charts', () => {
  it('merges series into one row per timestamp, in time order', () => {
    const rows = toRows({
      id: 'cpu',
      title: 'CPU',
      unit: 'cores',
      series: [
        {
          name: 'api-1',
          points: [
            [20, 0.2],
            [10, 0.1],
          ],
        },
        { name: 'api-2', points: [[10, 0.3]] },
      ],
    });
    expect(rows).toEqual([
      { t: 10, 'api-1': 0.1, 'api-2': 0.3 },
      { t: 20, 'api-1': 0.2 },
    ]);
  });

  it('formats values in the panel unit', () => {
    expect(formatValue('bytes', 3 * 1024 * 1024)).toBe('3.0 MiB');
    expect(formatValue('ratio', 0.125)).toBe('12.5%');
    expect(formatValue('seconds', 0.25)).toBe('250 ms');
    expect(formatValue('cores', 0.5)).toBe('500m');
    expect(formatValue('rps', 3)).toBe('3.00/s');
  });
});
