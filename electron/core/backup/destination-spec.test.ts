import { describe, expect, it } from 'vitest';
import type { BackupDestinationSpec } from '@shared/backup-schemas';
import { formatDestination, parseDestination } from './destination-spec';

describe('parseDestination', () => {
  it('reads a NAS directory, an export name and a one-segment directory', () => {
    expect(parseDestination('nas:nas1/srv/backups')).toEqual({ kind: 'nas', host: 'nas1', dir: '/srv/backups' });
    expect(parseDestination('nas:nas1/srv/backups/')).toEqual({ kind: 'nas', host: 'nas1', dir: '/srv/backups' });
    expect(parseDestination('nas:nas1/media-backups')).toEqual({ kind: 'nas', host: 'nas1', dir: 'media-backups' });
    expect(parseDestination('nas:nas1//backups')).toEqual({ kind: 'nas', host: 'nas1', dir: '/backups' });
  });

  it('reads an S3 profile, bucket and optional prefix', () => {
    expect(parseDestination('s3:home-s3/backups/homeport/nightly')).toEqual({
      kind: 's3',
      profile: 'home-s3',
      bucket: 'backups',
      prefix: 'homeport/nightly',
    });
    expect(parseDestination('s3:home-s3/backups')).toEqual({
      kind: 's3',
      profile: 'home-s3',
      bucket: 'backups',
      prefix: '',
    });
    expect(parseDestination('s3:home-s3/backups/')).toMatchObject({ prefix: '' });
  });

  it('reads a folder, resolving a relative one against the working directory', () => {
    expect(parseDestination('file:/mnt/usb/backups/')).toEqual({ kind: 'file', dir: '/mnt/usb/backups' });
    expect(parseDestination('file:backups/homeport', '/home/me')).toEqual({
      kind: 'file',
      dir: '/home/me/backups/homeport',
    });
    expect(parseDestination('file:../usb', '/home/me')).toEqual({ kind: 'file', dir: '/home/usb' });
  });

  it('names the wrong part and shows a correct example', () => {
    expect(() => parseDestination('ftp:x/y')).toThrow(
      /^destination 'ftp:x\/y': start it with nas:, s3: or file:; for example one of nas:nas1\/srv\/backups, s3:home-s3\/backups\/homeport, file:\/mnt\/usb\/backups$/,
    );
    expect(() => parseDestination('nas:Nas1/srv')).toThrow(
      /^destination 'nas:Nas1\/srv': the host "Nas1" has upper-case letters.*; for example nas:nas1\/srv\/backups \(a directory\)/,
    );
    expect(() => parseDestination('nas:nas1')).toThrow(/give the export or directory after the host/);
    expect(() => parseDestination('nas:nas1/Media_Backups')).toThrow(/the export name "Media_Backups"/);
    expect(() => parseDestination('nas:nas1/srv/../etc')).toThrow(
      /the directory must be absolute with no '\.\.'.*for example nas:nas1\/srv\/backups/,
    );
    expect(() => parseDestination('s3:home-s3')).toThrow(/give the bucket after the profile.*for example s3:home-s3/);
    expect(() => parseDestination('s3:home-s3/b')).toThrow(/the bucket .*for example s3:/);
    expect(() => parseDestination('s3:home-s3/backups/a/../b')).toThrow(/the key prefix must be a key prefix/);
    expect(() => parseDestination('file:')).toThrow(/give the folder.*for example file:\/mnt\/usb\/backups/);
    expect(() => parseDestination('file:/a/../b')).toThrow(/the dir must be an absolute directory/);
    expect(() => parseDestination('/srv/backups')).toThrow(/start it with nas:, s3: or file:/);
  });
});

describe('formatDestination', () => {
  it('gives text that parses back to the same destination', () => {
    const specs: BackupDestinationSpec[] = [
      { kind: 'nas', host: 'nas1', dir: '/srv/backups' },
      { kind: 'nas', host: 'nas1', dir: 'media-backups' },
      { kind: 'nas', host: 'nas1', dir: '/backups' },
      { kind: 's3', profile: 'home-s3', bucket: 'backups', prefix: 'homeport/nightly' },
      { kind: 's3', profile: 'home-s3', bucket: 'backups', prefix: '' },
      { kind: 'file', dir: '/mnt/usb/backups' },
    ];
    for (const spec of specs) expect(parseDestination(formatDestination(spec))).toEqual(spec);
    expect(formatDestination(specs[0]!)).toBe('nas:nas1/srv/backups');
    expect(formatDestination(specs[2]!)).toBe('nas:nas1//backups');
    expect(formatDestination(specs[3]!)).toBe('s3:home-s3/backups/homeport/nightly');
  });
});
