import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index';

const run = promisify(execFile);
let sandbox: Sandbox;
let kubeconfig: string;
let dir: string;

/** Real kubectl, spawned with an argument array. */
async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 20_000 });
  return stdout;
}

function manifest(name: string, yaml: string): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: default}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: api}}
  template:
    metadata:
      labels: {app: api}
      annotations: {homeport.dev/leader-election: api-jobs}
    spec:
      containers: [{name: api, image: 'registry.lan/demo/api:latest'}]
`;

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.1 });
  dir = mkdtempSync(join(tmpdir(), 'homeport-sandbox-kubectl-'));
  kubeconfig = join(dir, 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
});

afterAll(() => sandbox?.close());

describe('the sandbox, judged by real kubectl', () => {
  it('refuses requests without the token', async () => {
    const res = await fetch(`${sandbox.url}/api`).catch((err: Error) => err);
    // Node's fetch refuses the self-signed certificate; ask kubectl with a wrong token instead.
    expect(res).toBeInstanceOf(Error);
    writeFileSync(join(dir, 'bad'), sandbox.kubeconfig().replace(sandbox.token, 'wrong-token'));
    await expect(run('kubectl', ['--kubeconfig', join(dir, 'bad'), 'get', 'ns'])).rejects.toThrow(
      /Unauthorized|provide credentials/,
    );
  });

  it('get nodes,ns,pods -A', async () => {
    const out = await kubectl('get', 'nodes,ns,pods', '-A');
    expect(out).toMatch(/node\/sandbox-server-0\s+Ready\s+control-plane/);
    expect(out).toMatch(/namespace\/kube-system\s+Active/);
  });

  it('apply --server-side of a Deployment, whose pods become Ready', async () => {
    expect(await kubectl('apply', '--server-side', '-f', manifest('deploy.yaml', deployment(2)))).toContain(
      'deployment.apps/api serverside-applied',
    );
    const pods = await eventually(
      () => kubectl('get', 'pods', '-l', 'app=api', '--no-headers'),
      (out) => (out.match(/1\/1\s+Running/g) ?? []).length === 2,
    );
    expect(pods.trim().split('\n')).toHaveLength(2);
    const managed = JSON.parse(await kubectl('get', 'deployment', 'api', '-o', 'json', '--show-managed-fields')) as {
      metadata: { managedFields: { manager: string; operation: string }[] };
    };
    expect(managed.metadata.managedFields).toContainEqual(
      expect.objectContaining({ manager: 'kubectl', operation: 'Apply' }),
    );
  });

  it('apply --server-side of a StatefulSet (ordered pods), a Service, a Secret and a Lease', async () => {
    const file = manifest(
      'more.yaml',
      `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: default}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, image: 'registry.lan/demo/db:18'}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: default}
spec: {selector: {app: db}, ports: [{port: 5432}]}
---
apiVersion: v1
kind: Secret
metadata: {name: db-pass, namespace: default}
stringData: {password: hunter2}
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: manual, namespace: default}
spec: {holderIdentity: someone, leaseDurationSeconds: 30}
`,
    );
    const out = await kubectl('apply', '--server-side', '-f', file);
    for (const o of ['statefulset.apps/db', 'service/db', 'secret/db-pass', 'lease.coordination.k8s.io/manual'])
      expect(out).toContain(`${o} serverside-applied`);
    const db = await eventually(
      () => kubectl('get', 'pods', '-l', 'app=db', '--no-headers'),
      (o) => (o.match(/Running/g) ?? []).length === 2,
    );
    expect(db).toMatch(/^db-0 .*\n^db-1 /ms);
    const secret = await kubectl('get', 'secret', 'db-pass', '-o', 'jsonpath={.data.password}');
    expect(Buffer.from(secret, 'base64').toString()).toBe('hunter2');
    expect(await kubectl('get', 'svc', 'db')).toMatch(/ClusterIP\s+10\.43\.\d+\.\d+\s+<none>\s+5432\/TCP/);
  });

  it('server dry-run changes nothing', async () => {
    expect(
      await kubectl('apply', '--server-side', '--dry-run=server', '-f', manifest('deploy5.yaml', deployment(5))),
    ).toContain('(server dry run)');
    expect(await kubectl('get', 'deployment', 'api', '-o', 'jsonpath={.spec.replicas}')).toBe('2');
  });

  it('scale changes the pod count', async () => {
    expect(await kubectl('scale', 'deployment/api', '--replicas=3')).toContain('scaled');
    await eventually(
      () => kubectl('get', 'pods', '-l', 'app=api', '--no-headers'),
      (o) => o.trim().split('\n').length === 3,
    );
    await kubectl('scale', 'deployment/api', '--replicas=2');
    await eventually(
      () => kubectl('get', 'pods', '-l', 'app=api', '--no-headers'),
      (o) => o.trim().split('\n').length === 2 && !o.includes('Terminating'),
    );
  });

  it('logs prints the container log', async () => {
    const pod = (await kubectl('get', 'pods', '-l', 'app=api', '-o', 'jsonpath={.items[0].metadata.name}')).trim();
    const logs = await eventually(
      () => kubectl('logs', pod),
      (o) => o.includes('starting'),
    );
    expect(logs).toContain('INFO api starting (image registry.lan/demo/api:latest)');
  });

  it('get lease -A lists control-plane leases and the workload lease; deleting the holder moves it', async () => {
    const leases = await eventually(
      () => kubectl('get', 'lease', '-A'),
      (o) => o.includes('api-jobs'),
    );
    expect(leases).toMatch(/kube-system\s+kube-scheduler\s+homeport-sandbox-server-0_/);
    const holder = (await kubectl('get', 'lease', 'api-jobs', '-o', 'jsonpath={.spec.holderIdentity}')).trim();
    expect(holder).toMatch(/^api-/);
    await kubectl('delete', 'pod', holder, '--wait=false');
    const next = await eventually(
      () => kubectl('get', 'lease', 'api-jobs', '-o', 'jsonpath={.spec.holderIdentity} {.spec.leaseTransitions}'),
      (o) => !o.startsWith(holder),
    );
    expect(next).toMatch(/^api-\S+ [1-9]/);
  });

  it('get pods -w prints a pod created while it watches', async () => {
    const watch = spawn('kubectl', ['--kubeconfig', kubeconfig, 'get', 'pods', '-w'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = '';
    watch.stdout.on('data', (c: Buffer) => (seen += c.toString()));
    try {
      await eventually(
        async () => seen,
        (s) => s.includes('NAME'),
      );
      await kubectl('run', 'watched', '--image=busybox:1.36');
      await eventually(
        async () => seen,
        (s) => /watched\s+1\/1\s+Running/.test(s),
      );
    } finally {
      watch.kill();
    }
  });

  it('delete removes an object and the pods it owns', async () => {
    expect(await kubectl('delete', 'deployment', 'api')).toContain('deployment.apps "api" deleted');
    await eventually(
      () => kubectl('get', 'rs,pods', '-l', 'app=api', '--no-headers'),
      (o) => o.trim() === '',
    );
  });

  it('refuses invalid objects with the field named', async () => {
    const bad = manifest('bad.yaml', deployment(1).replace('name: api, namespace', 'name: Bad_Name, namespace'));
    await expect(kubectl('apply', '--server-side', '-f', bad)).rejects.toThrow(
      /metadata.name: Invalid value: "Bad_Name"/,
    );
  });

  it('marked images fail the way a cluster shows them', async () => {
    await kubectl('run', 'pull-fails', '--image=ghcr.io/example/app:homeport-fail-pull');
    await kubectl('run', 'crashes', '--image=ghcr.io/example/app:homeport-crash');
    await eventually(
      () => kubectl('get', 'pod', 'pull-fails', '--no-headers'),
      (o) => o.includes('ImagePullBackOff'),
    );
    const crash = await eventually(
      () => kubectl('get', 'pod', 'crashes', '--no-headers'),
      (o) => /CrashLoopBackOff\s+[1-9]/.test(o),
    );
    expect(crash).toMatch(/0\/1\s+CrashLoopBackOff/);
  });
});
