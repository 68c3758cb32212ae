import { describe, expect, it } from 'vitest';
import type { StackSignals } from '../stacks/signals';
import { replicasFix } from './fixes';

const signals = (replicas: StackSignals['replicas']): StackSignals => ({
  primary: 'web',
  replicas,
  externalState: [],
  dashboard: [],
});

describe('replicas fix', () => {
  const scaled = signals({ kind: 'many', scale: { replicas: 'app.web.count', autoscale: 'app.web.autoscale' } });

  it('sets the count at the path the stack names', () => {
    expect(replicasFix({ app: { web: { count: 1 } } }, scaled)).toEqual({
      label: 'Run 2 replicas of web',
      values: { app: { web: { count: 2 } } },
    });
  });

  it('raises the autoscaler minimum when autoscaling is on, keeping a larger maximum', () => {
    const values = { app: { web: { autoscale: { enabled: true, min: 1, max: 6 } } } };
    expect(replicasFix(values, scaled)?.values).toEqual({
      app: { web: { autoscale: { enabled: true, min: 2, max: 6 } } },
    });
  });

  it('offers nothing for a primary that must run one replica, or when the stack names no path', () => {
    expect(replicasFix({}, signals({ kind: 'one', why: 'state in memory', ref: 'x' }))).toBeUndefined();
    expect(replicasFix({}, signals({ kind: 'many' }))).toBeUndefined();
  });
});
