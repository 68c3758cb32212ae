import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expandPath, loadSshConfig, matchPatternList, parseJump, splitArgs } from './ssh-config';
import { resolveSshTarget } from './target';

let home: string;
const env = () => ({ HOME: home, USER: 'me' });
const config = (text: string) => writeFile(join(home, '.ssh', 'config'), text);

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'homeport-ssh-config-'));
  await mkdir(join(home, '.ssh'));
});
afterEach(() => rm(home, { recursive: true, force: true }));

describe('ssh_config syntax', () => {
  it('splits arguments and matches pattern lists as ssh does', () => {
    expect(splitArgs('a  "b c" "d\\"e"')).toEqual(['a', 'b c', 'd"e']);
    expect(matchPatternList(['*.lan', '!bad.lan'], 'nas.lan')).toBe(true);
    expect(matchPatternList(['*.lan', '!bad.lan'], 'bad.lan')).toBe(false);
    expect(matchPatternList(['!bad.lan'], 'other')).toBe(false);
    expect(matchPatternList(['nas?'], 'nas1')).toBe(true);
    expect(matchPatternList(['nas?'], 'nas12')).toBe(false);
    expect(matchPatternList(['a,b*'], 'BEE')).toBe(true);
    expect(parseJump('ops@jump.lan:2222')).toEqual({ user: 'ops', host: 'jump.lan', port: 2222 });
    expect(parseJump('[fd00::1]')).toEqual({ host: 'fd00::1' });
    expect(parseJump('ssh://j')).toEqual({ host: 'j' });
    expect(
      expandPath('~/.ssh/id_%r@%h:%p%%', { home: '/h', localUser: 'me', host: 'nas', user: 'root', port: 22 }),
    ).toBe('/h/.ssh/id_root@nas:22%');
  });
});

describe('what ~/.ssh/config says about a host', () => {
  it('takes the first value of each option, and every IdentityFile, from the blocks that match', async () => {
    await config(
      [
        '# comment',
        'Host nas !nas-direct',
        '  HostName=10.0.0.20',
        '  Port 2222',
        '  IdentityFile ~/.ssh/id_nas',
        'Host nas*',
        '  Port 22',
        '  User admin',
        '  IdentityFile "~/.ssh/id %h"',
        'Host *',
        '  User nobody',
        '  ProxyJump none',
      ].join('\n'),
    );
    const c = await loadSshConfig(env());
    expect(c.lookup('nas')).toEqual({
      hostName: '10.0.0.20',
      port: 2222,
      user: 'admin',
      identityFiles: ['~/.ssh/id_nas', '~/.ssh/id %h'],
      proxyJump: [],
    });
    expect(c.lookup('nas-direct')).toEqual({
      port: 22,
      user: 'admin',
      identityFiles: ['~/.ssh/id %h'],
      proxyJump: [],
    });
    expect(c.lookup('other')).toEqual({ user: 'nobody', identityFiles: [], proxyJump: [] });
  });

  it('applies Match all/host/user blocks and Include files, and never runs Match exec', async () => {
    const marker = join(home, 'ran');
    await mkdir(join(home, '.ssh', 'conf.d'));
    await writeFile(join(home, '.ssh', 'conf.d', 'a.conf'), 'Host box\n  HostName box.lan\n');
    await writeFile(join(home, '.ssh', 'conf.d', 'b.conf'), 'Host box\n  HostName ignored.lan\n  Port 2200\n');
    await config(
      [
        'Include conf.d/*.conf',
        `Match exec "touch ${marker}"`,
        '  User fromexec',
        'Match host box.lan user me',
        '  IdentityFile ~/.ssh/id_box',
        'Match !host box.lan',
        '  User elsewhere',
        'Match all',
        '  User everyone',
      ].join('\n'),
    );
    const c = await loadSshConfig(env());
    expect(c.lookup('box')).toEqual({
      hostName: 'box.lan',
      port: 2200,
      user: 'everyone',
      identityFiles: ['~/.ssh/id_box'],
    });
    expect(c.lookup('other')).toEqual({ user: 'elsewhere', identityFiles: [] });
    expect(existsSync(marker)).toBe(false);
  });

  it('resolves a target: what was saved wins, the config gives the rest, jump hosts get their own block', async () => {
    await config(
      [
        'Host jump',
        '  HostName 10.0.0.1',
        '  User hop',
        '  IdentityFile ~/.ssh/id_jump_%p',
        'Host nas',
        '  HostName 10.0.0.20',
        '  Port 2222',
        '  User admin',
        '  IdentityFile ~/.ssh/id_%r',
        '  ProxyJump jump,root@10.0.0.2:2200',
      ].join('\n'),
    );
    expect(await resolveSshTarget({ host: 'nas' }, env())).toEqual({
      alias: 'nas',
      host: '10.0.0.20',
      port: 2222,
      user: 'admin',
      identityFiles: [join(home, '.ssh', 'id_admin')],
      jumps: [
        { host: '10.0.0.1', port: 22, user: 'hop', identityFiles: [join(home, '.ssh', 'id_jump_22')] },
        { host: '10.0.0.2', port: 2200, user: 'root', identityFiles: [] },
      ],
    });
    expect(await resolveSshTarget({ host: 'nas', port: 22, user: 'ops', keyFile: '/k' }, env())).toMatchObject({
      host: '10.0.0.20',
      port: 22,
      user: 'ops',
      identityFiles: ['/k'],
    });
    expect(await resolveSshTarget({ host: '10.9.9.9' }, env())).toEqual({
      alias: '10.9.9.9',
      host: '10.9.9.9',
      port: 22,
      identityFiles: [],
      jumps: [],
    });
  });

  it('refuses a ProxyCommand, naming the file and what to use instead', async () => {
    await config('Host nas\n  ProxyCommand ssh -W %h:%p jump\n');
    await expect(resolveSshTarget({ host: 'nas' }, env(), { label: "NAS host 'nas'" })).rejects.toThrow(
      /^NAS host 'nas': .*\/\.ssh\/config gives nas a ProxyCommand .*Use ProxyJump/,
    );
  });
});
