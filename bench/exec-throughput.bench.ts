/**
 * Exec throughput and memory: 256 MB through `cat` in a workload, via the built `homeport exec -i`
 * process, against the fake Kubernetes exec API server and a real Docker engine (a private dockerd
 * with a one-node swarm, as the Swarm tests start it: run under the heavy-test lock), with the
 * same through `kubectl exec -i` and `docker exec -i` for comparison. Prints MB/s and the CLI
 * process's peak RSS and its growth after the stream started.
 */
import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { writeKubeconfig } from '../electron/core/clusters/testing/kubectl';
import { STANDIN_IMAGE, startTestDockerd, type TestDockerd } from '../electron/core/docker/testing/dockerd';
import { startFakeExecServer, type FakeExecServer } from '../electron/core/exec/testing/fake-exec-server';
import { generatedInput, hashingSink, MB } from '../electron/core/exec/testing/streams';
import { createTestPki } from '../electron/testing/tls';

const SIZE = 256 * MB;
const HOMEPORT = resolve(import.meta.dirname, '..', 'bin', 'homeport.js');
const TOKEN = 'bench-exec';

const dir = mkdtempSync(join(tmpdir(), 'homeport-bench-exec-'));
let api: FakeExecServer;
let kubeconfig: string;
let engine: TestDockerd;
const SERVICE = 'bench-exec';

function rssMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

interface Run {
  /** From spawn to the first output: the process's start and the connection. */
  startMs: number;
  /** From the first output to the end: the stream itself, not the process's start. */
  mbPerSecond: number;
  peakRssMb: number;
  /** Peak RSS over the RSS when the first output came back: what streaming itself costs. */
  growthMb: number;
}

/** Pipes SIZE bytes through a command's stdin and stdout; checks every byte came back. */
async function pipeThrough(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const input = generatedInput(SIZE);
  const sink = hashingSink();
  const started = Date.now();
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (c: Buffer) => stderr.push(c));
  let baseline: number | undefined;
  let firstAt = 0;
  let peak = 0;
  child.stdout.once('data', () => {
    firstAt = Date.now();
    baseline = rssMb(child.pid!);
  });
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(child.pid!) ?? 0)), 20);
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  await Promise.all([pipeline(input.stream, child.stdin), pipeline(child.stdout, sink.stream)]);
  const code = await exited;
  clearInterval(sampler);
  const seconds = (Date.now() - firstAt) / 1000;
  expect(code, Buffer.concat(stderr).toString()).toBe(0);
  expect(await sink.done).toEqual({ bytes: SIZE, digest: await input.digest });
  // Backpressure end to end: a stream held anywhere in the process would be most of SIZE.
  expect(peak - (baseline ?? peak)).toBeLessThan(SIZE / MB / 2);
  return {
    startMs: firstAt - started,
    mbPerSecond: SIZE / MB / seconds,
    peakRssMb: peak,
    growthMb: peak - (baseline ?? peak),
  };
}

const show = (r: Run) =>
  `${r.mbPerSecond.toFixed(0)} MB/s after ${r.startMs} ms to the first byte, peak RSS ${r.peakRssMb.toFixed(0)} MB (+${r.growthMb.toFixed(1)} MB while streaming)`;

test.beforeAll(async () => {
  const pki = createTestPki();
  api = await startFakeExecServer({ tls: pki, token: TOKEN });
  api.addPod({ name: 'web', containers: ['app'] });
  kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), {
    server: api.url,
    cluster: { 'certificate-authority-data': Buffer.from(pki.caCert).toString('base64') },
    user: { token: TOKEN },
  });
  engine = await startTestDockerd();
  // Without --detach the docker CLI waits until the service's task runs.
  await engine.docker(['service', 'create', '--quiet', '--name', SERVICE, STANDIN_IMAGE]);
});

test.afterAll(async () => {
  await api?.close();
  await engine?.close();
});

test(`exec: ${SIZE / MB} MB through cat in a pod and a Swarm task`, async () => {
  test.setTimeout(300_000);
  const env = { PATH: process.env.PATH, HOME: dir };
  const figures: Record<string, string> = {};

  const homeportArgs = (target: string[]) => [HOMEPORT, 'exec', '--data-dir', join(dir, 'data'), ...target];
  figures['homeport exec -i (Kubernetes, fake API server)'] = show(
    await pipeThrough(
      process.execPath,
      homeportArgs(['--kubeconfig', kubeconfig, '--context', 'c', '-i', 'web', '--', 'cat']),
      env,
    ),
  );
  figures['kubectl exec -i (same server)'] = show(
    await pipeThrough('kubectl', ['--kubeconfig', kubeconfig, 'exec', '-i', 'web', '--', 'cat'], env),
  );

  const swarmEnv = { ...env, DOCKER_HOST: engine.host };
  figures['homeport exec -i (Swarm, real engine)'] = show(
    await pipeThrough(process.execPath, homeportArgs(['--swarm', 'env', '-i', SERVICE, '--', 'cat']), swarmEnv),
  );
  const container = (await engine.docker(['ps', '--filter', `name=${SERVICE}.1`, '--format', '{{.ID}}'])).trim();
  figures['docker exec -i (same container)'] = show(
    await pipeThrough('docker', ['--host', engine.host, 'exec', '-i', container, 'cat'], swarmEnv),
  );

  console.log(`\nHomeport exec benchmark (${SIZE / MB} MB through cat, SHA-256 checked)`);
  for (const [name, value] of Object.entries(figures)) console.log(`  ${name}: ${value}`);
});
