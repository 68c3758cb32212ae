import { describe, expect, it } from 'vitest';
import type { EventSummary } from './kube-schemas';
import { formatAge } from './leases';
import { aggregateEvents, eventAges } from './pod-events';

const ev = (reason: string, message: string, lastSeen: string, extra: Partial<EventSummary> = {}): EventSummary => ({
  type: 'Normal',
  reason,
  message,
  count: 1,
  lastSeen,
  ...extra,
});

describe('aggregateEvents', () => {
  it('folds repeats into one line with the counts added and the first and last time kept', () => {
    const lines = aggregateEvents([
      ev('BackOff', 'Back-off restarting failed container', '2026-01-01T00:05:00Z', {
        type: 'Warning',
        count: 3,
        firstSeen: '2026-01-01T00:01:00Z',
      }),
      ev('Pulled', 'Successfully pulled image "a:1"', '2026-01-01T00:00:30Z'),
      ev('BackOff', 'Back-off restarting failed container', '2026-01-01T00:09:00Z', { type: 'Warning', count: 2 }),
    ]);
    expect(lines).toEqual([
      {
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed container',
        count: 5,
        firstSeen: '2026-01-01T00:01:00Z',
        lastSeen: '2026-01-01T00:09:00Z',
      },
      { ...ev('Pulled', 'Successfully pulled image "a:1"', '2026-01-01T00:00:30Z'), firstSeen: '2026-01-01T00:00:30Z' },
    ]);
  });

  it('keeps events apart when their type or message differs', () => {
    const lines = aggregateEvents([
      ev('Failed', 'pull a', '2026-01-01T00:00:01Z'),
      ev('Failed', 'pull b', '2026-01-01T00:00:02Z'),
      ev('Failed', 'pull a', '2026-01-01T00:00:03Z', { type: 'Warning' }),
    ]);
    expect(lines.map((l) => `${l.type} ${l.message}`)).toEqual(['Warning pull a', 'Normal pull b', 'Normal pull a']);
  });
});

describe('eventAges', () => {
  const now = Date.parse('2026-01-01T01:00:00Z');
  it('says how long ago and, for repeats, over how long', () => {
    expect(eventAges(ev('X', 'm', '2026-01-01T00:59:50Z'), now, formatAge)).toBe('10s ago');
    expect(
      eventAges(ev('X', 'm', '2026-01-01T00:59:00Z', { count: 4, firstSeen: '2026-01-01T00:30:00Z' }), now, formatAge),
    ).toBe('60s ago, first 30m ago');
  });
});
