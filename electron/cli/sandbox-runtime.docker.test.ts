/**
 * `homeport sandbox --runtime docker[=DOCKER_HOST]` and `homeport serve --sandbox --runtime docker`
 * against the test engine: the pods kubectl creates are containers there, exec reaches them, and
 * stopping the command removes them.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { STANDIN_IMAGE } from '../core/docker/testing/dockerd';
import { testEngine } from '../core/docker/testing/engine';
import { eventually, kubectlHarness } from '../sandbox/docker/kubectl-harness';
import { main } from './index';
import { runSandbox } from './sandbox-command';
import { runServe } from './serve-command';

const engine = testEngine();

/** Runs a pod through kubectl and execs into it; resolves with what the exec printed. */
async function execInNewPod(kubeconfig: string): Promise<string> {
  const { kubectl } = kubectlHarness(kubeconfig);
  await kubectl('run', 'cli-pod', `--image=${STANDIN_IMAGE}`);
  await eventually(
    () => kubectl('get', 'pod', 'cli-pod', '--no-headers'),
    (t) => typeof t === 'string' && /\s1\/1\s+Running/.test(t),
  );
  const containers = await engine.docker(['ps', '-q', '--filter', 'label=io.kubernetes.pod.name=cli-pod']);
  expect(containers.trim()).not.toBe('');
  return kubectl('exec', 'cli-pod', '--', 'sh', '-c', 'echo inside $(hostname)');
}

const leftovers = async () =>
  (await engine.docker(['ps', '-aq', '--filter', 'label=homeport.dev/sandbox'])).trim() +
  (await engine.docker(['network', 'ls', '-q', '--filter', 'label=homeport.dev/sandbox'])).trim();

function stopper() {
  let stop: (() => void) | undefined;
  const until = () => new Promise<void>((r) => (stop = r));
  return { until, stop: () => stop?.(), started: () => stop !== undefined };
}

describe('homeport sandbox --runtime docker', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('--runtime docker=HOST runs pods on that engine and removes them when the command stops', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const out = join(mkdtempSync(join(tmpdir(), 'homeport-cli-runtime-')), 'sandbox.kubeconfig');
    const s = stopper();
    const running = runSandbox({ nodes: '1', 'kubeconfig-out': out, runtime: `docker=${engine.host}` }, s.until);
    await vi.waitFor(() => expect(s.started()).toBe(true), { timeout: 20_000 });
    expect(log.mock.calls.flat().join('\n')).toContain(`pods as containers on the Docker engine at ${engine.host}`);
    expect(await execInNewPod(out)).toBe('inside cli-pod\n');
    s.stop();
    expect(await running).toBe(0);
    expect(await leftovers()).toBe('');
  });

  it('--runtime docker takes the engine from DOCKER_HOST', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.stubEnv('DOCKER_HOST', engine.host);
    const out = join(mkdtempSync(join(tmpdir(), 'homeport-cli-runtime-')), 'sandbox.kubeconfig');
    const s = stopper();
    const running = runSandbox({ nodes: '1', 'kubeconfig-out': out, runtime: 'docker' }, s.until);
    await vi.waitFor(() => expect(s.started()).toBe(true), { timeout: 20_000 });
    expect(log.mock.calls.flat().join('\n')).toContain(`Docker engine at ${engine.host}`);
    s.stop();
    expect(await running).toBe(0);
  });

  it('homeport serve --sandbox --runtime docker writes a kubeconfig whose pods are containers', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const dataDir = mkdtempSync(join(tmpdir(), 'homeport-cli-serve-'));
    const s = stopper();
    const running = runServe(
      { port: '0', 'data-dir': dataDir, sandbox: true, runtime: `docker=${engine.host}` },
      s.until,
    );
    await vi.waitFor(() => expect(s.started()).toBe(true), { timeout: 20_000 });
    expect(err.mock.calls.flat().join('\n')).toContain(`Docker engine at ${engine.host}`);
    const kubeconfig = join(dataDir, 'sandbox.kubeconfig');
    expect(readFileSync(kubeconfig, 'utf8')).toContain('homeport.dev/sandbox');
    expect(await execInNewPod(kubeconfig)).toBe('inside cli-pod\n');
    s.stop();
    expect(await running).toBe(0);
    expect(await leftovers()).toBe('');
  });

  it('an engine that does not answer is named, with what to do', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const code = await main(['sandbox', '--runtime', 'docker=unix:///nonexistent/docker.sock']);
    expect(code).toBe(1);
    expect(err.mock.calls.flat().join('\n')).toMatch(
      /--runtime docker: the Docker engine at unix:\/\/\/nonexistent\/docker\.sock does not answer .*--runtime docker=unix:\/\/\//,
    );
  });

  it("a port already in use ends the command without leaving the runtime's state behind", async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const stateDirs = () => readdirSync(tmpdir()).filter((n) => /^homeport-sandbox-[0-9a-f]{8}-/.test(n));
    const before = stateDirs();
    try {
      const port = String((busy.address() as net.AddressInfo).port);
      expect(await main(['sandbox', '--port', port, '--runtime', `docker=${engine.host}`])).toBe(1);
    } finally {
      busy.close();
    }
    expect(err.mock.calls.flat().join('\n')).toContain('EADDRINUSE');
    expect(stateDirs()).toEqual(before);
  });
});
