/**
 * exec and port-forward of the sandbox's Docker runtime as clients other than kubectl speak them
 * (Homeport's own client among them): the WebSocket channel protocols byte for byte, and the
 * API server's refusals, which kubectl prints.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { STANDIN_IMAGE } from '../../core/docker/testing/dockerd';
import { testEngine } from '../../core/docker/testing/engine';
import { startSandbox, type Sandbox } from '../index';
import { eventually, kubectlHarness } from './kubectl-harness';

const engine = testEngine();
const dir = mkdtempSync(join(tmpdir(), 'homeport-sandbox-streams-'));
const kubeconfig = join(dir, 'kubeconfig');
const { kubectl, result, portForward } = kubectlHarness(kubeconfig);
let sandbox: Sandbox;

const MANIFEST = `
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: web
    image: ${STANDIN_IMAGE}
    ports: [{containerPort: 8096}]
---
apiVersion: v1
kind: Pod
metadata: {name: nopull}
spec:
  containers: [{name: app, image: 'homeport-test/absent:1'}]
---
apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  containers:
  - {name: app, image: '${STANDIN_IMAGE}', command: [sh, -c, 'exit 1'], ports: [{containerPort: 8096}]}
`;

interface Frame {
  channel: number;
  data: Buffer;
}

/** A WebSocket to a pod subresource, with every message split into channel and payload. */
function open(path: string, protocols: string[]) {
  const ws = new WebSocket(`${sandbox.url.replace(/^https/, 'wss')}${path}`, protocols, {
    headers: { Authorization: `Bearer ${sandbox.token}` },
    rejectUnauthorized: false,
  });
  const frames: Frame[] = [];
  ws.on('message', (data: Buffer) => frames.push({ channel: data[0] as number, data: data.subarray(1) }));
  const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const text = (channel: number) =>
    Buffer.concat(frames.filter((f) => f.channel === channel).map((f) => f.data)).toString('utf8');
  const send = (channel: number, data: Buffer | string) =>
    ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
  return { ws, frames, opened, closed, text, send };
}

const execPath = (command: string[], extra = '') =>
  `/api/v1/namespaces/default/pods/web/exec?${command.map((c) => `command=${encodeURIComponent(c)}`).join('&')}&stdout=true&stderr=true${extra}`;

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.1, runtime: { kind: 'docker', dockerHost: engine.host } });
  await sandbox.writeKubeconfig(kubeconfig);
  writeFileSync(join(dir, 'pods.yaml'), MANIFEST);
  await kubectl('apply', '-f', join(dir, 'pods.yaml'));
  await eventually(
    () => kubectl('get', 'pods', 'web', 'nopull', '--no-headers'),
    (t) =>
      typeof t === 'string' &&
      /web\s+\d\/1\s+Running/.test(t) &&
      /nopull\s+0\/1\s+ErrImagePull|ImagePullBackOff/.test(t),
  );
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
  expect((await engine.docker(['ps', '-aq', '--filter', 'label=homeport.dev/sandbox'])).trim()).toBe('');
});

describe('exec over WebSocket, as the API server serves it', () => {
  it('v5.channel.k8s.io: stdin on 0, stdout 1, stderr 2, end of stdin by 255, the Status on 3', async () => {
    const c = open(execPath(['sh', '-c', 'cat; echo err >&2; exit 5'], '&stdin=true'), [
      'v5.channel.k8s.io',
      'v4.channel.k8s.io',
    ]);
    await c.opened;
    expect(c.ws.protocol).toBe('v5.channel.k8s.io');
    c.send(0, 'typed\n');
    c.send(255, Buffer.from([0]));
    await c.closed;
    expect(c.text(1)).toBe('typed\n');
    expect(c.text(2)).toBe('err\n');
    const status = JSON.parse(c.text(3)) as { status: string; reason: string; details: { causes: object[] } };
    expect(status).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '5' }] },
    });
  });

  it('falls back to v4.channel.k8s.io for a client that offers only it; a terminal resizes on 4', async () => {
    const c = open(execPath(['sh', '-c', 'sleep 0.3; stty size'], '&tty=true'), ['v4.channel.k8s.io']);
    await c.opened;
    expect(c.ws.protocol).toBe('v4.channel.k8s.io');
    c.send(4, JSON.stringify({ Width: 101, Height: 33 }));
    await c.closed;
    expect(c.text(1)).toContain('33 101');
    expect(JSON.parse(c.text(3))).toMatchObject({ status: 'Success' });
  });
});

describe('port-forward over WebSocket v4.channel.k8s.io, as the kubelet serves it', () => {
  it('?ports=N: data channel 0 and error channel 1 each open with the port, then carry the connection', async () => {
    const c = open('/api/v1/namespaces/default/pods/web/portforward?ports=8096', ['v4.channel.k8s.io']);
    await c.opened;
    expect(c.ws.protocol).toBe('v4.channel.k8s.io');
    await eventually(
      async () => c.frames.length,
      (n) => n >= 2,
    );
    const port = Buffer.from([8096 & 0xff, 8096 >> 8]);
    expect(c.frames.slice(0, 2)).toEqual([
      { channel: 0, data: port },
      { channel: 1, data: port },
    ]);
    c.send(0, 'GET /health/ready HTTP/1.0\r\nHost: web\r\n\r\n');
    await c.closed;
    const reply = Buffer.concat(
      c.frames
        .slice(2)
        .filter((f) => f.channel === 0)
        .map((f) => f.data),
    ).toString();
    expect(reply).toMatch(/^HTTP\/1\.[01] 200 OK/);
    expect(reply).toMatch(/\r\n\r\nok\n$/);
  });

  it("a port nothing listens on gets the kubelet's error on the error channel", async () => {
    const c = open('/api/v1/namespaces/default/pods/web/portforward?ports=8096&ports=9999', ['v4.channel.k8s.io']);
    await c.opened;
    await eventually(
      async () => c.text(3),
      (t) => t.length > 2,
    );
    // Channels 2 and 3 are the second port's; their first frames carry 9999.
    expect(c.frames.filter((f) => f.channel === 2)[0]?.data.readUInt16LE(0)).toBe(9999);
    expect(c.text(3).slice(2)).toMatch(
      /^error forwarding port 9999 to pod web, uid [0-9a-f-]+: dial tcp [\d.]+:9999: connect: connection refused$/,
    );
    c.ws.close();
  });
});

describe('refusals kubectl prints', () => {
  it('exec into a container the pod does not have', async () => {
    const r = await result(['exec', 'web', '-c', 'nope', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('container nope is not valid for pod web');
  });

  it('exec of a program the image does not have', async () => {
    const r = await result(['exec', 'web', '--', 'no-such-program']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(
      /Internal error occurred: error executing command in container: failed to exec in container: .*no-such-program.*not found/,
    );
  });

  it('exec over SPDY, which the sandbox does not serve, says what to use', async () => {
    const r = await result(['exec', 'web', '--', 'true'], '', { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('the sandbox serves exec over WebSocket only (v5.channel.k8s.io)');
  });

  it('exec into a pod whose container has not started', async () => {
    const r = await result(['exec', 'nopull', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/container "app" in pod "nopull" is not running \((ErrImagePull|ImagePullBackOff)\)/);
  });

  it('exec into and port-forward to a Running pod whose container is crash-looping', async () => {
    // Back-offs of 4 s and more (at this speed) leave the container stopped while kubectl asks.
    await eventually(
      () => kubectl('get', 'pod', 'crasher', '--no-headers'),
      (t) => typeof t === 'string' && /crasher\s+0\/1\s+CrashLoopBackOff\s+[3-9]/.test(t),
      60_000,
    );
    const r = await result(['exec', 'crasher', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('container "app" in pod "crasher" is not running (CrashLoopBackOff)');
    // The container runs for a moment between back-offs; a forward asked in that moment is served.
    // Asked while the pod shows CrashLoopBackOff, it is refused with the reason.
    let refusal: unknown;
    for (let attempt = 0; attempt < 5 && refusal === undefined; attempt++) {
      await eventually(
        () => kubectl('get', 'pod', 'crasher', '--no-headers'),
        (t) => typeof t === 'string' && /crasher\s+0\/1\s+CrashLoopBackOff\s/.test(t),
        60_000,
      );
      const forward = portForward('pod/crasher', ':8096');
      refusal = await forward.local.then(
        () => forward.stop(),
        (err: unknown) => err,
      );
      if (refusal !== undefined && !(refusal instanceof Error)) refusal = undefined;
    }
    expect(String(refusal)).toMatch(/container "app" in pod "crasher" is not running \(CrashLoopBackOff\)/);
  }, 150_000);
});
