/**
 * `homeport exec -it` on a real terminal (a pseudo-terminal, as a user's) into a Swarm task on the
 * test engine: the command gets a terminal of this terminal's size, follows its resizes (SIGWINCH),
 * the keys go through raw (the remote terminal echoes, not this one), and the exit code is the
 * command's.
 */
import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { STANDIN_IMAGE } from '../electron/core/docker/testing/dockerd';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const service = `exec-tty-${randomBytes(3).toString('hex')}`;
let dockerHost: string;
const docker = (args: string[]) => run('docker', ['--host', dockerHost, ...args]);

test.beforeAll(async () => {
  const host = process.env.HOMEPORT_E2E_DOCKER_HOST;
  if (!host) throw new Error('The e2e global setup did not start the test Docker engine');
  dockerHost = host;
  // Without --detach the docker CLI waits until the service's task runs.
  await docker(['service', 'create', '--quiet', '--name', service, STANDIN_IMAGE]);
});

test.afterAll(async () => {
  await docker(['service', 'rm', service]).catch(() => undefined);
});

test('homeport exec -it on a terminal: its size, its resizes, raw keys and the exit code', async () => {
  test.setTimeout(60_000);
  // Engine 20.10 sizes the terminal only after the start (API 1.42 takes the size with the exec, as
  // docker exec sends it): the command waits a moment, as in the engine exec tests.
  const script = 'sleep 1; busybox stty size; read x; echo "read $x"; busybox stty size; exit 7';
  const child = spawn(
    'python3',
    [
      join(ROOT, 'e2e', 'env', 'pty-run.py'),
      '33',
      '111',
      '--',
      process.execPath,
      join(ROOT, 'bin', 'homeport.js'),
      'exec',
      '--data-dir',
      mkdtempSync(join(tmpdir(), 'homeport-e2e-exec-')),
      '--swarm',
      'env',
      '-it',
      service,
      '--',
      'sh',
      '-c',
      script,
    ],
    { env: { PATH: process.env.PATH, DOCKER_HOST: dockerHost, HOME: tmpdir() } },
  );
  let shown = '';
  // Node's raw mode (libuv's) keeps the output's \n → \r\n, so the remote terminal's \r\n shows as
  // \r\r\n: the same on screen.
  const take = (c: Buffer) => (shown += c.toString().replaceAll('\r\r\n', '\r\n'));
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const until = async (what: string) => {
    for (let i = 0; i < 150 && !shown.includes(what); i++) await new Promise((r) => setTimeout(r, 100));
    expect(shown).toContain(what);
  };

  await until('33 111\r\n');
  child.stdin.write('resize 20 90\n');
  // The resize reaches the engine before the key that makes the command ask for the size again.
  await new Promise((r) => setTimeout(r, 1000));
  child.stdin.write('keys go\\r\n');
  child.stdin.end();
  expect(await exited).toBe(7);
  expect(shown).toContain('read go\r\n20 90\r\n');
  // Raw: only the remote terminal echoed the keys; a cooked local terminal would echo them too.
  expect(shown.split('go').length - 1).toBe(2);
});
