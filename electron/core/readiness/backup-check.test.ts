import { describe, expect, it } from 'vitest';
import { backupCheck } from './backup-check';

const now = new Date('2026-11-30T12:00:00Z');

describe('the backup check', () => {
  it('counts a backup only once a restore drill passed, and dates it', () => {
    // No backup Homeport can see is a warning with its fix, never an unknown that leaves the score whole.
    const none = backupCheck(undefined, 'postgres', now);
    expect(none.verdict).toBe('warn');
    expect(none.remediation).toMatch(/Back up the stack \(database 'postgres'\) daily/);
    const unverified = backupCheck({ unverified: 3 }, 'postgres', now);
    expect(unverified.verdict).toBe('fail');
    expect(unverified.summary).toBe('No backup has passed a restore drill (3 taken, none verified)');
    expect(unverified.remediation).toMatch(/database 'postgres'.*Verify it/);

    const fresh = backupCheck({ lastSuccess: '2026-11-30T03:00:00Z', unverified: 1 }, 'postgres', now);
    expect(fresh.verdict).toBe('pass');
    expect(fresh.evidence).toContainEqual({ object: 'backups', field: 'lastVerified', value: '2026-11-30T03:00:00Z' });
    expect(fresh.remediation).toBe('');
    expect(backupCheck({ lastSuccess: '2026-11-27T11:00:00Z', unverified: 0 }, undefined, now)).toMatchObject({
      verdict: 'warn',
      summary: 'The last verified backup is 3 days old',
    });
    expect(backupCheck({ lastSuccess: '2026-11-01T11:00:00Z', unverified: 0 }, undefined, now).verdict).toBe('fail');
  });
});
