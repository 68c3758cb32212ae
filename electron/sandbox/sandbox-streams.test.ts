/**
 * The simulated runtime has no processes to exec into or forward to: kubectl and a WebSocket
 * client get a refusal that names the runtime that has them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { kubectlHarness } from './docker/kubectl-harness';
import { startSandbox, type Sandbox } from './index';

let sandbox: Sandbox;
const dir = mkdtempSync(join(tmpdir(), 'homeport-sandbox-streams-'));
const kubeconfig = join(dir, 'kubeconfig');
const { kubectl, result, portForward } = kubectlHarness(kubeconfig);

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.1 });
  await sandbox.writeKubeconfig(kubeconfig);
  await kubectl('run', 'app', '--image=registry.lan/demo/app:1');
  await kubectl('wait', '--for=condition=Ready', 'pod/app', '--timeout=20s');
});

afterAll(() => sandbox?.close());

describe('exec and port-forward with the simulated runtime', () => {
  it('kubectl exec prints the reason and how to get real pods', async () => {
    for (const args of [
      ['exec', 'app', '--', 'true'],
      ['exec', '-it', 'app', '--', 'sh'],
    ]) {
      const r = await result(args);
      expect(r.code).toBe(1);
      expect(r.err).toContain('exec needs pods that are real processes, and this sandbox simulates its pods');
      expect(r.err).toContain('homeport sandbox --runtime docker');
    }
  });

  it('kubectl port-forward prints the same', async () => {
    const forward = portForward('pod/app', ':8080');
    await expect(forward.local).rejects.toThrow(/port-forward needs pods that are real processes.*--runtime docker/);
  });

  it('a WebSocket client gets the refusal as a Status before any upgrade', async () => {
    const ws = new WebSocket(
      `${sandbox.url.replace(/^https/, 'wss')}/api/v1/namespaces/default/pods/app/exec?command=true&stdout=true`,
      ['v5.channel.k8s.io'],
      { headers: { Authorization: `Bearer ${sandbox.token}` }, rejectUnauthorized: false },
    );
    const refusal = await new Promise<{ status: number; body: string }>((resolve) => {
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
    });
    expect(refusal.status).toBe(400);
    expect(JSON.parse(refusal.body)).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    expect(refusal.body).toContain('--runtime docker');
  });
});
