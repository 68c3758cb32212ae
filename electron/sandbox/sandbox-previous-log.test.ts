import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index';

const run = promisify(execFile);
let sandbox: Sandbox;
let kubeconfig: string;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 20_000 });
  return stdout;
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch((err: Error) => err.message as unknown as T);
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.1 });
  const dir = mkdtempSync(join(tmpdir(), 'homeport-sandbox-previous-'));
  kubeconfig = join(dir, 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
});

afterAll(() => sandbox?.close());

describe('kubectl logs --previous against the sandbox', () => {
  it('refuses with the API server’s 400 when the container never restarted', async () => {
    await kubectl('run', 'steady', '--image=registry.lan/demo/api:latest');
    await eventually(
      () => kubectl('logs', 'steady'),
      (o) => o.includes('starting'),
    );
    await expect(kubectl('logs', 'steady', '--previous')).rejects.toThrow(
      'Error from server (BadRequest): previous terminated container "steady" in pod "steady" not found',
    );
  });

  it('prints the terminated container’s log once the container restarted, and the current one without it', async () => {
    await kubectl('run', 'crashy', '--image=ghcr.io/example/app:homeport-crash');
    const previous = await eventually(
      () => kubectl('logs', 'crashy', '--previous'),
      (o) => o.includes('ERROR exiting: simulated crash'),
    );
    expect(previous).toContain('INFO crashy starting (image ghcr.io/example/app:homeport-crash)');
    const status = await kubectl(
      'get',
      'pod',
      'crashy',
      '-o',
      'jsonpath={.status.containerStatuses[0].lastState.terminated.reason}',
    );
    expect(status).toBe('Error');
    // In its back-off the pod has no running container: `kubectl logs` shows the exited one's last
    // words, as a real kubelet does for a CrashLoopBackOff pod (validateContainerLogStatus).
    await eventually(
      () =>
        kubectl('get', 'pod', 'crashy', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}').then(
          async (reason) => (reason === 'CrashLoopBackOff' ? kubectl('logs', 'crashy') : ''),
        ),
      (o) => o.includes('ERROR exiting: simulated crash'),
    );
  });

  it('reports init containers as completed once the pod runs', async () => {
    const spec = JSON.stringify({
      spec: {
        initContainers: [{ name: 'migrate', image: 'registry.lan/demo/migrate:1' }],
        containers: [{ name: 'web', image: 'registry.lan/demo/web:1' }],
      },
    });
    await kubectl('run', 'inits', '--image=registry.lan/demo/web:1', `--overrides=${spec}`);
    const state = await eventually(
      () => kubectl('get', 'pod', 'inits', '-o', 'jsonpath={.status.initContainerStatuses[0].state.terminated.reason}'),
      (o) => o === 'Completed',
    );
    expect(state).toBe('Completed');
  });
});
