// The rendered in-cluster backup, applied with real kubectl to the sandbox (it serves batch/v1 CronJobs).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/index';
import { createStackCatalog, toYaml } from './catalog';

const run = promisify(execFile);
let sandbox: Sandbox;
let dir: string;
let kubeconfig: string;

const kubectl = async (...args: string[]) =>
  (await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 20_000 })).stdout;

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.1 });
  dir = mkdtempSync(join(tmpdir(), 'homeport-cronjob-'));
  kubeconfig = join(dir, 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
});
afterAll(() => sandbox?.close());

describe('the in-cluster backup CronJob', () => {
  it('is accepted by the API server with a server-side dry run, then applied server-side (as Homeport applies)', async () => {
    const objects = createStackCatalog()
      .renderKubernetes(
        'revenge',
        { backup: { inCluster: { enabled: true, nfs: { server: 'nas.lan', path: '/export/backups' } } } },
        { namespace: 'default' },
      )
      .objects.filter((o) => o.kind === 'CronJob' || o.metadata.name.endsWith('backups'));
    expect(objects.map((o) => o.kind)).toEqual(['PersistentVolume', 'PersistentVolumeClaim', 'CronJob']);
    const file = join(dir, 'backup.yaml');
    writeFileSync(file, toYaml(objects));
    expect(await kubectl('apply', '--server-side', '--dry-run=server', '-f', file)).toContain(
      'cronjob.batch/postgres-backup serverside-applied (server dry run)',
    );
    await kubectl('apply', '--server-side', '-f', file);
    const live = JSON.parse(await kubectl('get', 'cronjob', 'postgres-backup', '-n', 'default', '-o', 'json')) as {
      spec: { schedule: string; concurrencyPolicy: string };
    };
    expect(live.spec).toMatchObject({ schedule: '0 3 * * *', concurrencyPolicy: 'Forbid' });
  });
});
