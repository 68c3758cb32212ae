/**
 * The sandbox with `--runtime docker`, judged by real kubectl against a real engine: pods are
 * containers with the spec's environment, files and Service names; logs, exec (with and without a
 * terminal) and port-forward reach them; exit codes, crash loops and missing images look as on a
 * cluster.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDIN_IMAGE } from '../../core/docker/testing/dockerd';
import { testEngine } from '../../core/docker/testing/engine';
import { startSandbox, type Sandbox } from '../index';

const run = promisify(execFile);
const engine = testEngine();
const dir = mkdtempSync(join(tmpdir(), 'homeport-sandbox-docker-'));
const kubeconfig = join(dir, 'kubeconfig');
let sandbox: Sandbox;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 });
  return stdout;
}

/** kubectl's exit code, stdout and stderr, whatever the code. */
function kubectlResult(args: string[], input?: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args]);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    child.stdin.end(input ?? '');
  });
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch((err: unknown) => err as T);
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${String(v)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
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
  it('runs pods as containers with the spec environment and files; kubectl logs shows their output', async () => {
    const logs = await eventually(
      () => kubectl('logs', 'client'),
      (l) => typeof l === 'string' && l.includes('other.txt'),
    );
    expect(logs).toContain('client up token=s3cret-token mode=demo');
    expect(logs).toContain('greeting: from-configmap');
    expect(logs).toMatch(/config\.yaml\s+other\.txt/);
    const ps = await engine.docker(['ps', '--filter', 'label=io.kubernetes.pod.name=client', '--format', '{{.Image}}']);
    expect(ps.trim()).toBe(STANDIN_IMAGE);
  });

  it('becomes Ready from a real HTTP probe; an exec probe passes once the file it reads exists', async () => {
    await eventually(
      () => podJson('web'),
      (p) => p.status?.containerStatuses?.[0]?.ready === true,
    );
    expect((await podJson('client')).status.containerStatuses?.[0]?.ready).toBe(false);
    await kubectl('exec', 'client', '--', 'sh', '-c', 'echo yes > /tmp/ready');
    await eventually(
      () => podJson('client'),
      (p) => p.status?.containerStatuses?.[0]?.ready === true,
    );
  });

  it('kubectl exec returns the output and the exit code; -i passes stdin to its end', async () => {
    expect(await kubectl('exec', 'client', '--', 'cat', '/etc/app/config.yaml')).toBe('greeting: from-configmap');
    const failed = await kubectlResult(['exec', 'client', '--', 'sh', '-c', 'echo to-stderr >&2; exit 3']);
    expect(failed.code).toBe(3);
    expect(failed.err).toContain('to-stderr');
    const readOnly = await kubectlResult(['exec', 'client', '--', 'sh', '-c', 'echo x > /etc/app/config.yaml']);
    expect(readOnly.code).not.toBe(0);
    const piped = await kubectlResult(['exec', '-i', 'client', '--', 'cat'], 'through stdin\n');
    expect(piped).toMatchObject({ code: 0, out: 'through stdin\n' });
  });

  it('kubectl exec -it runs a shell on a terminal', async () => {
    const script = [
      'import os, pty, sys, time',
      'pid, fd = pty.fork()',
      'if pid == 0:',
      '    os.execvp("kubectl", ["kubectl", "--kubeconfig", sys.argv[1], "exec", "-it", "client", "--", "sh"])',
      'out = b""',
      'def pump(until, secs):',
      '    global out',
      '    end = time.time() + secs',
      '    while until not in out and time.time() < end:',
      '        try:',
      '            out += os.read(fd, 4096)',
      '        except OSError:',
      '            break',
      'pump(b"# ", 20)',
      'os.write(fd, b"echo hello; tty\\n")',
      'pump(b"/dev/pts", 20)',
      'os.write(fd, b"exit 4\\n")',
      'pump(b"\\x00", 5)',
      '_, status = os.waitpid(pid, 0)',
      'sys.stdout.write(out.decode("utf8", "replace"))',
      'sys.exit(os.WEXITSTATUS(status))',
    ].join('\n');
    writeFileSync(join(dir, 'pty.py'), script);
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      const child = spawn('python3', [join(dir, 'pty.py'), kubeconfig]);
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, out }));
    });
    expect(result.out).toMatch(/\r?\nhello\r?\n/);
    expect(result.out).toContain('/dev/pts/');
    expect(result.code).toBe(4);
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

  it('kubectl port-forward to a pod and to a Service reaches the container', async () => {
    for (const target of ['pod/web', 'svc/web']) {
      const child = spawn('kubectl', ['--kubeconfig', kubeconfig, 'port-forward', target, ':8096']);
      try {
        const port = await new Promise<number>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (c: Buffer) => {
            out += c.toString();
            const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
            if (m) resolve(Number(m[1]));
          });
          child.stderr.on('data', (c: Buffer) => (out += c.toString()));
          child.on('close', () => reject(new Error(`kubectl port-forward ${target} ended: ${out}`)));
        });
        for (let i = 0; i < 3; i++) {
          const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
          expect(await res.text()).toBe('ok\n');
        }
      } finally {
        child.kill();
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
        return s?.state.waiting?.reason === 'CrashLoopBackOff' && s.restartCount >= 2;
      },
    );
    expect(pod.status.containerStatuses?.[0]?.lastState.terminated?.exitCode).toBe(2);
    expect(await kubectl('get', 'pod', 'crasher')).toMatch(/crasher\s+0\/1\s+CrashLoopBackOff\s+\d+/);
    expect(await kubectl('logs', 'crasher')).toBe('boom\n');
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
});
