/**
 * The conventions every homeport command keeps: --help exits 0 with its usage, exit codes are
 * 0 success, 1 failure, 2 usage error, a mistyped command, subcommand or option names the nearest
 * one, and an empty list says it is empty.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './index';
import { nearest } from './conventions';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  return { out: () => out.join('\n'), err: () => err.join('\n') };
}

const COMMANDS = [
  'serve',
  'sandbox',
  'contexts',
  'render',
  'deploy',
  'revisions',
  'rollback',
  'uninstall',
  'exec',
  'port-forward',
  'readiness',
  'backup',
  'backups',
  'backup-key',
  'docker',
  'nas',
  's3',
  'registry',
  'stacks',
];

describe('homeport CLI conventions', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'homeport-conventions-'));
    // A fresh machine: no Docker endpoint from the environment, no docker login.
    vi.stubEnv('DOCKER_HOST', undefined);
    vi.stubEnv('DOCKER_CONFIG', dataDir);
    vi.stubEnv('HOMEPORT_DATA_DIR', dataDir);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it.each(COMMANDS)('homeport %s --help prints its usage and exits 0', async (command) => {
    for (const flag of ['--help', '-h']) {
      const io = capture();
      expect(await main([command, flag])).toBe(0);
      expect(io.out()).toContain(`homeport ${command}`);
      expect(io.err()).toBe('');
      vi.restoreAllMocks();
    }
  });

  it('takes --help after other arguments too, and on subcommands', async () => {
    let io = capture();
    expect(await main(['deploy', 'revenge', '--context', 'x', '--help'])).toBe(0);
    expect(io.out()).toContain('--dry-run');
    vi.restoreAllMocks();
    io = capture();
    expect(await main(['docker', 'add', '--help'])).toBe(0);
    expect(io.out()).toContain('homeport docker');
  });

  it('names the nearest command for a mistyped one, exit 2', async () => {
    const io = capture();
    expect(await main(['deplyo'])).toBe(2);
    expect(io.err()).toContain("unknown command 'deplyo'");
    expect(io.err()).toContain("Did you mean 'deploy'?");
    expect(await main(['contxts'])).toBe(2);
    expect(io.err()).toContain("Did you mean 'contexts'?");
  });

  it('names the nearest subcommand, exit 2', async () => {
    const io = capture();
    expect(await main(['docker', 'lsit'])).toBe(2);
    expect(io.err()).toContain("Did you mean 'list'?");
    expect(await main(['stacks', 'improt'])).toBe(2);
    expect(io.err()).toContain("Did you mean 'import'?");
  });

  it('names the nearest option for a mistyped one, exit 2', async () => {
    const io = capture();
    expect(await main(['contexts', '--jsno'])).toBe(2);
    expect(io.err()).toContain("Unknown option '--jsno'");
    expect(io.err()).toContain("Did you mean '--json'?");
    expect(await main(['deploy', 'revenge', '--contxt', 'home'])).toBe(2);
    expect(io.err()).toContain("Did you mean '--context'?");
    expect(await main(['nas', 'add', 'box', '--adress', '10.0.0.2'])).toBe(2);
    expect(io.err()).toContain("Did you mean '--address'?");
  });

  it('exits 2 for usage errors and 1 for failures', async () => {
    const io = capture();
    expect(await main([])).toBe(2);
    expect(await main(['render'])).toBe(2);
    expect(await main(['backups'])).toBe(2);
    expect(await main(['stacks'])).toBe(2);
    expect(await main(['render', 'revenge', 'goverse'])).toBe(2);
    expect(await main(['port-forward', '--context', 'c', 'pod/web-1'])).toBe(2);
    expect(await main(['serve', '--port', 'eighty'])).toBe(2);
    expect(await main(['deploy', 'revenge'])).toBe(2);
    expect(io.err()).toContain('--context');
    // Failures: the command line is right, what it points at is not.
    expect(await main(['contexts', '--kubeconfig', '/no/such/file'])).toBe(1);
    expect(await main(['render', 'revenge', '--values', '/no/such/values.yaml'])).toBe(1);
  });

  it('says an empty list is empty', async () => {
    const cases: [string[], RegExp][] = [
      [['docker', 'list'], /^No Docker endpoints yet/],
      [['nas', 'list'], /^No NAS hosts yet/],
      [['s3', 'list'], /^No S3 profiles yet/],
      [['registry', 'list'], /^No registry credentials yet/],
      [['stacks', 'list'], /No user stacks yet/],
    ];
    for (const [args, expected] of cases) {
      const io = capture();
      expect(await main([...args, '--data-dir', dataDir])).toBe(0);
      expect(io.out()).toMatch(expected);
      vi.restoreAllMocks();
    }
  });
});

describe('nearest', () => {
  it('picks the closest candidate within reach, or none', () => {
    expect(nearest('deplyo', ['deploy', 'render', 'rollback'])).toBe('deploy');
    expect(nearest('--namepsace', ['--namespace', '--context'])).toBe('--namespace');
    expect(nearest('launch', ['deploy', 'render', 'rollback'])).toBeUndefined();
  });
});
