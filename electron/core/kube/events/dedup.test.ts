import { describe, expect, it } from 'vitest';
import { createEventAggregator, eventRecord } from './dedup';

const ev = (
  name: string,
  o: { reason?: string; message?: string; count?: number; first?: string; last?: string; type?: string; pod?: string },
) =>
  eventRecord({
    metadata: { name, namespace: 'media' },
    involvedObject: { kind: 'Pod', namespace: 'media', name: o.pod ?? 'api-0' },
    reason: o.reason ?? 'BackOff',
    message: o.message ?? 'Back-off restarting failed container',
    type: o.type ?? 'Warning',
    count: o.count ?? 1,
    firstTimestamp: o.first ?? '2026-12-01T10:00:00Z',
    lastTimestamp: o.last ?? o.first ?? '2026-12-01T10:00:00Z',
  });

describe('event deduplication', () => {
  it('adds up Event objects of one object, reason and message into one group with the first and last time', () => {
    const agg = createEventAggregator();
    const [out] = agg.apply({
      type: 'reset',
      items: [
        ev('a', { count: 3, first: '2026-12-01T10:00:00Z', last: '2026-12-01T10:05:00Z' }),
        ev('b', { count: 2, first: '2026-12-01T09:00:00Z', last: '2026-12-01T09:30:00Z' }),
        ev('c', { reason: 'Pulled', message: 'pulled', type: 'Normal' }),
        ev('d', { pod: 'api-1' }),
      ],
    });
    expect(out?.type).toBe('reset');
    const items = out?.type === 'reset' ? out.items : [];
    expect(items).toHaveLength(3);
    const backoff = items.find((g) => g.object.name === 'api-0' && g.reason === 'BackOff');
    expect(backoff).toMatchObject({
      count: 5,
      firstSeen: '2026-12-01T09:00:00Z',
      lastSeen: '2026-12-01T10:05:00Z',
      type: 'Warning',
    });
  });

  it('sends only touched groups, updates counts as an Event object is counted up, and deletes emptied groups', () => {
    const agg = createEventAggregator();
    agg.apply({ type: 'reset', items: [ev('a', { count: 1 }), ev('c', { reason: 'Pulled', message: 'pulled' })] });
    const up = agg.apply({ type: 'upsert', items: [ev('a', { count: 4, last: '2026-12-01T11:00:00Z' })] });
    expect(up).toHaveLength(1);
    expect(up[0]?.type === 'upsert' && up[0].items.map((g) => [g.reason, g.count, g.lastSeen])).toEqual([
      ['BackOff', 4, '2026-12-01T11:00:00Z'],
    ]);
    const del = agg.apply({ type: 'delete', keys: ['media/c'] });
    expect(del).toEqual([{ type: 'delete', keys: [JSON.stringify(['Pod', 'media', 'api-0', 'Pulled', 'pulled'])] }]);
    expect(agg.size).toBe(1);
  });

  it('a group takes the type of its latest occurrence and passes watch status through', () => {
    const agg = createEventAggregator();
    agg.apply({ type: 'reset', items: [ev('a', { type: 'Warning', last: '2026-12-01T10:00:00Z' })] });
    const [out] = agg.apply({ type: 'upsert', items: [ev('b', { type: 'Normal', last: '2026-12-01T12:00:00Z' })] });
    expect(out?.type === 'upsert' && out.items[0]).toMatchObject({ type: 'Normal', count: 2 });
    expect(agg.apply({ type: 'status', status: { state: 'live' } })).toEqual([
      { type: 'status', status: { state: 'live' } },
    ]);
  });
});
