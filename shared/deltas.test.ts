import { describe, expect, it } from 'vitest';
import { applyDeltas } from './deltas';

interface Item {
  key: string;
  v: number;
}
const keyOf = (i: Item) => i.key;

describe('applyDeltas', () => {
  it('resets, upserts and deletes in order, reporting whether anything changed', () => {
    const map = new Map<string, Item>([['gone', { key: 'gone', v: 0 }]]);
    expect(
      applyDeltas(
        map,
        [
          {
            type: 'reset',
            items: [
              { key: 'a', v: 1 },
              { key: 'b', v: 1 },
            ],
          },
          { type: 'upsert', items: [{ key: 'a', v: 2 }] },
          { type: 'delete', keys: ['b'] },
        ],
        keyOf,
      ),
    ).toBe(true);
    expect([...map.values()]).toEqual([{ key: 'a', v: 2 }]);
    expect(
      applyDeltas(
        map,
        [
          { type: 'delete', keys: ['nope'] },
          { type: 'status', status: {} },
        ],
        keyOf,
      ),
    ).toBe(false);
  });

  it('lets the caller keep history across updates and relists', () => {
    const map = new Map<string, { v: number; seen: number }>();
    const store = (i: Item, prev?: { seen: number }) => ({ v: i.v, seen: (prev?.seen ?? 0) + 1 });
    applyDeltas(map, [{ type: 'upsert', items: [{ key: 'a', v: 1 }] }], keyOf, store);
    applyDeltas(map, [{ type: 'reset', items: [{ key: 'a', v: 2 }] }], keyOf, store);
    expect(map.get('a')).toEqual({ v: 2, seen: 2 });
  });
});
