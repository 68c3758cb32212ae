import { describe, expect, it } from 'vitest';
import type { LeaseSummary } from './kube-schemas';
import { compareLeases, formatAge, leaseVerdict } from './leases';

const base: LeaseSummary = { namespace: 'media', name: 'revenge-jobs', transitions: 0, controlPlane: false };
const now = Date.parse('2026-11-22T12:00:00Z');
const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();

describe('lease verdicts', () => {
  it('is held while the holder renews within its duration', () => {
    expect(leaseVerdict({ ...base, holder: 'api-0', renewTime: at(5), durationSeconds: 15 }, now)).toBe('held');
  });
  it('is expired with no holder or a renew older than the duration', () => {
    expect(leaseVerdict(base, now)).toBe('expired');
    expect(leaseVerdict({ ...base, holder: 'api-0', renewTime: at(16), durationSeconds: 15 }, now)).toBe('expired');
  });
  it('is contended when the holder changed twice within a minute', () => {
    const lease = { ...base, holder: 'api-1', renewTime: at(1), durationSeconds: 15 };
    expect(leaseVerdict(lease, now, [now - 30_000, now - 5_000])).toBe('contended');
    expect(leaseVerdict(lease, now, [now - 120_000, now - 5_000])).toBe('held');
  });
  it('sorts control-plane leases first', () => {
    const cp = { ...base, namespace: 'kube-system', name: 'kube-scheduler', controlPlane: true };
    expect([base, cp].sort(compareLeases)[0]).toBe(cp);
  });
  it('formats ages like kubectl', () => {
    expect(formatAge(at(42), now)).toBe('42s');
    expect(formatAge(at(600), now)).toBe('10m');
    expect(formatAge(at(3 * 86400), now)).toBe('3d');
    expect(formatAge(undefined, now)).toBe('—');
  });
});
