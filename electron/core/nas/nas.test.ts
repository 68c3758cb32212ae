import { describe, expect, it } from 'vitest';
import {
  decodeExportPath,
  encodeExportPath,
  parseDropIn,
  renderDropIn,
  validateClients,
  validateExportPath,
  validateExportSpec,
} from './exports';
import { validateAddress, validateHostInput } from './hosts';
import { parseDf, parseOsRelease } from './probe';
import { parseExportfsVerbose } from './remote';

describe('NAS host validation', () => {
  it('names the field and the fix', () => {
    const base = { name: 'nas-1', address: 'nas.lan', user: 'admin', auth: 'agent' as const };
    // No port: ~/.ssh/config's Port for the address applies, else 22 (when connecting).
    expect(validateHostInput(base)).toEqual(base);
    expect(validateHostInput({ ...base, port: 2222 })).toEqual({ ...base, port: 2222 });
    expect(() => validateHostInput({ ...base, name: 'NAS_1' })).toThrow(/^'name': .*lowercase/);
    expect(() => validateHostInput({ ...base, address: 'nas lan; rm' })).toThrow(/^'address': /);
    expect(() => validateHostInput({ ...base, port: 70000 })).toThrow(/^'port': .*1 to 65535/);
    expect(() => validateHostInput({ ...base, user: '-root' })).toThrow(/^'user': /);
    // Key auth without a key file takes ~/.ssh/config's IdentityFile; a given one must be absolute.
    expect(validateHostInput({ ...base, auth: 'key' })).toEqual({ ...base, auth: 'key' });
    expect(() => validateHostInput({ ...base, auth: 'key', keyFile: 'id_ed25519' })).toThrow(/^'keyFile': /);
    expect(() => validateHostInput({ ...base, secret: 'x' })).toThrow(/^'secret': /);
    expect(validateAddress('[fd00::20]')).toBe('fd00::20');
    expect(validateAddress('192.168.1.20')).toBe('192.168.1.20');
    expect(() => validateAddress('999.1.1.1')).toThrow(/'address'/);
  });
});

describe('exports syntax', () => {
  it('escapes paths with octal escapes and reads them back', () => {
    const paths = ['/srv/my media; rm -rf /', '/srv/a"b#c\\d', '/srv/caf\u00e9', '/srv/$(id)'];
    for (const p of paths) {
      const token = encodeExportPath(p);
      expect(token).not.toMatch(/[\s"#;$()]/);
      expect(decodeExportPath(token)).toBe(p);
    }
    expect(encodeExportPath('/srv/my media')).toBe('/srv/my\\040media');
    expect(decodeExportPath('"/srv/my media"')).toBe('/srv/my media');
  });

  it('refuses paths exports cannot carry or that are unsafe', () => {
    expect(() => validateExportPath('srv/x')).toThrow(/^'path': .*relative/);
    expect(() => validateExportPath('/srv/../etc')).toThrow(/^'path': .*'\.\.'/);
    expect(() => validateExportPath('/srv/a\nb')).toThrow(/^'path': .*control character/);
    expect(() => validateExportPath('/srv//a/')).toThrow(/not normalized; use "\/srv\/a"/);
    expect(() => validateExportPath('/etc')).toThrow(/system directory/);
    expect(() => validateExportPath('/')).toThrow(/system directory/);
    // A trailing '/' is not normalized: refused, never run.
    expect(() => validateExportPath('/srv/my media; rm -rf /')).toThrow(/^'path': .*not normalized/);
    expect(validateExportPath('/srv/my media; rm -rf ~')).toBe('/srv/my media; rm -rf ~');
  });

  it('validates clients', () => {
    expect(validateClients(['127.0.0.1', '10.0.0.0/24', 'FD00::0/64', '*.lan', 'node1.lan', '127.0.0.1'])).toEqual([
      '127.0.0.1',
      '10.0.0.0/24',
      'fd00::/64',
      '*.lan',
      'node1.lan',
    ]);
    expect(() => validateClients([])).toThrow(/^'clients': .*at least one/);
    expect(() => validateClients(['10.0.0.1/24'])).toThrow(/10\.0\.0\.0\/24/);
    expect(() => validateClients(['a(rw)'])).toThrow(/^'clients'/);
    expect(() => validateClients(['$(id)'])).toThrow(/^'clients'/);
  });

  it('renders and parses a drop-in', () => {
    const spec = validateExportSpec({
      name: 'media',
      path: '/srv/my media',
      clients: ['127.0.0.1', '10.0.0.0/24'],
      readOnly: true,
      squash: 'root_squash',
    });
    const text = renderDropIn(spec);
    expect(text.split('\n')[1]).toBe(
      '/srv/my\\040media 127.0.0.1(ro,sync,no_subtree_check,root_squash) 10.0.0.0/24(ro,sync,no_subtree_check,root_squash)',
    );
    expect(parseDropIn('media', text)).toMatchObject({
      path: '/srv/my media',
      clients: ['127.0.0.1', '10.0.0.0/24'],
      readOnly: true,
      squash: 'root_squash',
    });
    expect(() => validateExportSpec({ ...spec, name: '$(id)' })).toThrow(/^'name'/);
    expect(() => validateExportSpec({ ...spec, mode: '999' })).toThrow(/^'mode'/);
    expect(() => validateExportSpec({ ...spec, owner: 'a b' })).toThrow(/^'owner'/);
  });

  it('parses exportfs -v, including wrapped lines and paths with spaces', () => {
    const opts = 'sync,wdelay,hide,no_subtree_check,sec=sys,ro,root_squash,no_all_squash';
    const text = [
      `/srv/a-very-long-directory-name-that-exportfs-puts-on-its-own-line`,
      `\t\t127.0.0.1(${opts})`,
      `/srv/my media  \t127.0.0.1(${opts})`,
      `/srv/x (y) 1.2.3.4(ro)`,
      `\t\t10.0.0.0/24(${opts})`,
      `/srv/b         \t<world>(${opts})`,
    ].join('\n');
    expect(parseExportfsVerbose(text, ['/srv/x (y) 1.2.3.4(ro)'])).toEqual([
      {
        path: '/srv/a-very-long-directory-name-that-exportfs-puts-on-its-own-line',
        client: '127.0.0.1',
        options: opts,
      },
      { path: '/srv/my media', client: '127.0.0.1', options: opts },
      { path: '/srv/x (y) 1.2.3.4(ro)', client: '10.0.0.0/24', options: opts },
      { path: '/srv/b', client: '<world>', options: opts },
    ]);
  });
});

describe('probe parsing', () => {
  it('reads os-release and df', () => {
    expect(parseOsRelease('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')).toBe(
      'Debian GNU/Linux 12 (bookworm)',
    );
    expect(parseOsRelease('NAME=x\n')).toBeUndefined();
    const df =
      'Filesystem     1-blocks       Used   Available Capacity Mounted on\n/dev/sda1 100000 40000 60000 40% /srv\n';
    expect(parseDf(df)).toEqual({ totalBytes: 100000, freeBytes: 60000 });
  });
});
