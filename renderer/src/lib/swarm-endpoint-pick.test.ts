import { describe, expect, it } from 'vitest';
import { pickEndpoint, type Reach } from './swarm-endpoint-pick';

const reach = (states: Record<string, Reach>) => (name: string) => states[name] ?? 'checking';

describe('pickEndpoint', () => {
  it('keeps the saved endpoint when it answers', () => {
    expect(pickEndpoint(['a', 'b'], 'b', reach({ a: 'reachable', b: 'reachable' }))).toEqual({
      name: 'b',
      checking: false,
    });
  });

  it('falls back to the first reachable endpoint when the saved one does not answer', () => {
    expect(
      pickEndpoint(
        ['dead', 'other-dead', 'live'],
        'dead',
        reach({ dead: 'unreachable', 'other-dead': 'unreachable', live: 'reachable' }),
      ),
    ).toEqual({
      name: 'live',
      checking: false,
      fellBackFrom: 'dead',
    });
  });

  it('waits while an endpoint that would decide is still being tested', () => {
    expect(pickEndpoint(['a', 'b'], 'a', reach({ b: 'reachable' }))).toEqual({ checking: true });
    expect(pickEndpoint(['a', 'b'], undefined, reach({ b: 'reachable' }))).toEqual({ checking: true });
  });

  it('shows the saved (else the first) endpoint when none answers, so its error shows', () => {
    const none = reach({ a: 'unreachable', b: 'unreachable' });
    expect(pickEndpoint(['a', 'b'], 'b', none)).toEqual({ name: 'b', checking: false });
    expect(pickEndpoint(['a', 'b'], 'gone', none)).toEqual({ name: 'a', checking: false });
  });
});
