import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpProxy, type TestProxy } from '../../testing/proxies';
import { collect, kubeExecFixture, TOKEN, type KubeExecFixture } from './testing/kube-fixture';
import { generatedInput, hashingSink, MB, peakRssGrowth } from './testing/streams';

let fx: KubeExecFixture;

beforeAll(async () => {
  fx = await kubeExecFixture();
  fx.server.addPod({ name: 'web', containers: ['app'] });
  fx.server.addPod({ name: 'two', containers: ['main', 'sidecar'] });
  fx.server.addPod({ name: 'done', containers: ['job'], phase: 'Succeeded' });
  fx.server.addPod({ name: 'crashing', containers: ['app'], waiting: { app: 'CrashLoopBackOff' } });
});
afterAll(() => fx?.close());

describe('commands in a pod through pods/exec over WebSocket', () => {
  it('passes 96 MB through stdin to stdout unchanged, in flat memory, with a slow reader', async () => {
    const pipe = async (bytes: number, slow: boolean) => {
      const input = generatedInput(bytes);
      const sink = hashingSink(slow ? { delayEveryBytes: 256 * 1024, delayMs: 10 } : {});
      const session = fx.run({ workload: { pod: 'web' }, command: ['cat'], stdin: true });
      const [, , result] = await Promise.all([
        pipeline(input.stream, session.stdin!),
        pipeline(session.stdout, sink.stream),
        session.result,
        session.stderr.resume(),
      ]);
      return { result, out: await sink.done, digest: await input.digest };
    };
    // A first stream warms up TLS, the JIT and the heap on the same path; the one after it is measured.
    await pipe(16 * MB, true);
    const { value, growthBytes } = await peakRssGrowth(() => pipe(96 * MB, true));
    expect(value.result).toEqual({ kind: 'exited', code: 0 });
    expect(value.out.bytes).toBe(96 * MB);
    expect(value.out.digest).toBe(value.digest);
    console.log(`kubernetes exec: 96 MB through cat, peak RSS growth ${(growthBytes / MB).toFixed(1)} MB`);
    // Client and fake server both run in this process: neither may hold the stream.
    expect(growthBytes).toBeLessThan(32 * MB);
  });

  it('says how the command ended: exit 0, exit 1, killed by SIGKILL', async () => {
    const run = (script: string) => collect(fx.run({ workload: { pod: 'web' }, command: ['sh', '-c', script] }));
    expect((await run('true')).result).toEqual({ kind: 'exited', code: 0 });
    expect((await run('echo no >&2; exit 1')).result).toEqual({ kind: 'exited', code: 1 });
    expect((await run('kill -9 $$')).result).toEqual({ kind: 'signaled', signal: 'SIGKILL', code: 137 });
    const both = await run('echo out; echo err >&2');
    expect(both).toMatchObject({ out: 'out\n', err: 'err\n' });
  });

  it('defaults the container as kubectl does and says which one it took', async () => {
    const session = fx.run({ workload: { pod: 'two' }, command: ['true'] });
    expect(await session.started).toEqual({
      workload: 'pod two in namespace default',
      container: 'main',
      defaulted: { from: ['main', 'sidecar'] },
    });
    await session.result;
    expect(fx.server.execs.at(-1)!.query.get('container')).toBe('main');
  });

  it('with a terminal: one output stream, the size sent first and on every resize', async () => {
    const session = fx.run({
      workload: { pod: 'web' },
      command: ['sh', '-c', 'read line; echo "got $line"; echo err >&2'],
      stdin: true,
      tty: { cols: 120, rows: 40 },
    });
    await session.started;
    session.resize({ cols: 80, rows: 24 });
    session.stdin!.end('typed\n');
    const { out, err, result } = await collect(session);
    expect(result).toEqual({ kind: 'exited', code: 0 });
    expect(out).toBe('got typed\nerr\n');
    expect(err).toBe('');
    const record = fx.server.execs.at(-1)!;
    expect(record.query.get('tty')).toBe('true');
    expect(record.query.get('stderr')).toBeNull();
    expect(record.resizes).toEqual([
      { Width: 120, Height: 40 },
      { Width: 80, Height: 24 },
    ]);
  });
});

describe('a command that cannot run says which pod, which container and why', () => {
  const failure = async (request: Parameters<KubeExecFixture['run']>[0]) => (await collect(fx.run(request))).result;

  it('no such pod, no such container, no such program', async () => {
    expect(await failure({ workload: { pod: 'ghost' }, command: ['true'] })).toEqual({
      kind: 'failed',
      reason: 'not-found',
      message: "pod ghost in namespace default of context 'c' does not exist",
    });
    expect(await failure({ workload: { pod: 'two' }, container: 'db', command: ['true'] })).toEqual({
      kind: 'failed',
      reason: 'not-found',
      message: "pod two in namespace default of context 'c' has no container db; its containers: main, sidecar",
    });
    const missing = await failure({ workload: { pod: 'web' }, command: ['no-such-program'] });
    expect(missing).toMatchObject({ kind: 'failed', reason: 'no-executable' });
    expect(missing.kind === 'failed' && missing.message).toMatch(
      /^pod web \(container app\) in namespace default of context 'c': .*"no-such-program": executable file not found/,
    );
  });

  it('a file that is not executable is permission-denied, naming the pod and container', async () => {
    const denied = await failure({ workload: { pod: 'two' }, container: 'sidecar', command: ['/etc/passwd'] });
    expect(denied).toMatchObject({ kind: 'failed', reason: 'permission-denied' });
    expect(denied.kind === 'failed' && denied.message).toMatch(
      /^pod two \(container sidecar\) in namespace default of context 'c': .*"\/etc\/passwd": permission denied/,
    );
  });

  it('a completed pod and a container that is not running', async () => {
    expect(await failure({ workload: { pod: 'done' }, command: ['true'] })).toMatchObject({
      reason: 'not-running',
      message:
        "pod done in namespace default of context 'c' has completed (phase Succeeded); a command needs a running pod",
    });
    expect(await failure({ workload: { pod: 'crashing' }, command: ['true'] })).toMatchObject({
      reason: 'not-running',
      message:
        "container app of pod crashing in namespace default of context 'c' is not running (waiting: CrashLoopBackOff)",
    });
  });

  it('an empty command and a Swarm workload are refused before anything is sent', async () => {
    const before = fx.server.execs.length;
    expect(await failure({ workload: { pod: 'web' }, command: [] })).toMatchObject({ reason: 'invalid' });
    expect(await failure({ workload: { task: 'abc' }, command: ['true'] })).toMatchObject({ reason: 'invalid' });
    expect(fx.server.execs.length).toBe(before);
  });

  it('RBAC refusing pods/exec is permission-denied, in the API server words', async () => {
    const denied = await kubeExecFixture({ forbidExec: true });
    denied.server.addPod({ name: 'web', containers: ['app'] });
    try {
      const result = await (await collect(denied.run({ workload: { pod: 'web' }, command: ['true'] }))).result;
      expect(result).toMatchObject({ kind: 'failed', reason: 'permission-denied' });
      expect(result.kind === 'failed' && result.message).toContain('cannot create resource "pods/exec"');
    } finally {
      await denied.close();
    }
  });

  it('refused credentials are unreachable, naming the context', async () => {
    const wrong = await kubeExecFixture({ user: { token: 'not-the-token' } });
    wrong.server.addPod({ name: 'web', containers: ['app'] });
    try {
      const { result } = await collect(wrong.run({ workload: { pod: 'web' }, command: ['true'] }));
      expect(result).toMatchObject({ kind: 'failed', reason: 'unreachable' });
      expect(result.kind === 'failed' && result.message).toMatch(/refused the credentials of context 'c' \(HTTP 401/);
    } finally {
      await wrong.close();
    }
  });

  it('a connection lost mid-stream is connection-lost, not an exit code', async () => {
    const session = fx.run({ workload: { pod: 'web' }, command: ['sh', '-c', 'echo started; sleep 30'] });
    const first = await new Promise<string>((r) => session.stdout.once('data', (c: Buffer) => r(c.toString())));
    expect(first).toBe('started\n');
    fx.server.dropConnections();
    session.stdout.resume();
    const result = await session.result;
    expect(result).toMatchObject({ kind: 'failed', reason: 'connection-lost' });
    expect(result.kind === 'failed' && result.message).toMatch(/^pod web \(container app\) .*connection was lost/);
  });

  it('cancelling ends the session as cancelled', async () => {
    const abort = new AbortController();
    const session = fx.run({ workload: { pod: 'web' }, command: ['sleep', '30'], signal: abort.signal });
    await session.started;
    abort.abort();
    expect(await session.result).toMatchObject({ kind: 'failed', reason: 'cancelled' });
  });
});

describe('the kube layer carries over to exec', () => {
  let proxy: TestProxy;
  beforeAll(async () => (proxy = await startHttpProxy()));
  afterAll(() => proxy?.close());

  it('goes through the cluster proxy-url and sends the impersonation headers', async () => {
    const through = await kubeExecFixture({
      cluster: { 'proxy-url': proxy.url },
      user: { token: TOKEN, as: 'alice', 'as-groups': ['ops', 'dev'] },
    });
    through.server.addPod({ name: 'web', containers: ['app'] });
    try {
      const { out, result } = await collect(through.run({ workload: { pod: 'web' }, command: ['echo', 'via proxy'] }));
      expect(result).toEqual({ kind: 'exited', code: 0 });
      expect(out).toBe('via proxy\n');
      const port = new URL(through.server.url).port;
      expect(proxy.records.filter((r) => r.kind === 'connect' && String(r.port) === port).length).toBeGreaterThan(0);
      const headers = through.server.execs.at(-1)!.headers;
      expect(headers['Impersonate-User']).toEqual(['alice']);
      expect(headers['Impersonate-Group']).toEqual(['ops', 'dev']);
    } finally {
      await through.close();
    }
  });

  it('falls back to v4.channel.k8s.io where the server has no v5', async () => {
    const old = await kubeExecFixture({ protocols: ['v4.channel.k8s.io'] });
    old.server.addPod({ name: 'web', containers: ['app'] });
    try {
      const { out, result } = await collect(
        old.run({ workload: { pod: 'web' }, command: ['sh', '-c', 'echo four; exit 4'] }),
      );
      expect(out).toBe('four\n');
      expect(result).toEqual({ kind: 'exited', code: 4 });
      expect(old.server.execs.at(-1)!.protocol).toBe('v4.channel.k8s.io');
    } finally {
      await old.close();
    }
  });
});
