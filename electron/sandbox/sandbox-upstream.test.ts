import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index';

const run = promisify(execFile);
let sandbox: Sandbox;
let plain: Sandbox;
let dir: string;

/** Real kubectl against a sandbox, spawned with an argument array. */
async function kubectl(args: string[], on: Sandbox = sandbox): Promise<string> {
  const kubeconfig = join(dir, on === sandbox ? 'kubeconfig' : 'plain.kubeconfig');
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 20_000 });
  return stdout;
}

async function apply(yaml: string, on: Sandbox = sandbox): Promise<void> {
  const file = join(dir, `m-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  await kubectl(['apply', '--server-side', '-f', file], on);
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const podLine = (name: string, ns: string, on?: Sandbox) => () =>
  kubectl(['get', 'pod', name, '-n', ns, '--no-headers'], on);
const events = (name: string, ns: string) => () =>
  kubectl(['get', 'events', '-n', ns, '--field-selector', `involvedObject.name=${name}`, '-o', 'json']).then(
    (o) => (JSON.parse(o) as { items: { reason: string; message: string; count?: number }[] }).items,
  );

const GOOD_CONFIG = [
  'database:',
  '  url: "postgres://revenge:pw-123@postgres:5432/revenge?sslmode=disable"',
  'auth:',
  `  jwt_secret: "${'j'.repeat(43)}"`,
  `  encryption_key: "${'ab'.repeat(32)}"`,
].join('\n');
const indent = (text: string, n: number) =>
  text
    .split('\n')
    .map((l) => `${' '.repeat(n)}${l}`)
    .join('\n');

const namespace = (ns: string) => `apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
`;
const service = (ns: string, name: string, port: number) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}}
spec: {selector: {app: ${name}}, ports: [{port: ${port}}]}
`;
const configSecret = (ns: string, body: string) => `apiVersion: v1
kind: Secret
metadata: {name: revenge-config, namespace: ${ns}}
stringData:
  config.yaml: |
${indent(body, 4)}
`;

/** A Revenge API pod reading its config from the Secret revenge-config, with the probes given. */
function apiPod(ns: string, name: string, probes: { startup: string; ready: string; live: string; port: string }) {
  const probe = (path: string, extra = '') =>
    `{httpGet: {path: ${path}, port: ${probes.port}}, periodSeconds: 5${extra}}`;
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}}
spec:
  containers:
  - name: api
    image: ghcr.io/lusoris/revenge:1.4.0
    ports: [{name: http, containerPort: 8096}]
    env:
    - {name: REVENGE_CACHE_ENABLED, value: "true"}
    volumeMounts:
    - {name: config, mountPath: /app/config/config.yaml, subPath: config.yaml, readOnly: true}
    startupProbe: ${probe(probes.startup, ', failureThreshold: 4')}
    readinessProbe: ${probe(probes.ready)}
    livenessProbe: ${probe(probes.live)}
  volumes:
  - name: config
    secret: {secretName: revenge-config}
`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'homeport-sandbox-upstream-'));
  [sandbox, plain] = await Promise.all([
    // The contracts are the default; an explicit empty list makes every image permissive.
    startSandbox({ speed: 0.05 }),
    startSandbox({ speed: 0.05, contracts: [] }),
  ]);
  await sandbox.writeKubeconfig(join(dir, 'kubeconfig'));
  await plain.writeKubeconfig(join(dir, 'plain.kubeconfig'));
});

afterAll(async () => {
  await Promise.all([sandbox?.close(), plain?.close()]);
});

describe('the Revenge API, run as its contract says', () => {
  it('never becomes Ready with probes on paths it does not serve, and is restarted by the startup probe', async () => {
    await apply(
      [namespace('wrong'), service('wrong', 'postgres', 5432), configSecret('wrong', GOOD_CONFIG)].join('---\n'),
    );
    await apply(
      apiPod('wrong', 'api', {
        startup: '/health/startup',
        ready: '/health/ready',
        live: '/health/live',
        port: '8096',
      }),
    );
    const seen = await eventually(events('api', 'wrong'), (e) => e.some((x) => x.reason === 'Killing'));
    expect(seen).toContainEqual(
      expect.objectContaining({
        reason: 'Unhealthy',
        message: 'Startup probe failed: HTTP probe failed with statuscode: 404',
      }),
    );
    expect(seen).toContainEqual(
      expect.objectContaining({ reason: 'Killing', message: 'Container api failed startup probe, will be restarted' }),
    );
    expect((seen.find((x) => x.reason === 'Unhealthy')?.count ?? 0) >= 4).toBe(true);
    expect(await podLine('api', 'wrong')()).toMatch(/^api\s+0\/1\s+\S+\s+[1-9]/);
    // The program started: its log shows its settings, never a credential.
    const logs = await kubectl(['logs', 'api', '-n', 'wrong']);
    expect(logs).toContain('setting cache.enabled=true');
    expect(logs).toContain('setting database.url=(secret)');
    expect(logs).not.toContain('pw-123');
  });

  it('the same pod probing /startupz, /readyz and /healthz (port by name) becomes Ready', async () => {
    await apply(
      [namespace('right'), service('right', 'postgres', 5432), configSecret('right', GOOD_CONFIG)].join('---\n'),
    );
    await apply(apiPod('right', 'api', { startup: '/startupz', ready: '/readyz', live: '/healthz', port: 'http' }));
    expect(await eventually(podLine('api', 'right'), (o) => /1\/1\s+Running/.test(o))).toMatch(
      /^api\s+1\/1\s+Running\s+0/,
    );
    expect((await events('api', 'right')()).filter((e) => e.reason === 'Unhealthy')).toEqual([]);
  });

  it('waits for a missing config Secret, crash-loops on a config it refuses, and starts once it is fixed', async () => {
    await apply([namespace('cfg'), service('cfg', 'postgres', 5432)].join('---\n'));
    await apply(apiPod('cfg', 'api', { startup: '/startupz', ready: '/readyz', live: '/healthz', port: '8096' }));
    // The kubelet cannot mount a missing Secret: no container runs.
    const mount = await eventually(events('api', 'cfg'), (e) => e.some((x) => x.reason === 'FailedMount'));
    expect(mount).toContainEqual(
      expect.objectContaining({
        message: 'MountVolume.SetUp failed for volume "config" : secret "revenge-config" not found',
      }),
    );
    expect(await podLine('api', 'cfg')()).toMatch(/0\/1\s+ContainerCreating/);

    await apply(configSecret('cfg', GOOD_CONFIG.replace(':pw-123@', '@')));
    await eventually(podLine('api', 'cfg'), (o) => /0\/1\s+CrashLoopBackOff\s+[1-9]/.test(o));
    expect(await kubectl(['logs', 'api', '-n', 'cfg'])).toMatch(/Error: database\.url has no password$/m);
    expect(await events('api', 'cfg')()).toContainEqual(
      expect.objectContaining({
        reason: 'BackOff',
        message: expect.stringMatching(/^Back-off restarting failed container api in pod api_cfg/),
      }),
    );

    // A Secret without the key the subPath names leaves no file there: Revenge falls back to its
    // default URL on localhost (config.go:795), where no database listens.
    await kubectl(['delete', 'secret', 'revenge-config', '-n', 'cfg']);
    await apply(configSecret('cfg', GOOD_CONFIG).replace('config.yaml: |', 'other.yaml: |'));
    await eventually(
      () => kubectl(['logs', 'api', '-n', 'cfg']),
      (o) => o.includes('Error: database.url must name postgres:5432, not localhost:5432'),
    );

    await kubectl(['delete', 'secret', 'revenge-config', '-n', 'cfg']);
    await apply(configSecret('cfg', GOOD_CONFIG));
    await eventually(podLine('api', 'cfg'), (o) => /1\/1\s+Running/.test(o), 30_000);
  }, 60_000);
});

describe('the frontend and PostgreSQL, run as their contracts say', () => {
  it('the frontend crash-loops until a Service named revenge resolves', async () => {
    await apply(namespace('web'));
    await apply(`apiVersion: v1
kind: Pod
metadata: {name: web, namespace: web}
spec:
  containers:
  - name: web
    image: ghcr.io/lusoris/revenge-frontend:latest
    readinessProbe: {httpGet: {path: /health, port: 3000}, periodSeconds: 5}
`);
    await eventually(podLine('web', 'web'), (o) => /CrashLoopBackOff/.test(o));
    expect(await kubectl(['logs', 'web', '-n', 'web'])).toContain(
      "Error: cannot resolve host 'revenge' (nginx proxies /api/ and /hls/ to http://revenge:8096 and will not start if it cannot resolve it)",
    );
    await apply(service('web', 'revenge', 8096));
    await eventually(podLine('web', 'web'), (o) => /1\/1\s+Running/.test(o), 30_000);
  }, 40_000);

  it('PostgreSQL refuses to start without a password; with POSTGRES_PASSWORD_FILE it starts', async () => {
    await apply(namespace('db'));
    const pg = (name: string, probe: string, passwordFile: boolean) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: db}
spec:
  containers:
  - name: postgres
    image: postgres:18-alpine
    env:
    - {name: POSTGRES_USER, value: revenge}
${passwordFile ? '    - {name: POSTGRES_PASSWORD_FILE, value: /run/secrets/db/password}' : ''}
    volumeMounts: [{name: pw, mountPath: /run/secrets/db}]
    readinessProbe: {exec: {command: ${probe}}, periodSeconds: 5}
  volumes:
  - name: pw
    secret: {secretName: db-password, optional: true}
`;
    const pgIsReady = '[pg_isready, -h, 127.0.0.1, -U, revenge]';
    await apply(pg('nopw', pgIsReady, false));
    await apply(pg('filepw', pgIsReady, true));
    await apply(pg('ncprobe', '[nc, -z, 127.0.0.1, "5432"]', true));
    await eventually(podLine('nopw', 'db'), (o) => /CrashLoopBackOff/.test(o));
    expect(await kubectl(['logs', 'nopw', '-n', 'db'])).toContain('Error: POSTGRES_PASSWORD is required');
    // The optional Secret is missing: the file is not there either.
    await eventually(podLine('filepw', 'db'), (o) => /CrashLoopBackOff/.test(o));

    await kubectl(['create', 'secret', 'generic', 'db-password', '-n', 'db', '--from-literal=password=s3cret']);
    await eventually(podLine('filepw', 'db'), (o) => /1\/1\s+Running/.test(o), 30_000);
    // PostgreSQL runs, but the image has no nc: the probe cannot run.
    await eventually(
      events('ncprobe', 'db'),
      (e) => e.some((x) => x.message.includes('exec: "nc": executable file not found in $PATH')),
      30_000,
    );
    expect(await podLine('ncprobe', 'db')()).toMatch(/0\/1\s+Running/);
    const unhealthy = (await events('ncprobe', 'db')()).find((e) => e.reason === 'Unhealthy');
    expect(unhealthy?.message).toMatch(
      /^Readiness probe errored: rpc error: .*exec: "nc": executable file not found in \$PATH/,
    );
  }, 60_000);

  it('an env reference to a missing Secret key holds the container in CreateContainerConfigError until it exists', async () => {
    await apply(namespace('refs'));
    await apply(`apiVersion: v1
kind: Pod
metadata: {name: pg, namespace: refs}
spec:
  containers:
  - name: postgres
    image: docker.io/library/postgres:18
    env:
    - name: POSTGRES_PASSWORD
      valueFrom: {secretKeyRef: {name: pg, key: password}}
`);
    const pod = () =>
      kubectl([
        'get',
        'pod',
        'pg',
        '-n',
        'refs',
        '-o',
        'jsonpath={.status.containerStatuses[0].state.waiting.message}',
      ]);
    expect(await eventually(pod, (m) => m !== '')).toBe('secret "pg" not found');
    await kubectl(['create', 'secret', 'generic', 'pg', '-n', 'refs', '--from-literal=other=x']);
    expect(await eventually(pod, (m) => m.startsWith('couldn'))).toBe("couldn't find key password in Secret refs/pg");
    expect(await podLine('pg', 'refs')()).toMatch(/0\/1\s+CreateContainerConfigError/);
    await kubectl(['delete', 'secret', 'pg', '-n', 'refs']);
    await kubectl(['create', 'secret', 'generic', 'pg', '-n', 'refs', '--from-literal=password=x']);
    await eventually(podLine('pg', 'refs'), (o) => /1\/1\s+Running/.test(o));
  });
});

describe('with contracts: []', () => {
  it('the sandbox starts every image and passes every probe', async () => {
    await apply(namespace('wrong'), plain);
    await apply(
      apiPod('wrong', 'api', {
        startup: '/health/startup',
        ready: '/health/ready',
        live: '/health/live',
        port: '8096',
      }),
      plain,
    );
    await eventually(podLine('api', 'wrong', plain), (o) => /1\/1\s+Running/.test(o));
  });
});
