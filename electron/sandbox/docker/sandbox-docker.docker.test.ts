/**
 * The sandbox with `--runtime docker`, judged by real kubectl against a real engine: pods are
 * containers with the spec's environment, files and Service names; logs, exec (with and without a
 * terminal) and port-forward reach them; exit codes, crash loops and missing images look as on a
 * cluster.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDIN_IMAGE } from '../../core/docker/testing/dockerd';
import { testEngine } from '../../core/docker/testing/engine';
import { startSandbox, type Sandbox } from '../index';
import { eventually, kubectlHarness } from './kubectl-harness';

const engine = testEngine();
const dir = mkdtempSync(join(tmpdir(), 'homeport-sandbox-docker-'));
const kubeconfig = join(dir, 'kubeconfig');
const { kubectl, result: kubectlResult, interactive, portForward } = kubectlHarness(kubeconfig);
let sandbox: Sandbox;

async function containerOf(pod: string): Promise<string> {
  return (await engine.docker(['ps', '-q', '--filter', `label=io.kubernetes.pod.name=${pod}`])).trim();
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const podJson = async (name: string) => JSON.parse(await kubectl('get', 'pod', name, '-o', 'json')) as PodView;
interface PodView {
  status: {
    phase: string;
    podIP?: string;
    containerStatuses?: {
      ready: boolean;
      restartCount: number;
      state: Record<string, { reason?: string; message?: string; exitCode?: number }>;
      lastState: Record<string, { exitCode?: number }>;
    }[];
  };
}

const MANIFEST = `
apiVersion: v1
kind: Secret
metadata: {name: app-secret}
stringData: {token: s3cret-token}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config}
data: {config.yaml: "greeting: from-configmap", other.txt: other}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 8096, targetPort: 8096}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers:
  - name: web
    image: ${STANDIN_IMAGE}
    ports: [{name: http, containerPort: 8096}]
    readinessProbe: {httpGet: {path: /health/ready, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: unready}
spec:
  containers:
  - name: web
    image: ${STANDIN_IMAGE}
    readinessProbe: {httpGet: {path: /not-served, port: 8096}, periodSeconds: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers:
  - name: client
    image: ${STANDIN_IMAGE}
    command: [sh, -c]
    args: ['echo "client up token=$TOKEN mode=$(MODE)"; cat /etc/app/config.yaml; echo; ls /etc/all; exec sleep 3600']
    env:
    - {name: MODE, value: demo}
    - name: TOKEN
      valueFrom: {secretKeyRef: {name: app-secret, key: token}}
    volumeMounts:
    - {name: config, mountPath: /etc/app/config.yaml, subPath: config.yaml}
    - {name: config, mountPath: /etc/all}
    readinessProbe: {exec: {command: [cat, /tmp/ready]}, periodSeconds: 1}
  volumes:
  - name: config
    configMap: {name: app-config}
`;

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.1, runtime: { kind: 'docker', dockerHost: engine.host } });
  await sandbox.writeKubeconfig(kubeconfig);
  writeFileSync(join(dir, 'app.yaml'), MANIFEST);
  await kubectl('apply', '-f', join(dir, 'app.yaml'));
  await eventually(
    () => podJson('client'),
    (p) => p.status?.containerStatuses?.[0]?.state.running !== undefined,
  );
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
  const left = await engine.docker(['ps', '-aq', '--filter', 'label=homeport.dev/sandbox']);
  const networks = await engine.docker(['network', 'ls', '-q', '--filter', 'label=homeport.dev/sandbox']);
  expect({ containers: left.trim(), networks: networks.trim() }).toEqual({ containers: '', networks: '' });
});

describe('the sandbox with --runtime docker, judged by real kubectl', () => {
  it("runs pods as containers: kubectl get shows the engine's state and kubectl logs their output", async () => {
    const logs = await eventually(
      () => kubectl('logs', 'client'),
      (l) => typeof l === 'string' && l.includes('other.txt'),
    );
    expect(logs).toContain('client up token=s3cret-token mode=demo');
    expect(logs).toContain('greeting: from-configmap');
    expect(logs).toMatch(/config\.yaml\s+other\.txt/);
    const ps = await engine.docker(['ps', '--filter', 'label=io.kubernetes.pod.name=client', '--format', '{{.Image}}']);
    expect(ps.trim()).toBe(STANDIN_IMAGE);
    expect(await kubectl('get', 'pods', 'client')).toMatch(/client\s+0\/1\s+Running\s+0/);
    // The engine stops the container behind the sandbox's back: the pod shows the restart.
    await engine.docker(['kill', await containerOf('client')]);
    await eventually(
      () => podJson('client'),
      (p) =>
        p.status?.containerStatuses?.[0]?.restartCount === 1 &&
        p.status.containerStatuses[0].state.running !== undefined,
    );
    expect((await podJson('client')).status.containerStatuses?.[0]?.lastState.terminated?.exitCode).toBe(137);
  });

  it('readiness comes from real probes: HTTP and exec pass only when the container answers', async () => {
    await eventually(
      () => podJson('web'),
      (p) => p.status?.containerStatuses?.[0]?.ready === true,
    );
    expect(await kubectl('get', 'pod', 'web')).toMatch(/web\s+1\/1\s+Running/);
    expect((await podJson('client')).status.containerStatuses?.[0]?.ready).toBe(false);
    await kubectl('exec', 'client', '--', 'sh', '-c', 'echo yes > /tmp/ready');
    await eventually(
      () => podJson('client'),
      (p) => p.status?.containerStatuses?.[0]?.ready === true,
    );
    // The stand-in's httpd answers 404 for a path it does not serve: never Ready.
    const described = await eventually(
      () => kubectl('describe', 'pod', 'unready'),
      (d) => typeof d === 'string' && d.includes('Readiness probe failed: HTTP probe failed with statuscode: 404'),
    );
    expect(described).toMatch(/Ready\s+False/);
    expect(await kubectl('get', 'pod', 'unready')).toMatch(/unready\s+0\/1\s+Running/);
  });

  it('kubectl exec gives stdout and stderr apart and the exit code; -i passes stdin to its end', async () => {
    expect(await kubectl('exec', 'client', '--', 'cat', '/etc/app/config.yaml')).toBe('greeting: from-configmap');
    const failed = await kubectlResult(['exec', 'client', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(failed.code).toBe(3);
    expect(failed.out).toBe('out\n');
    expect(failed.err).toMatch(/^err\n/);
    expect(failed.err).toContain('command terminated with exit code 3');
    const readOnly = await kubectlResult(['exec', 'client', '--', 'sh', '-c', 'echo x > /etc/app/config.yaml']);
    expect(readOnly.code).not.toBe(0);
    const piped = await kubectlResult(['exec', '-i', 'client', '--', 'sh', '-c', 'cat; echo end'], 'through stdin\n');
    expect(piped).toMatchObject({ code: 0, out: 'through stdin\nend\n' });
  });

  it('kubectl exec -it runs a shell on a terminal that the test types into', async () => {
    const session = await interactive(dir, 'client', [
      ['echo hello', '\nhello'],
      ['tty', '/dev/pts/'],
      ['exit 4', '\x00'],
    ]);
    expect(session.out).toMatch(/\r?\nhello\r?\n/);
    expect(session.out).toContain('/dev/pts/');
    expect(session.code).toBe(4);
  });

  it('resolves Services by name between pods on the namespace network', async () => {
    await eventually(
      () => podJson('web'),
      (p) => p.status?.containerStatuses?.[0]?.ready === true,
    );
    for (const host of ['web', 'web.default.svc.cluster.local']) {
      expect(await kubectl('exec', 'client', '--', 'wget', '-qO-', `http://${host}:8096/health/ready`)).toBe('ok\n');
    }
  });

  it('kubectl port-forward to a pod (LOCAL:REMOTE) and to a Service reaches the container', async () => {
    const local = await freePort();
    // kubectl 1.31+ tunnels SPDY in a WebSocket; without that feature it speaks SPDY on the upgraded connection.
    const plainSpdy = { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' };
    for (const [target, ports, env] of [
      ['pod/web', `${local}:8096`, {}],
      ['svc/web', ':8096', {}],
      ['pod/web', ':8096', plainSpdy],
    ] as const) {
      const forward = portForward(target, ports, env);
      try {
        const port = await forward.local;
        if (ports.startsWith(`${local}:`)) expect(port).toBe(local);
        for (let i = 0; i < 3; i++) {
          const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
          expect(await res.text()).toBe('ok\n');
        }
      } finally {
        forward.stop();
      }
    }
  });
});

describe('containers that fail, as a kubelet shows them', () => {
  it('a container exiting non-zero restarts into CrashLoopBackOff; logs and --previous show its output', async () => {
    await kubectl('run', 'crasher', `--image=${STANDIN_IMAGE}`, '--command', '--', 'sh', '-c', 'echo boom; exit 2');
    const pod = await eventually(
      () => podJson('crasher'),
      (p) => {
        const s = p.status?.containerStatuses?.[0];
        return s?.state.waiting?.reason === 'CrashLoopBackOff' && s.restartCount >= 3;
      },
    );
    expect(pod.status.containerStatuses?.[0]?.lastState.terminated?.exitCode).toBe(2);
    // The sandbox's back-off is scaled down, so the pod may be running its next attempt by now; the
    // table shows CrashLoopBackOff again at its next exit.
    await eventually(
      () => kubectl('get', 'pod', 'crasher'),
      (t) => /crasher\s+0\/1\s+CrashLoopBackOff\s+\d+/.test(t),
      10_000,
    );
    // Between back-offs the container runs for a moment, as on a kubelet; its log is the same line.
    await eventually(
      () => kubectl('logs', 'crasher'),
      (t) => t === 'boom\n',
      10_000,
    );
    expect(await kubectl('logs', 'crasher', '--previous')).toBe('boom\n');
    expect(await kubectl('describe', 'pod', 'crasher')).toContain('Back-off restarting failed container crasher');
  });

  it('a missing image is ErrImagePull, then ImagePullBackOff, naming the image', async () => {
    await kubectl('run', 'nopull', '--image=homeport-test/absent:1');
    const pod = await eventually(
      () => podJson('nopull'),
      (p) => p.status?.containerStatuses?.[0]?.state.waiting?.reason === 'ImagePullBackOff',
    );
    expect(pod.status.containerStatuses?.[0]?.state.waiting?.message).toContain('homeport-test/absent:1');
    expect(await kubectl('describe', 'pod', 'nopull')).toMatch(/Failed to pull image "homeport-test\/absent:1"/);
  });

  it('deleting a pod stops and removes its containers', async () => {
    await kubectl('delete', 'pod', 'crasher', '--wait=true', '--timeout=30s');
    expect((await engine.docker(['ps', '-aq', '--filter', 'label=io.kubernetes.pod.name=crasher'])).trim()).toBe('');
  });

  it('kubectl delete --grace-period=0 --force removes the pod at once and its containers right after', async () => {
    await kubectl(
      'run',
      'stubborn',
      `--image=${STANDIN_IMAGE}`,
      '--command',
      '--',
      'sh',
      '-c',
      'trap "" TERM; sleep 3600',
    );
    await eventually(
      () => podJson('stubborn'),
      (p) => p.status?.containerStatuses?.[0]?.state.running !== undefined,
    );
    await kubectl('delete', 'pod', 'stubborn', '--grace-period=0', '--force', '--wait=false');
    const gone = await kubectlResult(['get', 'pod', 'stubborn']);
    expect(gone.err).toContain('pods "stubborn" not found');
    await eventually(
      () => engine.docker(['ps', '-aq', '--filter', 'label=io.kubernetes.pod.name=stubborn']),
      (ids) => ids === '',
      5_000,
    );
  });
});
