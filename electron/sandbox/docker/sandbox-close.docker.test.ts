/**
 * Closing the sandbox with `--runtime docker` (what `homeport serve --sandbox` does on Ctrl-C or
 * SIGTERM) ends its containers at once: a container being restarted after a failed liveness probe
 * is given its pod's grace period by the kubelet, but the sandbox going away does not wait for it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STANDIN_IMAGE } from '../../core/docker/testing/dockerd';
import { testEngine } from '../../core/docker/testing/engine';
import { startSandbox, type Sandbox } from '../index';
import { eventually, kubectlHarness } from './kubectl-harness';

const engine = testEngine();
const dir = mkdtempSync(join(tmpdir(), 'homeport-sandbox-close-'));
const kubeconfig = join(dir, 'kubeconfig');
const { kubectl } = kubectlHarness(kubeconfig);
let sandbox: Sandbox | undefined;

/** Ignores SIGTERM, so only a kill ends it; its liveness probe always fails. */
const MANIFEST = `
apiVersion: v1
kind: Pod
metadata: {name: stubborn}
spec:
  terminationGracePeriodSeconds: 600
  containers:
  - name: main
    image: ${STANDIN_IMAGE}
    command: [sh, -c, 'trap "" TERM; while true; do sleep 1; done']
    livenessProbe: {exec: {command: ['false']}, periodSeconds: 1, failureThreshold: 1}
`;

const sandboxContainers = async () =>
  (await engine.docker(['ps', '-aq', '--filter', 'label=homeport.dev/sandbox'])).trim();

afterAll(async () => {
  // Only when the test failed: the sandbox not closed, or its containers left behind.
  await sandbox?.close();
  const left = (await sandboxContainers()).split('\n').filter(Boolean);
  if (left.length > 0) await engine.docker(['rm', '-f', ...left]);
});

describe('closing the sandbox with the Docker runtime', () => {
  it('does not wait out the grace period of a container the kubelet is stopping', async () => {
    // speed 1: grace periods are real seconds, as in `homeport serve --sandbox`.
    sandbox = await startSandbox({ speed: 1, runtime: { kind: 'docker', dockerHost: engine.host } });
    await sandbox.writeKubeconfig(kubeconfig);
    writeFileSync(join(dir, 'pod.yaml'), MANIFEST);
    await kubectl('apply', '-f', join(dir, 'pod.yaml'));
    // The probe failed and the kubelet has asked the engine to stop the container within 600 s.
    await eventually(
      () => kubectl('get', 'events', '--field-selector', 'involvedObject.name=stubborn,reason=Killing', '-o', 'name'),
      (out) => typeof out === 'string' && out.trim() !== '',
      60_000,
    );
    expect(await sandboxContainers()).not.toBe('');

    const closing = sandbox.close();
    sandbox = undefined;
    const outcome = await Promise.race([
      closing.then(() => 'closed'),
      new Promise((r) => setTimeout(() => r('still closing after 30 s'), 30_000)),
    ]);
    expect(outcome).toBe('closed');
    expect(await sandboxContainers()).toBe('');
  }, 120_000);
});
