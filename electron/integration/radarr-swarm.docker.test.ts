/**
 * radarr-mvp on the real engine's swarm through Homeport's services: the radarr-mvp stand-in
 * (its start wrapper reads the secret files into DATABASE_URL and RADARR_API_KEY, which the program
 * reads only from the environment) and the real PostgreSQL image. Nothing mounts NFS here
 * (no kernel module), so the downloads and movies mounts are off. The nightly dump is proven on the
 * sandbox (radarr-sandbox.docker.test.ts); the Swarm job loop it runs in is Revenge's, proven on this
 * engine by stacks/scheduled-jobs.docker.test.ts. The kernel has no IPVS either: the database's service answers by DNS
 * round robin instead of a virtual IP.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwarmTarget } from '@shared/target-schemas';
import { STANDIN_IMAGES } from '../core/docker/testing/dockerd';
import { testEngine } from '../core/docker/testing/engine';
import { ensurePostgresImage, POSTGRES_IMAGE } from '../core/docker/testing/postgres-image';
import { createServices } from '../services';

const run = promisify(execFile);
const engine = testEngine();
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
});
