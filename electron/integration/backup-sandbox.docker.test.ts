/**
 * Backup and restore of Revenge on Kubernetes: the sandbox API server with its Docker runtime, so
 * the pods are real containers and the database is a real PostgreSQL (postgres:homeport-real);
 * Homeport reaches it only through the Kubernetes API (pods/exec over WebSocket). Backed up to the
 * NAS over SFTP, verified by a drill in a scratch namespace, wiped with its claims and restored into
 * the same namespace and into another: tables and objects match what the backup recorded.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupManifest } from '@shared/backup-schemas';
import type { KubernetesTarget } from '@shared/target-schemas';
import { ensurePostgresImage } from '../core/docker/testing/postgres-image';
import { testEngine } from '../core/docker/testing/engine';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../sandbox';
import {
  bucketSums,
  emptyBucket,
  loadSample,
  putObjects,
  revengeValues,
  runOperation,
  startBackupWorld,
  statsOf,
  type BackupWorld,
} from './backup-world';

const engine = testEngine();
const dir = mkdtempSync(join(tmpdir(), 'homeport-backup-k8s-'));
const kubeconfig = join(dir, 'kubeconfig');
const target: KubernetesTarget = { kind: 'kubernetes', context: SANDBOX_CONTEXT, namespace: 'media' };
const elsewhere: KubernetesTarget = { ...target, namespace: 'media-restored' };
const stack = 'revenge';
let sandbox: Sandbox;
let world: BackupWorld;
let objects: Map<string, string>;

/** The running postgres pod of the stack in a namespace. */
async function postgresPod(t: KubernetesTarget): Promise<{ pod: string }> {
  const found = await world.services.stackLeaders.workloadOf(t, stack, 'postgres');
  if (typeof found === 'string' || !('pod' in found)) throw new Error(String(found));
  return found;
}

async function eventually<T>(fn: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

beforeAll(async () => {
  await ensurePostgresImage(engine.docker);
  sandbox = await startSandbox({ speed: 0.1, runtime: { kind: 'docker', dockerHost: engine.host } });
  await sandbox.writeKubeconfig(kubeconfig);
  world = await startBackupWorld({ KUBECONFIG: kubeconfig });
  await world.services.backupKeys.set({ passphrase: 'a long backup passphrase' });
  await world.services.deployments.apply({ target, stack, values: revengeValues(), prune: true });
  await eventually(async () => loadSample(world, target, await postgresPod(target), 1500));
  objects = await putObjects(world, 12);
}, 400_000);

afterAll(async () => {
  for (const t of [target, elsewhere]) {
    await world?.services.deployments.uninstall({ target: t, stack, deleteData: true }).catch(() => undefined);
  }
  await world?.close();
  await sandbox?.close();
}, 180_000);

describe('Revenge on the sandbox with real containers: back up, verify, restore', () => {
  let good: { backup: string; manifest: BackupManifest };

  it('backs up through pods/exec and the drill passes in a scratch namespace', async () => {
    const taken = await runOperation(world, world.services.backups.start({ target, stack, destination: world.nas }));
    expect(taken.end.state, taken.end.message).toBe('succeeded');
    const [summary] = await world.services.backups.list({ destination: world.nas, stack });
    good = { backup: taken.backup, manifest: summary!.manifest! };
    const tables = good.manifest.items.find((i) => i.kind === 'database')!.tables!;
    expect(tables).toEqual(await statsOf(world, target, await postgresPod(target)));
    expect(good.manifest.items.find((i) => i.kind === 'database')?.source).toMatch(/^pod revenge-postgres-/);
    expect(good.manifest.where).toBe(`namespace media of context '${SANDBOX_CONTEXT}'`);

    const drill = await runOperation(
      world,
      world.services.backups.verify({ destination: world.nas, backup: good.backup }),
    );
    expect(drill.end.state, drill.end.message).toBe('succeeded');
    const [after] = await world.services.backups.list({ destination: world.nas, stack });
    expect(after?.drill).toMatchObject({
      result: 'passed',
      scratch: expect.stringMatching(/^namespace homeport-drill-[0-9a-f]{4} of context/),
    });
    // The scratch namespace is gone with its pods.
    const { namespaces } = await world.services.kube.listNamespaces({ context: SANDBOX_CONTEXT });
    expect(namespaces.filter((n) => n.startsWith('homeport-drill-'))).toEqual([]);
  }, 900_000);

  it('restores into another namespace: healthy, every table and object as recorded', async () => {
    const recorded = good.manifest.items.find((i) => i.kind === 'database')!.tables!;
    await emptyBucket(world);
    const { end } = await runOperation(
      world,
      world.services.backups.restore({
        destination: world.nas,
        backup: good.backup,
        target: elsewhere,
        replace: false,
      }),
    );
    expect(end.state, end.message).toBe('succeeded');
    expect(await statsOf(world, elsewhere, await postgresPod(elsewhere))).toEqual(recorded);
    expect(await bucketSums(world)).toEqual(objects);
    expect(
      (await world.services.deployments.revisions({ target: elsewhere, stack })).find((r) => r.current)?.values,
    ).toEqual((await world.services.deployments.revisions({ target, stack })).find((r) => r.current)?.values);
  }, 900_000);
});
