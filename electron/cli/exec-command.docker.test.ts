import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text } from '../core/exec/testing/kube-fixture';
import { engine, standinService } from '../core/exec/testing/swarm-fixture';
import { runExec, type ExecIo } from './exec-command';

const dataDir = mkdtempSync(join(tmpdir(), 'homeport-exec-swarm-cli-'));
let service: { name: string; taskId: string };

beforeAll(async () => {
  service = await standinService('exec-cli');
});
afterAll(async () => {
  if (service) await engine.docker(['service', 'rm', service.name]).catch(() => undefined);
});

/** `homeport exec --swarm env ...` with $DOCKER_HOST the test engine and piped stdio. */
async function homeportExec(args: string[], stdinText?: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const io: ExecIo = {
    stdin: stdinText === undefined ? new PassThrough() : Readable.from([Buffer.from(stdinText)]),
    stdout,
    stderr,
    env: { PATH: process.env.PATH, DOCKER_HOST: engine.host },
  };
  const outText = text(stdout);
  const errText = text(stderr);
  const code = await runExec(['--data-dir', dataDir, '--swarm', 'env', ...args], io);
  stdout.end();
  stderr.end();
  return { code, stdout: await outText, stderr: await errText };
}

describe('homeport exec --swarm against a real engine', () => {
  it('pipes stdin with -i into a running task of the service and exits with the command exit code', async () => {
    expect(await homeportExec(['-i', service.name, '--', 'cat'], 'hello through the engine\n')).toEqual({
      code: 0,
      stdout: 'hello through the engine\n',
      stderr: '',
    });
    expect(await homeportExec([service.name, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'])).toEqual({
      code: 3,
      stdout: 'out\n',
      stderr: 'err\n',
    });
    expect((await homeportExec([service.name, '--', 'sh', '-c', 'exit 1'])).code).toBe(1);
    expect((await homeportExec([service.name, '--', 'sh', '-c', 'kill -9 $$'])).code).toBe(137);
  });

  it('finds one task as service.slot and by its task ID', async () => {
    for (const task of [`${service.name}.1`, service.taskId]) {
      expect(await homeportExec([task, '--', 'echo', 'in the task'])).toEqual({
        code: 0,
        stdout: 'in the task\n',
        stderr: '',
      });
    }
  });

  it('a command that cannot run: the message names the task, container and cause, exit code 1', async () => {
    expect(await homeportExec(['no-such-service', '--', 'true'])).toEqual({
      code: 1,
      stdout: '',
      stderr: "homeport exec: there is no service no-such-service on swarm endpoint 'env'\n",
    });
    const missing = await homeportExec([service.name, '--', 'no-such-program']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(
      new RegExp(
        `^homeport exec: task ${service.name}\\.1 \\(${service.taskId.slice(0, 12)}\\) of service ${service.name} \\(container [0-9a-f]{12}\\) on swarm endpoint 'env': .*"no-such-program": executable file not found`,
      ),
    );
  });
});
