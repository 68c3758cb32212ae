import { describe, expect, it } from 'vitest';
import { backupDestinationSchema, backupScheduleSchema } from '@shared/backup-schemas';
import { fieldErrors, formatAge, formatBytes, formatRate } from './backup-format';

describe('backup figures', () => {
  it('sizes and rates in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(250 * 1024 * 1024)).toBe('250 MiB');
    expect(formatRate(3 * 1024 * 1024)).toBe('3.0 MiB/s');
  });

  it('ages from the time a backup started', () => {
    const now = Date.parse('2026-11-30T20:00:00Z');
    expect(formatAge('2026-11-30T19:59:30Z', now)).toBe('just now');
    expect(formatAge('2026-11-30T19:55:00Z', now)).toBe('5 min ago');
    expect(formatAge('2026-11-30T17:00:00Z', now)).toBe('3 h ago');
    expect(formatAge('2026-11-27T20:00:00Z', now)).toBe('3 days ago');
  });
});

describe('field errors', () => {
  it('name each field of a schedule once, with the contract’s words', () => {
    const parsed = backupScheduleSchema.safeParse({
      target: { kind: 'swarm', endpoint: 'nas' },
      stack: 'revenge',
      destination: { kind: 'file', dir: '/srv/backups' },
      every: 'daily',
      at: '3:30',
      keepDaily: 0,
    });
    expect(fieldErrors(parsed.error)).toEqual({
      at: 'use a time like 03:30',
      keepDaily: 'keep at least 1',
    });
  });

  it('of a destination, by its own fields', () => {
    const parsed = backupDestinationSchema.safeParse({ kind: 'file', dir: 'backups' });
    expect(fieldErrors(parsed.error)).toEqual({ dir: "must be an absolute directory like /srv/backups (no '..')" });
    expect(fieldErrors(undefined)).toEqual({});
  });
});
