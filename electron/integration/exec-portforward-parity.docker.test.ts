/**
 * Real kubectl and Homeport side by side on the same pods of a sandbox with the Docker runtime:
 * `kubectl exec` and Homeport's runInWorkload give the same stdout and stderr bytes and exit
 * codes; `kubectl port-forward` and Homeport's forwards fetch the same bytes from a pod and from a
 * Service, and Homeport's Service forward moves to the next ready pod when its pod is deleted.
 * Homeport goes through the sandbox's kubeconfig context, with the services as the app builds them.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRequest, CommandResult } from '../core/exec/command';
import { STANDIN_IMAGE } from '../core/docker/testing/dockerd';
import { testEngine } from '../core/docker/testing/engine';
import { eventually, kubectlHarness } from '../sandbox/docker/kubectl-harness';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../sandbox';
import { createServices } from '../services';

const engine = testEngine();
const dir = mkdtempSync(join(tmpdir(), 'homeport-parity-'));
const kubeconfig = join(dir, 'kubeconfig');
const { kubectl, portForward } = kubectlHarness(kubeconfig);
const target = { kind: 'kubernetes', context: SANDBOX_CONTEXT, namespace: 'default' } as const;
let sandbox: Sandbox;
let services: ReturnType<typeof createServices>;

const MANIFEST = `
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - {name: web, image: '${STANDIN_IMAGE}', ports: [{containerPort: 8096}]}
---
apiVersion: v1
kind: Pod
metadata: {name: nopull}
spec:
  containers: [{name: app, image: 'homeport-test/absent:1'}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: site}
spec:
  replicas: 1
  selector: {matchLabels: {app: site}}
  template:
    metadata: {labels: {app: site}}
    spec:
      containers:
      - name: site
        image: '${STANDIN_IMAGE}'
        ports: [{containerPort: 8096}]
        readinessProbe: {httpGet: {path: /health/ready, port: 8096}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: site}
spec:
  selector: {app: site}
  ports: [{port: 80, targetPort: 8096}]
`;

interface Outcome {
  code: number;
  out: Buffer;
  err: Buffer;
}

/** `kubectl exec` with the bytes of both streams and its exit code. */
function kubectlExec(args: string[], input?: Buffer): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, 'exec', ...args]);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out: Buffer.concat(out), err: Buffer.concat(err) }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** Homeport's runInWorkload with the bytes of both streams and how the command ended. */
async function homeportExec(
  request: Omit<CommandRequest, 'stdin'>,
  input?: Buffer,
): Promise<{ result: CommandResult; out: Buffer; err: Buffer }> {
  const session = services.runInWorkload(target, { ...request, stdin: input !== undefined });
  const read = async (s: NodeJS.ReadableStream) => {
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  session.stdin?.on('error', () => undefined);
  session.stdin?.end(input);
  const [out, err, result] = await Promise.all([read(session.stdout), read(session.stderr), session.result]);
  return { result, out, err };
}

/** The exit code kubectl gives a result: the command's own, or 1 when it could not run. */
const exitCodeOf = (r: CommandResult) => (r.kind === 'failed' ? 1 : r.code);

function fetch(port: number, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(Buffer.concat(chunks))
            : reject(new Error(`GET ${path} through port ${port}: HTTP ${res.statusCode}`)),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readySitePod(not?: string): Promise<string> {
  const line = await eventually(
    () => kubectl('get', 'pods', '-l', 'app=site', '--no-headers'),
    (t) =>
      typeof t === 'string' &&
      t.split('\n').some((l) => /^\S+\s+1\/1\s+Running/.test(l) && !l.startsWith(`${not} `) && !/Terminating/.test(l)),
    60_000,
  );
  const row = line.split('\n').find((l) => /^\S+\s+1\/1\s+Running/.test(l) && !l.startsWith(`${not} `));
  return row!.split(/\s+/)[0]!;
}

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.1, runtime: { kind: 'docker', dockerHost: engine.host } });
  await sandbox.writeKubeconfig(kubeconfig);
  writeFileSync(join(dir, 'objects.yaml'), MANIFEST);
  await kubectl('apply', '-f', join(dir, 'objects.yaml'));
  await eventually(
    () => kubectl('get', 'pods', 'web', 'nopull', '--no-headers'),
    (t) =>
      typeof t === 'string' &&
      /web\s+1\/1\s+Running/.test(t) &&
      /nopull\s+0\/1\s+(ErrImagePull|ImagePullBackOff)/.test(t),
    60_000,
  );
  services = createServices({
    dataDir: join(dir, 'data'),
    mode: 'web',
    env: { HOME: dir, KUBECONFIG: kubeconfig },
    home: dir,
  });
}, 120_000);

afterAll(async () => {
  services?.close();
  await sandbox?.close();
});

describe("the sandbox's context in Homeport", () => {
  it('is labelled as the sandbox with the Docker runtime', async () => {
    const { contexts } = await services.clusters.listContexts();
    expect(contexts.find((c) => c.name === SANDBOX_CONTEXT)).toMatchObject({
      simulated: true,
      sandboxRuntime: 'docker',
    });
  });
});

describe('exec: kubectl and Homeport on the same pod', () => {
  const cases: [name: string, script: string, code: number][] = [
    ['both outputs, exit 0', 'echo out; echo err >&2; printf "no newline"; printf "e2" >&2', 0],
    ['exit 1', 'echo before; echo failing >&2; exit 1', 1],
    ['exit 3', 'printf "three"; exit 3', 3],
    ['killed by SIGKILL', 'echo dying; kill -9 $$', 137],
  ];
  it.each(cases)('%s: the same bytes and exit code', async (_name, script, code) => {
    const k = await kubectlExec(['web', '--', 'sh', '-c', script]);
    const h = await homeportExec({ workload: { pod: 'web' }, command: ['sh', '-c', script] });
    expect(k.code).toBe(code);
    expect(exitCodeOf(h.result)).toBe(code);
    if (code === 137) expect(h.result).toEqual({ kind: 'signaled', signal: 'SIGKILL', code: 137 });
    expect(h.out.equals(k.out)).toBe(true);
    expect(k.out.length).toBeGreaterThan(0);
    // kubectl adds one line of its own after the command's stderr when the command failed.
    const own = code === 0 ? '' : `command terminated with exit code ${code}\n`;
    expect(k.err.toString('utf8')).toBe(h.err.toString('utf8') + own);
  });

  it('pipes 4 MB of stdin through cat unchanged, both ways the same', async () => {
    const input = randomBytes(4 * 1024 * 1024);
    const k = await kubectlExec(['-i', 'web', '--', 'cat'], input);
    const h = await homeportExec({ workload: { pod: 'web' }, command: ['cat'] }, input);
    expect([k.code, h.result]).toEqual([0, { kind: 'exited', code: 0 }]);
    expect(sha256(k.out)).toBe(sha256(input));
    expect(sha256(h.out)).toBe(sha256(input));
    const sums = await homeportExec({ workload: { pod: 'web' }, command: ['busybox', 'sha256sum'] }, input);
    expect(sums.out.toString('utf8')).toBe(`${sha256(input)}  -\n`);
  });

  it('a command that prints and exits at once keeps its output, run after run', async () => {
    for (let i = 0; i < 15; i++) {
      const h = await homeportExec({ workload: { pod: 'web' }, command: ['echo', `hi ${i}`] });
      expect([h.out.toString('utf8'), h.result]).toEqual([`hi ${i}\n`, { kind: 'exited', code: 0 }]);
    }
  });

  it('a program the image lacks: nothing on stdout, and Homeport names the pod, container and cause', async () => {
    const k = await kubectlExec(['web', '--', 'no-such-program']);
    const h = await homeportExec({ workload: { pod: 'web' }, command: ['no-such-program'] });
    expect(k.code).toBe(1);
    expect([k.out.length, h.out.length, h.err.length]).toEqual([0, 0, 0]);
    expect(h.result).toMatchObject({ kind: 'failed', reason: 'no-executable' });
    const message = (h.result as { message: string }).message;
    expect(message).toMatch(/^pod web \(container web\) in namespace default of context 'homeport-sandbox': /);
    // The runtime's words kubectl prints are in Homeport's message too (each exec has its own id).
    const anyExec = (text: string) => text.replace(/\b[0-9a-f]{64}\b/g, 'EXEC-ID');
    const cause = /Internal error occurred: (.*)\n/.exec(k.err.toString('utf8'))?.[1];
    expect(cause).toMatch(/"no-such-program": executable file not found in \$PATH/);
    expect(anyExec(message)).toContain(anyExec(cause!));
  });

  it('-c a container the pod does not have', async () => {
    const k = await kubectlExec(['web', '-c', 'nope', '--', 'true']);
    const h = await homeportExec({ workload: { pod: 'web' }, container: 'nope', command: ['true'] });
    expect(k.code).toBe(1);
    expect(k.err.toString('utf8')).toContain('container nope is not valid for pod web');
    expect([k.out.length, h.out.length, h.err.length]).toEqual([0, 0, 0]);
    expect(h.result).toEqual({
      kind: 'failed',
      reason: 'not-found',
      message: "pod web in namespace default of context 'homeport-sandbox' has no container nope; its containers: web",
    });
  });

  it('a pod whose container is not running', async () => {
    const k = await kubectlExec(['nopull', '--', 'true']);
    const h = await homeportExec({ workload: { pod: 'nopull' }, command: ['true'] });
    expect(k.code).toBe(1);
    const why = /container "app" in pod "nopull" is not running \((ErrImagePull|ImagePullBackOff)\)/.exec(
      k.err.toString('utf8'),
    )?.[1];
    expect(why).toBeDefined();
    expect([k.out.length, h.out.length, h.err.length]).toEqual([0, 0, 0]);
    expect(h.result).toMatchObject({ kind: 'failed', reason: 'not-running' });
    expect((h.result as { message: string }).message).toMatch(
      /^container app of pod nopull in namespace default of context 'homeport-sandbox' is not running \(waiting: (ErrImagePull|ImagePullBackOff)\)$/,
    );
  });
});

describe('port-forward: kubectl and Homeport to the same pod and Service', () => {
  it('fetch the same file from a pod', async () => {
    const made = await homeportExec({
      workload: { pod: 'web' },
      command: ['sh', '-c', 'busybox dd if=/dev/urandom of=/www/big.bin bs=65536 count=48 2>/dev/null'],
    });
    expect(made.result).toEqual({ kind: 'exited', code: 0 });
    const sum = (
      await homeportExec({ workload: { pod: 'web' }, command: ['busybox', 'sha256sum', '/www/big.bin'] })
    ).out
      .toString('utf8')
      .split(' ')[0];

    const theirs = portForward('pod/web', ':8096');
    const ours = await services.portForwards.start({
      ...target,
      target: { kind: 'pod', name: 'web' },
      remote: 8096,
      localPort: 0,
    });
    try {
      const viaKubectl = await fetch(await theirs.local, '/big.bin');
      const viaHomeport = await fetch(ours.localPort, '/big.bin');
      expect(viaKubectl.length).toBe(48 * 65536);
      expect(viaHomeport.equals(viaKubectl)).toBe(true);
      expect(sha256(viaHomeport)).toBe(sum);
    } finally {
      theirs.stop();
      await services.portForwards.stop(ours.id);
    }
  });

  it("fetch the same file from a Service, and Homeport's forward moves to the next ready pod", async () => {
    const first = await readySitePod();
    const mark = (pod: string) =>
      homeportExec({
        workload: { pod },
        command: [
          'sh',
          '-c',
          `echo ${pod} > /www/who; busybox dd if=/dev/urandom of=/www/site.bin bs=65536 count=16 2>/dev/null`,
        ],
      });
    expect((await mark(first)).result).toEqual({ kind: 'exited', code: 0 });

    const theirs = portForward('svc/site', ':80');
    const ours = await services.portForwards.start({
      ...target,
      target: { kind: 'service', name: 'site' },
      remote: 80,
      localPort: 0,
    });
    try {
      expect(ours).toMatchObject({ pod: first, podPort: 8096 });
      const viaKubectl = await fetch(await theirs.local, '/site.bin');
      const viaHomeport = await fetch(ours.localPort, '/site.bin');
      expect(viaKubectl.length).toBe(16 * 65536);
      expect(viaHomeport.equals(viaKubectl)).toBe(true);
      expect((await fetch(ours.localPort, '/who')).toString()).toBe(`${first}\n`);

      // The ReplicaSet replaces the deleted pod; Homeport's next connection finds the new one.
      await kubectl('delete', 'pod', first, '--wait=true');
      const next = await readySitePod(first);
      expect(next).not.toBe(first);
      expect((await mark(next)).result).toEqual({ kind: 'exited', code: 0 });
      expect((await fetch(ours.localPort, '/who')).toString()).toBe(`${next}\n`);
      expect(services.portForwards.list().find((f) => f.id === ours.id)).toMatchObject({ pod: next, podPort: 8096 });
    } finally {
      theirs.stop();
      await services.portForwards.stop(ours.id);
    }
  }, 120_000);
});
