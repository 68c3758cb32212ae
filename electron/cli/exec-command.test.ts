import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubeExecFixture, text, type KubeExecFixture } from '../core/exec/testing/kube-fixture';
import { generatedInput, hashingSink, MB } from '../core/exec/testing/streams';
import { parseExecArgs, runExec, swarmWorkload, type ExecIo, type LocalTerminal } from './exec-command';

let fx: KubeExecFixture;
const dataDir = mkdtempSync(join(tmpdir(), 'homeport-exec-cli-'));

beforeAll(async () => {
  fx = await kubeExecFixture();
  fx.server.addPod({ name: 'web', containers: ['app'] });
  fx.server.addPod({ name: 'two', containers: ['main', 'sidecar'] });
  fx.server.addPod({ name: 'db', namespace: 'media', containers: ['postgres'] });
});
afterAll(() => fx?.close());

/** The CLI with piped stdin, stdout and stderr, as in `echo x | homeport exec ... > out 2> err`. */
async function homeportExec(args: string[], opts: { stdin?: Readable | string; terminal?: LocalTerminal } = {}) {
  const stdin =
    typeof opts.stdin === 'string' ? Readable.from([Buffer.from(opts.stdin)]) : (opts.stdin ?? new PassThrough());
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const io: ExecIo = {
    stdin,
    stdout,
    stderr,
    env: { PATH: process.env.PATH },
    ...(opts.terminal ? { terminal: opts.terminal } : {}),
  };
  const outText = text(stdout);
  const errText = text(stderr);
  const code = await runExec(['--kubeconfig', fx.kubeconfig, '--data-dir', dataDir, ...args], io);
  stdout.end();
  stderr.end();
  return { code, stdout: await outText, stderr: await errText };
}

describe('homeport exec --context', () => {
  it('pipes stdin with -i, prints stdout and stderr apart, and exits with the command exit code, as kubectl', async () => {
    expect(
      await homeportExec(['--context', 'c', '-i', 'web', '--', 'cat'], { stdin: 'hello through homeport\n' }),
    ).toEqual({ code: 0, stdout: 'hello through homeport\n', stderr: '' });
    expect(fx.server.execs.at(-1)!.stdinClosed).toBe(true);

    const script = ['sh', '-c', 'echo out; echo err >&2; exit 3'];
    const byKubectl = await kubectl(fx.kubeconfig, ['exec', 'web', '--', ...script]);
    const byHomeport = await homeportExec(['--context', 'c', 'web', '--', ...script]);
    expect(byHomeport).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(byHomeport.code).toBe(byKubectl.code);
    expect(byHomeport.stdout).toBe(byKubectl.stdout);

    // Killed by SIGKILL: 128 + 9, as kubectl and a shell say it.
    const killed = ['sh', '-c', 'kill -9 $$'];
    expect((await homeportExec(['--context', 'c', 'web', '--', ...killed])).code).toBe(137);
    expect((await kubectl(fx.kubeconfig, ['exec', 'web', '--', ...killed])).code).toBe(137);
  });

  it('passes 16 MB through stdin unchanged', async () => {
    const input = generatedInput(16 * MB);
    const stdout = new PassThrough();
    const sink = hashingSink();
    stdout.pipe(sink.stream);
    const io: ExecIo = { stdin: input.stream, stdout, stderr: new PassThrough(), env: { PATH: process.env.PATH } };
    const code = await runExec(
      ['--kubeconfig', fx.kubeconfig, '--data-dir', dataDir, '--context', 'c', '-i', 'web', '--', 'cat'],
      io,
    );
    stdout.end();
    expect(code).toBe(0);
    expect(await sink.done).toEqual({ bytes: 16 * MB, digest: await input.digest });
  });

  it('without -i the command gets no input', async () => {
    const r = await homeportExec(['--context', 'c', 'web', '--', 'cat'], { stdin: 'not sent\n' });
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(fx.server.execs.at(-1)!.query.get('stdin')).toBeNull();
  });

  it('takes -n and -c, and says which container it defaulted to', async () => {
    expect(await homeportExec(['--context', 'c', '-n', 'media', 'db', '--', 'echo', 'in media'])).toEqual({
      code: 0,
      stdout: 'in media\n',
      stderr: '',
    });
    expect(fx.server.execs.at(-1)!.path).toBe('/api/v1/namespaces/media/pods/db/exec');
    expect(await homeportExec(['--context', 'c', 'two', '-c', 'sidecar', '--', 'true'])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(fx.server.execs.at(-1)!.query.get('container')).toBe('sidecar');
    const defaulted = await homeportExec(['--context', 'c', 'two', '--', 'true']);
    expect(defaulted.stderr).toBe('Defaulted container "main" out of: main, sidecar\n');
  });

  it('a command that cannot run: the message names the pod and container, exit code 1', async () => {
    expect(await homeportExec(['--context', 'c', 'ghost', '--', 'true'])).toEqual({
      code: 1,
      stdout: '',
      stderr: "homeport exec: pod ghost in namespace default of context 'c' does not exist\n",
    });
    const missing = await homeportExec(['--context', 'c', 'web', '--', 'no-such-program']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^homeport exec: pod web \(container app\) in namespace default of context 'c': .*"no-such-program": executable file not found/,
    );
  });

  it('-t with a terminal: raw mode, its size at start and on every resize, restored at the end', async () => {
    let size = { cols: 120, rows: 40 };
    let onResize: (() => void) | undefined;
    const raw: boolean[] = [];
    const terminal: LocalTerminal = {
      size: () => size,
      onResize: (fn) => {
        onResize = fn;
        return () => (onResize = undefined);
      },
      setRaw: (r) => void raw.push(r),
    };
    const stdin = new PassThrough();
    const running = homeportExec(['--context', 'c', '-it', 'web', '--', 'sh', '-c', 'read x; echo got $x'], {
      stdin,
      terminal,
    });
    for (let i = 0; i < 50 && !onResize; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    size = { cols: 100, rows: 30 };
    onResize!();
    await new Promise((r) => setTimeout(r, 200));
    stdin.write('key\n');
    const r = await running;
    expect(r).toMatchObject({ code: 0, stdout: 'got key\n' });
    const exec = fx.server.execs.at(-1)!;
    expect(exec.query.get('tty')).toBe('true');
    expect(exec.resizes).toEqual([
      { Width: 120, Height: 40 },
      { Width: 100, Height: 30 },
    ]);
    expect(raw).toEqual([true, false]);
    expect(onResize).toBeUndefined();
  });

  it('-t without a terminal warns as kubectl does and runs without one', async () => {
    const r = await homeportExec(['--context', 'c', '-t', 'web', '--', 'true']);
    expect(r).toEqual({
      code: 0,
      stdout: '',
      stderr: 'Unable to use a TTY - input is not a terminal or the right kind of file\n',
    });
    expect(fx.server.execs.at(-1)!.query.get('tty')).toBeNull();
  });
});

describe('homeport exec arguments', () => {
  it('needs the command after --, one target, and --context or --swarm', () => {
    expect(parseExecArgs(['--context', 'c', 'web', '-c', 'app', '--', 'ls', '-l'])).toMatchObject({
      name: 'web',
      container: 'app',
      command: ['ls', '-l'],
    });
    expect(() => parseExecArgs(['--context', 'c', 'web', 'ls'])).toThrow('give the command after --');
    expect(() => parseExecArgs(['--context', 'c', 'web', '--'])).toThrow('give the command to run after --');
    expect(() => parseExecArgs(['--context', 'c', 'web', 'db', '--', 'ls'])).toThrow('got: web db');
    expect(() => parseExecArgs(['web', '--', 'ls'])).toThrow('give either --context');
    expect(() => parseExecArgs(['--context', 'c', '--swarm', 'e', 'web', '--', 'ls'])).toThrow('give either --context');
    expect(() => parseExecArgs(['--swarm', 'e', '-n', 'x', 'web', '--', 'ls'])).toThrow('a Swarm has no namespaces');
  });

  it('on Swarm: a service by name, one task as service.slot or by task ID', () => {
    expect(swarmWorkload('media_web')).toEqual({ service: 'media_web' });
    expect(swarmWorkload('media_web.2')).toEqual({ task: 'media_web.2' });
    expect(swarmWorkload('x2k8v1q0z3n9j4h5g6f7d8s9a')).toEqual({ task: 'x2k8v1q0z3n9j4h5g6f7d8s9a' });
  });
});
