/**
 * radarr-mvp on the real engine's swarm through Homeport's services: the radarr-mvp stand-in
 * (its start wrapper reads the secret files into DATABASE_URL and RADARR_API_KEY, which the program
 * reads only from the environment) and the real PostgreSQL image. Nothing mounts NFS here
 * (no kernel module), so the downloads and movies mounts are off, and the nightly pg_dump service
 * runs as rendered except that its NFS volume is a bind of the export's directory on this machine;
 * its dump file lands there. The kernel has no IPVS either: the database's service answers by DNS
 * round robin instead of a virtual IP.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwarmTarget } from '@shared/target-schemas';
import { createDockerClient } from '../core/docker/client';
import { STANDIN_IMAGES } from '../core/docker/testing/dockerd';
import { testEngine } from '../core/docker/testing/engine';
import { ensurePostgresImage, POSTGRES_IMAGE } from '../core/docker/testing/postgres-image';
import { createStackCatalog } from '../core/stacks/catalog';
import { BACKUP_MOUNT } from '../core/stacks/postgres-backup-job';
import { engineApi } from '../core/swarm/engine-api';
import { createServices } from '../services';

const run = promisify(execFile);
const engine = testEngine();
const api = engineApi(createDockerClient({ kind: 'unix', socketPath: engine.socketPath }));
const dir = mkdtempSync(join(tmpdir(), 'homeport-radarr-swarm-'));
const target: SwarmTarget = { kind: 'swarm', endpoint: 'test' };
const stack = 'radarr-mvp';
const values = {
  app: { image: STANDIN_IMAGES.radarr },
  postgres: { image: POSTGRES_IMAGE },
  downloads: { enabled: false },
  movies: { enabled: false },
  swarm: { publish: { http: null } },
};
let services: ReturnType<typeof createServices>;
let jobId: string | undefined;

const serviceLogs = async (name: string) => {
  const r = await run('docker', ['--host', engine.host, 'service', 'logs', '--raw', name]).catch(() => ({
    stdout: '',
    stderr: '',
  }));
  return `${r.stdout}${r.stderr}`;
};

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
  services = createServices({ dataDir: join(dir, 'data'), mode: 'web', env: { HOME: dir }, home: dir });
  await services.dockerEndpoints.add({ name: 'test', url: engine.host });
  await services.deployments.apply({ target, stack, values, prune: true });
  // This machine's kernel has no IPVS, so Swarm's virtual IPs route nowhere (connections time out);
  // the database answers at its name when the name resolves to its task (DNS round robin).
  await engine.docker(['service', 'update', '--detach', '--endpoint-mode', 'dnsrr', `${stack}_postgres`]);
  await healthy().catch(async (err: unknown) => {
    const tasks = await run('docker', ['--host', engine.host, 'service', 'ps', '--no-trunc', `${stack}_radarr`])
      .then((r) => r.stdout)
      .catch(() => '');
    throw new Error(`${String(err)}\ntasks:\n${tasks}\nlogs:\n${(await serviceLogs(`${stack}_radarr`)).slice(-4000)}`);
  });
}, 500_000);

afterAll(async () => {
  if (jobId) await api.removeService(jobId).catch(() => undefined);
  await services?.deployments.uninstall({ target, stack, deleteData: true }).catch(() => undefined);
  services?.close();
}, 180_000);

/** Runs the stand-in once as a plain container; its exit code and output. */
async function once(args: string[]): Promise<{ code: number; out: string }> {
  return run('docker', ['--host', engine.host, 'run', '--rm', ...args], { timeout: 60_000 }).then(
    (r) => ({ code: 0, out: `${r.stdout}${r.stderr}` }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? -1,
      out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
    }),
  );
}

describe('the radarr-mvp stand-in refuses what the program refuses', () => {
  const image = STANDIN_IMAGES.radarr as string;
  const key = ['--env', `RADARR_API_KEY=${'k'.repeat(43)}`];

  it('without RADARR_API_KEY, and with the default database URL (localhost)', async () => {
    const r = await once(['--add-host', 'postgres:127.0.0.1', image]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('RADARR_API_KEY is required');
    expect(r.out).toContain('DATABASE_URL must name postgres:5432, not localhost:5432');
  }, 90_000);

  it('when nothing answers at DATABASE_URL, within the pool acquire timeout', async () => {
    const started = Date.now();
    const r = await once([
      '--add-host',
      'postgres:127.0.0.1',
      ...key,
      '--env',
      'DATABASE_URL=postgresql://radarr:pw@postgres:5432/radarr',
      image,
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('DATABASE_URL: cannot connect to postgres:5432');
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 90_000);
});

describe('radarr-mvp on Swarm', () => {
  it('runs healthy: the wrapper handed radarr its database URL and API key from the secret files', async () => {
    const logs = await serviceLogs(`${stack}_radarr`);
    expect(logs).toContain('connected to postgres:5432 (DATABASE_URL)');
    expect(logs).toContain('listening on :7878 (http)');
    expect(logs).toMatch(/setting DATABASE_URL=\(secret\)/);
    expect(logs).toMatch(/setting RADARR_API_KEY=\(secret\)/);
    expect(logs).not.toContain('DATABASE_URL_FILE');
  }, 60_000);

  it('the nightly pg_dump service, as rendered, writes its dump into the backup export directory', async () => {
    const exportDir = join(dir, 'nas-backups');
    await mkdir(exportDir);
    // The job runs as the database image's user (uid 70), as the NAS export must let it write.
    await chmod(exportDir, 0o777);
    const rendered = createStackCatalog().renderSwarm(
      stack,
      {
        ...values,
        backup: {
          inCluster: { enabled: true, schedule: '* * * * *', nfs: { server: '127.0.0.1', path: '/srv/backups' } },
        },
      },
      { stack },
    );
    const job = rendered.services.find((s) => s.Name === `${stack}_postgres-backup`);
    expect(job).toBeDefined();
    const spec = job!.TaskTemplate.ContainerSpec;
    // The NFS volume as rendered, then the bind of the export directory that stands for it.
    expect(
      spec.Mounts?.map((m) => [m.Target, 'VolumeOptions' in m ? m.VolumeOptions?.DriverConfig?.Options : m]),
    ).toEqual([[BACKUP_MOUNT, { type: 'nfs', o: 'addr=127.0.0.1,nfsvers=4', device: ':/srv/backups' }]]);
    const secrets = await Promise.all(
      (spec.Secrets ?? []).map(async (r) => {
        const [live] = await api.secretsNamed(r.SecretName);
        if (!live) throw new Error(`the deploy made no secret ${r.SecretName}`);
        return { ...r, SecretID: live.ID };
      }),
    );
    const body = {
      ...job,
      TaskTemplate: {
        ...job!.TaskTemplate,
        ContainerSpec: {
          ...spec,
          Secrets: secrets,
          Mounts: [{ Type: 'bind', Source: exportDir, Target: BACKUP_MOUNT }],
        },
      },
    };
    jobId = (await api.createService(body)).ID;
    const deadline = Date.now() + 180_000;
    let files: string[] = [];
    while (Date.now() < deadline) {
      files = (await readdir(exportDir)).filter((f) => /^radarr-mvp-\d{8}T\d{6}Z\.dump$/.test(f));
      if (files.length > 0) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    expect(files, await serviceLogs(`${stack}_postgres-backup`)).toHaveLength(1);
    expect((await readFile(join(exportDir, files[0]!))).subarray(0, 5).toString()).toBe('PGDMP');
  }, 300_000);
});
