/**
 * The fake exec server against the real kubectl: kubectl runs commands through it and reads its
 * refusals as it reads a real API server's, so the server side Homeport is tested against is
 * faithful. Then Homeport sends the same request kubectl sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, kubectl, kubeExecFixture, type KubeExecFixture } from './testing/kube-fixture';

let fx: KubeExecFixture;

beforeAll(async () => {
  fx = await kubeExecFixture();
  fx.server.addPod({ name: 'web', containers: ['app'] });
  fx.server.addPod({ name: 'two', containers: ['main', 'sidecar'] });
});
afterAll(() => fx?.close());

describe('real kubectl exec against the fake API server', () => {
  it('pipes stdin to the command and stdout back, over v5.channel.k8s.io', async () => {
    const r = await kubectl(fx.kubeconfig, ['exec', '-i', 'web', '--', 'cat'], 'hello through kubectl\n');
    expect(r).toMatchObject({ code: 0, stdout: 'hello through kubectl\n' });
    const last = fx.server.execs.at(-1)!;
    expect(last.offered).toEqual(['v5.channel.k8s.io']);
    expect(last.protocol).toBe('v5.channel.k8s.io');
    // kubectl half-closed stdin with the v5 close message, so cat saw its end of input.
    expect(last.stdinClosed).toBe(true);
  });

  it('gives the remote exit code as its own, stdout and stderr apart', async () => {
    const r = await kubectl(fx.kubeconfig, ['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('err\n');
    expect(r.stderr).toContain('command terminated with exit code 3');
  });

  it('reads the refusals as a real API server words them', async () => {
    const container = await kubectl(fx.kubeconfig, ['exec', 'web', '-c', 'nosuch', '--', 'true']);
    expect(container.code).toBe(1);
    expect(container.stderr).toContain('container nosuch is not valid for pod web');
    const pod = await kubectl(fx.kubeconfig, ['exec', 'ghost', '--', 'true']);
    expect(pod.stderr).toContain('pods "ghost" not found');
    const missing = await kubectl(fx.kubeconfig, ['exec', 'web', '--', 'no-such-program']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('executable file not found in $PATH');
  });

  it('sends the request Homeport sends for the same command', async () => {
    await kubectl(fx.kubeconfig, ['exec', '-i', 'two', '-c', 'sidecar', '--', 'sh', '-c', 'exit 0'], '');
    const byKubectl = fx.server.execs.at(-1)!;
    const session = fx.run({
      workload: { pod: 'two' },
      container: 'sidecar',
      command: ['sh', '-c', 'exit 0'],
      stdin: true,
    });
    session.stdin!.end();
    const { result } = await collect(session);
    expect(result).toEqual({ kind: 'exited', code: 0 });
    const byHomeport = fx.server.execs.at(-1)!;
    expect(byHomeport.path).toBe(byKubectl.path);
    expect(byHomeport.query.toString()).toBe(byKubectl.query.toString());
    expect(byHomeport.method).toBe(byKubectl.method);
    // Homeport offers v4 after v5, for API servers that do not speak v5 yet.
    expect(byHomeport.offered).toEqual(['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    expect(byHomeport.headers.Authorization ?? byHomeport.headers.authorization).toEqual(
      byKubectl.headers.Authorization ?? byKubectl.headers.authorization,
    );
  });
});
