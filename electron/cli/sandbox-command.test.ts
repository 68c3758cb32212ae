import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './index';
import { runSandbox } from './sandbox-command';
import { parseRuntime } from './sandbox-runtime';

describe('homeport sandbox --kubeconfig-out', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes the kubeconfig 0600 even over an existing world-readable file', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const out = join(mkdtempSync(join(tmpdir(), 'homeport-sandbox-out-')), 'sandbox.kubeconfig');
    writeFileSync(out, 'old: file\n');
    chmodSync(out, 0o644);
    let stop: (() => void) | undefined;
    const running = runSandbox({ port: '0', nodes: '1', 'kubeconfig-out': out }, () => new Promise((r) => (stop = r)));
    // runSandbox waits on `until` once the file is written.
    await vi.waitFor(() => expect(stop).toBeDefined(), { timeout: 10_000 });
    expect(readFileSync(out, 'utf8')).toContain('token:');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    stop?.();
    expect(await running).toBe(0);
  });
});

describe('--runtime', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is simulated by default, docker at $DOCKER_HOST or the local socket, or docker=HOST', () => {
    expect(parseRuntime(undefined)).toBeUndefined();
    expect(parseRuntime('simulated')).toBeUndefined();
    expect(parseRuntime('docker', {})).toEqual({ kind: 'docker', dockerHost: 'unix:///var/run/docker.sock' });
    expect(parseRuntime('docker', { DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toEqual({
      kind: 'docker',
      dockerHost: 'tcp://127.0.0.1:2375',
    });
    expect(parseRuntime('docker=unix:///run/user/1000/docker.sock', { DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toEqual({
      kind: 'docker',
      dockerHost: 'unix:///run/user/1000/docker.sock',
    });
    expect(() => parseRuntime('podman')).toThrow(/'podman' is not a runtime; use simulated \(the default\), docker/);
  });

  it('is refused where it cannot work, saying why', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await main(['serve', '--runtime', 'docker'])).toBe(2);
    expect(await main(['sandbox', '--runtime', 'docker=tcp://10.0.0.5:2375'])).toBe(1);
    const printed = err.mock.calls.flat().join('\n');
    expect(printed).toContain("--runtime: chooses what runs the sandbox's pods; add --sandbox");
    expect(printed).toContain('the sandbox runs pods on an engine on this machine');
  });
});
