import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DockerEndpoints } from '../docker/endpoints';
import { collect } from './testing/kube-fixture';
import { generatedInput, hashingSink, MB, peakRssGrowth } from './testing/streams';
import { STANDIN_IMAGES } from '../docker/testing/dockerd';
import { engine, runOn, standinService, testEndpoints } from './testing/swarm-fixture';

let endpoints: DockerEndpoints;
let service: { name: string; taskId: string };

beforeAll(async () => {
  ({ endpoints } = await testEndpoints());
  service = await standinService();
});
afterAll(async () => {
  if (service) await engine.docker(['service', 'rm', service.name]).catch(() => undefined);
});

const sh = (script: string, extra: Partial<Parameters<typeof runOn>[2]> = {}) =>
  runOn(endpoints, 'local', { workload: { service: service.name }, command: ['sh', '-c', script], ...extra });

describe('commands in a Swarm task through the engine exec API', () => {
  it('passes 100 MB through stdin to stdout unchanged, in flat memory, with a slow reader', async () => {
    const pipe = async (bytes: number, slow: boolean) => {
      const input = generatedInput(bytes);
      const sink = hashingSink(slow ? { delayEveryBytes: 256 * 1024, delayMs: 10 } : {});
      const session = runOn(endpoints, 'local', { workload: { service: service.name }, command: ['cat'], stdin: true });
      const [, , result] = await Promise.all([
        pipeline(input.stream, session.stdin!),
        pipeline(session.stdout, sink.stream),
        session.result,
        session.stderr.resume(),
      ]);
      return { result, out: await sink.done, digest: await input.digest };
    };
    // A first stream warms up the JIT and the heap on the same path; the one after it is measured.
    await pipe(16 * MB, true);
    const { value, growthBytes } = await peakRssGrowth(() => pipe(100 * MB, true));
    expect(value.result).toEqual({ kind: 'exited', code: 0 });
    expect(value.out.bytes).toBe(100 * MB);
    expect(value.out.digest).toBe(value.digest);
    console.log(`swarm exec: 100 MB through cat, peak RSS growth ${(growthBytes / MB).toFixed(1)} MB`);
    // Young-generation garbage of passed chunks alone can reach tens of MB before V8 collects it;
    // a stream held anywhere would be most of the 100 MB (the reader is slower than the engine).
    expect(growthBytes).toBeLessThan(48 * MB);
  });

  it('says how the command ended: exit 0, exit 1, killed by SIGKILL; stdout and stderr apart', async () => {
    expect((await collect(sh('true'))).result).toEqual({ kind: 'exited', code: 0 });
    expect((await collect(sh('exit 1'))).result).toEqual({ kind: 'exited', code: 1 });
    expect((await collect(sh('kill -9 $$'))).result).toEqual({ kind: 'signaled', signal: 'SIGKILL', code: 137 });
    expect(await collect(sh('echo out; echo err >&2; exit 5'))).toEqual({
      out: 'out\n',
      err: 'err\n',
      result: { kind: 'exited', code: 5 },
    });
  });

  it('names the task it ran in, found by service, by task id and as service.slot', async () => {
    const byService = sh('true');
    const place = await byService.started;
    expect(place?.workload).toMatch(
      new RegExp(`^task ${service.name}\\.1 \\(${service.taskId.slice(0, 12)}\\) of service ${service.name}$`),
    );
    await byService.result;
    for (const task of [service.taskId, `${service.name}.1`]) {
      const { out, result } = await collect(
        runOn(endpoints, 'local', { workload: { task }, command: ['echo', 'in the task'] }),
      );
      expect({ out, result }).toEqual({ out: 'in the task\n', result: { kind: 'exited', code: 0 } });
    }
  });

  it('with a terminal: one raw output stream, sized at start and resized', async () => {
    // Engine 20.10 sizes the terminal only after the start: the command waits a moment.
    const session = sh('sleep 1; busybox stty size; read x; busybox stty size; echo err >&2', {
      stdin: true,
      tty: { cols: 111, rows: 33 },
    });
    const chunks: string[] = [];
    session.stdout.on('data', (c: Buffer) => chunks.push(c.toString()));
    await session.started;
    for (let i = 0; i < 50 && !chunks.join('').includes('\n'); i++) await new Promise((r) => setTimeout(r, 100));
    session.resize({ cols: 90, rows: 20 });
    await new Promise((r) => setTimeout(r, 500));
    // A terminal's input stays open (its end would hang up the terminal): a key press, not an end.
    session.stdin!.write('go\r');
    const result = await session.result;
    expect(result).toEqual({ kind: 'exited', code: 0 });
    const out = chunks.join('');
    expect(out).toMatch(/^33 111\r\n/);
    expect(out).toContain('20 90\r\n');
    expect(out).toContain('err\r\n');
  });
});

describe('a command that cannot run on Swarm says which task and why', () => {
  const result = async (request: Parameters<typeof runOn>[2]) =>
    (await collect(runOn(endpoints, 'local', request))).result;

  it('no such service, no such task, a container asked for', async () => {
    expect(await result({ workload: { service: 'no-such-service' }, command: ['true'] })).toEqual({
      kind: 'failed',
      reason: 'not-found',
      message: "there is no service no-such-service on swarm endpoint 'local'",
    });
    expect(await result({ workload: { task: 'no-such-task' }, command: ['true'] })).toMatchObject({
      reason: 'not-found',
    });
    expect(await result({ workload: { service: service.name }, container: 'x', command: ['true'] })).toMatchObject({
      reason: 'invalid',
    });
  });

  it('no such executable is no-executable in the engine words, nothing on stdout', async () => {
    const { out, result: r } = await collect(
      runOn(endpoints, 'local', { workload: { service: service.name }, command: ['no-such-program'] }),
    );
    expect(r).toMatchObject({ kind: 'failed', reason: 'no-executable' });
    expect(r.kind === 'failed' && r.message).toMatch(
      new RegExp(
        `^task ${service.name}\\.1 .* on swarm endpoint 'local': .*"no-such-program": executable file not found`,
      ),
    );
    expect(out).toBe('');
  });

  it('a container without a shell: sh is no-executable, naming the task and container', async () => {
    const noShell = await standinService('exec-noshell', STANDIN_IMAGES.dragonfly);
    try {
      const { out, result: r } = await collect(
        runOn(endpoints, 'local', { workload: { service: noShell.name }, command: ['sh', '-c', 'true'] }),
      );
      expect(r).toMatchObject({ kind: 'failed', reason: 'no-executable' });
      expect(r.kind === 'failed' && r.message).toMatch(
        new RegExp(
          `^task ${noShell.name}\\.1 \\(${noShell.taskId.slice(0, 12)}\\) of service ${noShell.name} \\(container [0-9a-f]{12}\\) on swarm endpoint 'local': .*"sh": executable file not found`,
        ),
      );
      expect(out).toBe('');
    } finally {
      await engine.docker(['service', 'rm', noShell.name]).catch(() => undefined);
    }
  });

  it('a file that is not executable is permission-denied in the engine words', async () => {
    expect((await collect(sh('echo echo hi > /tmp/script'))).result).toEqual({ kind: 'exited', code: 0 });
    const { out, result: r } = await collect(
      runOn(endpoints, 'local', { workload: { service: service.name }, command: ['/tmp/script'] }),
    );
    expect(r).toMatchObject({ kind: 'failed', reason: 'permission-denied' });
    expect(r.kind === 'failed' && r.message).toMatch(
      new RegExp(`^task ${service.name}\\.1 .* on swarm endpoint 'local': .*permission denied`),
    );
    expect(out).toBe('');
  });

  it('the container killed mid-stream: the command dies with it, SIGKILL as docker exec reports it', async () => {
    const victim = await standinService('exec-victim');
    try {
      const session = runOn(endpoints, 'local', {
        workload: { service: victim.name },
        command: ['sh', '-c', 'echo started; sleep 30'],
      });
      const first = await new Promise<string>((r) => session.stdout.once('data', (c: Buffer) => r(c.toString())));
      expect(first).toBe('started\n');
      const container = (await session.started)!.container;
      await engine.docker(['kill', container]);
      session.stdout.resume();
      session.stderr.resume();
      const result = await session.result;
      // docker exec (and kubectl exec in a killed container) exit 137 too: the engine saw it killed.
      expect(result).toEqual({ kind: 'signaled', signal: 'SIGKILL', code: 137 });
    } finally {
      await engine.docker(['service', 'rm', victim.name]).catch(() => undefined);
    }
  });

  it('cancelling ends the session as cancelled', async () => {
    const abort = new AbortController();
    const session = sh('sleep 30', { signal: abort.signal });
    await session.started;
    abort.abort();
    expect(await session.result).toMatchObject({ kind: 'failed', reason: 'cancelled' });
  });
});
