/**
 * radarr-mvp on Kubernetes: the sandbox API server with its Docker runtime, deployed through
 * Homeport's services with the radarr-mvp stand-in (contract-following: it refuses to start
 * without its API key or a reachable database, serves only /health and /health/detailed) and the
 * real PostgreSQL image. The nightly pg_dump CronJob is run once (a Job from it, as `kubectl create
 * job --from=cronjob/...` does) and its dump lands in the backup export's directory: nothing
 * mounts NFS here, so the sandbox binds the export's claim to a directory on this machine, which
 * the test reads through the container's mount.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubernetesTarget } from '@shared/target-schemas';
import { STANDIN_IMAGES } from '../core/docker/testing/dockerd';
import { testEngine } from '../core/docker/testing/engine';
import { ensurePostgresImage, POSTGRES_IMAGE } from '../core/docker/testing/postgres-image';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../sandbox';
import { createServices } from '../services';

const run = promisify(execFile);
const engine = testEngine();
const dir = mkdtempSync(join(tmpdir(), 'homeport-radarr-k8s-'));
const kubeconfig = join(dir, 'kubeconfig');
const target: KubernetesTarget = { kind: 'kubernetes', context: SANDBOX_CONTEXT, namespace: 'radarr' };
const stack = 'radarr-mvp';
let sandbox: Sandbox;
let services: ReturnType<typeof createServices>;

const kubectl = async (...args: string[]) =>
  (await run('kubectl', ['--kubeconfig', kubeconfig, '-n', target.namespace, ...args], { timeout: 30_000 })).stdout;

const radarrStandinValues = (extra: Record<string, unknown> = {}) => ({
  app: { image: STANDIN_IMAGES.radarr },
  postgres: { image: POSTGRES_IMAGE },
  downloads: { server: '127.0.0.1', path: '/srv/downloads' },
  movies: { server: '127.0.0.1', path: '/srv/movies' },
  backup: { inCluster: { enabled: true, nfs: { server: '127.0.0.1', path: '/srv/backups' } } },
  ...extra,
});

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 180_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    last = await fn().catch((e: unknown) => e as T);
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function healthy(timeoutMs = 300_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let last = '';
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${stack} did not become healthy: ${last}`));
    }, timeoutMs);
    const stop = services.deployments.watchRollout({ target, stack }, (status) => {
      last = JSON.stringify(status.workloads.map((w) => `${w.name} ${w.ready}/${w.desired} ${w.message ?? ''}`));
      if (status.state !== 'healthy') return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

beforeAll(async () => {
  await ensurePostgresImage(engine.docker);
  sandbox = await startSandbox({ speed: 0.1, runtime: { kind: 'docker', dockerHost: engine.host } });
  await sandbox.writeKubeconfig(kubeconfig);
  services = createServices({
    dataDir: join(dir, 'data'),
    mode: 'web',
    env: { HOME: dir, KUBECONFIG: kubeconfig },
    home: dir,
  });
  await services.deployments.apply({ target, stack, values: radarrStandinValues(), prune: true });
  await healthy();
}, 500_000);

afterAll(async () => {
  await services?.deployments.uninstall({ target, stack, deleteData: true }).catch(() => undefined);
  services?.close();
  await sandbox?.close();
}, 180_000);

describe('radarr-mvp on the sandbox with real containers', () => {
  it('runs healthy: radarr connected to its database, with the generated API key and DATABASE_URL', async () => {
    const pods = JSON.parse(await kubectl('get', 'pods', '-l', 'app.kubernetes.io/name=radarr', '-o', 'json')) as {
      items: { metadata: { name: string }; status: { containerStatuses?: { ready: boolean }[] } }[];
    };
    expect(pods.items.length).toBe(1);
    expect(pods.items[0]?.status.containerStatuses?.[0]?.ready).toBe(true);
    const logs = await kubectl('logs', pods.items[0]!.metadata.name);
    // The stand-in prints what the program would read: the wrapper turned the files into variables.
    expect(logs).toContain('connected to postgres:5432 (DATABASE_URL)');
    expect(logs).toContain('listening on :7878 (http)');
    expect(logs).toMatch(/setting DATABASE_URL=\(secret\)/);
    expect(logs).toMatch(/setting RADARR_API_KEY=\(secret\)/);
  }, 120_000);

  it('the nightly CronJob, run now, writes a pg_dump file into the backup export directory', async () => {
    await kubectl('create', 'job', 'backup-now', '--from=cronjob/postgres-backup');
    const succeeded = await until(
      async () =>
        (JSON.parse(await kubectl('get', 'job', 'backup-now', '-o', 'json')) as { status?: { succeeded?: number } })
          .status?.succeeded === 1,
      (done) => done === true,
      'the backup Job to succeed',
      150_000,
    ).catch(async (err: unknown) => {
      // What its pods did, for the failure message.
      const pods = await kubectl('get', 'pods', '-l', 'job-name=backup-now', '-o', 'name').catch(() => '');
      const first = pods.split('\n').find(Boolean);
      const log = first ? await kubectl('logs', first).catch((e: unknown) => String(e)) : '';
      const events = await kubectl('get', 'events', '-o', 'custom-columns=OBJ:.involvedObject.name,MSG:.message');
      throw new Error(`${String(err)}\npods: ${pods}\nlog of ${first ?? '-'}: ${log}\nevents: ${events.slice(-3000)}`);
    });
    expect(succeeded).toBe(true);
    const pod = (
      JSON.parse(await kubectl('get', 'pods', '-l', 'job-name=backup-now', '-o', 'json')) as {
        items: { metadata: { name: string } }[];
      }
    ).items[0]?.metadata.name;
    expect(pod).toBeDefined();
    const log = await kubectl('logs', pod!);
    expect(log).toMatch(/^wrote radarr-mvp-\d{8}T\d{6}Z\.dump \(\d+ bytes\)$/m);
    // The directory the export's claim is bound to, as the job's container saw it at /backup.
    const ids = (await engine.docker(['ps', '-a', '-q', '--filter', `label=io.kubernetes.pod.name=${pod!}`]))
      .split('\n')
      .filter(Boolean);
    const mounts = JSON.parse(await engine.docker(['inspect', '--format', '{{json .Mounts}}', ids[0]!])) as {
      Source: string;
      Destination: string;
    }[];
    const exportDir = mounts.find((m) => m.Destination === '/backup')?.Source;
    expect(exportDir).toMatch(/claims\/radarr\/radarr-mvp-backups$/);
    const files = (await readdir(exportDir!)).filter((f) => f.endsWith('.dump'));
    expect(files).toEqual([expect.stringMatching(/^radarr-mvp-\d{8}T\d{6}Z\.dump$/)]);
    // pg_dump's custom format starts with PGDMP.
    const head = (await readFile(join(exportDir!, files[0]!))).subarray(0, 5).toString();
    expect(head).toBe('PGDMP');
  }, 300_000);
});
