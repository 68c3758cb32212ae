/**
 * The Goverse stack's etcd, as the model renders it, on the real etcd test image: three members
 * started with the model's variables find each other by their per-instance names
 * (etcd-N.etcd-headless) and form one cluster, and the snapshot job's command saves a snapshot.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goverseValuesSchema } from '../../stacks/goverse';
import { buildGoverse, ETCD_MEMBERS } from '../../stacks/goverse-stack';
import { testEngine } from './engine';
import { ensureEtcdImage, ETCD_IMAGE } from './etcd-image';

const { docker, host } = testEngine();
/** stdout and stderr of a docker command, whatever its exit code (etcdctl 3.4 reports health on stderr). */
const both = (args: string[]) =>
  new Promise<string>((resolve) => {
    execFile('docker', ['--host', host, ...args], (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
const id = randomBytes(3).toString('hex');
const net = `goverse-etcd-${id}`;
const backup = `goverse-etcd-backup-${id}`;
const member = (i: number) => `goverse-etcd-${id}-${i}`;
const model = buildGoverse(
  goverseValuesSchema.parse({
    node: { image: 'goverse-node:x' },
    gate: { image: 'goverse-gate:x' },
    inspector: { image: 'goverse-inspector:x' },
    migrate: { image: 'goverse-pgadmin:x' },
    etcd: { image: ETCD_IMAGE },
  }),
);
const etcd = model.components.find((c) => c.name === 'etcd')!;
const snapshot = model.jobs!.find((j) => j.name === 'etcd-snapshot')!;

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const last = await fn();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

beforeAll(async () => {
  await ensureEtcdImage(docker);
  await docker(['network', 'create', net]);
  for (let i = 0; i < ETCD_MEMBERS; i++) {
    // What the platform gives each instance: its name and a per-instance DNS name.
    const name = `etcd-${i}`;
    const env = etcd.env.map((e) => `${e.name}=${e.value.replace('$(ETCD_NAME)', name)}`);
    await docker([
      'run',
      '-d',
      '--name',
      member(i),
      '--network',
      net,
      '--network-alias',
      `${name}.etcd-headless`,
      '--network-alias',
      'etcd',
      '-e',
      `ETCD_NAME=${name}`,
      ...env.flatMap((e) => ['-e', e]),
      '--tmpfs',
      etcd.data!.mountPath,
      ETCD_IMAGE,
    ]);
  }
}, 300_000);

afterAll(async () => {
  for (let i = 0; i < ETCD_MEMBERS; i++) await docker(['rm', '-f', member(i)]).catch(() => undefined);
  await docker(['volume', 'rm', '-f', backup]).catch(() => undefined);
  await docker(['network', 'rm', net]).catch(() => undefined);
}, 120_000);

describe("Goverse's etcd on the real etcd image", () => {
  it('forms one cluster of three from the stable names', async () => {
    const health = () =>
      both([
        'exec',
        member(0),
        'etcdctl',
        '--endpoints=http://etcd-0.etcd-headless:2379',
        'endpoint',
        'health',
        '--cluster',
      ]);
    const out = await until(
      health,
      (o) => (o.match(/is healthy/g) ?? []).length === ETCD_MEMBERS,
      'a healthy cluster',
    ).catch(async (err: Error) => {
      const logs = await both(['logs', '--tail', '15', member(0)]);
      throw new Error(`${err.message}\netcd-0's log:\n${logs}`);
    });
    for (let i = 0; i < ETCD_MEMBERS; i++) expect(out).toContain(`http://etcd-${i}.etcd-headless:2379 is healthy`);
    const members = await docker(['exec', member(1), 'etcdctl', 'member', 'list']);
    expect(members.trim().split('\n')).toHaveLength(ETCD_MEMBERS);
  }, 180_000);

  it("saves a snapshot with the snapshot job's command", async () => {
    const mount = snapshot.mounts[0]!;
    const out = await docker([
      'run',
      '--rm',
      '--network',
      net,
      '-v',
      `${backup}:${mount.mountPath}`,
      '--entrypoint',
      snapshot.command[0]!,
      ETCD_IMAGE,
      ...snapshot.command.slice(1),
    ]);
    expect(out).toContain('Snapshot saved at /backup/etcd-snapshot.db');
  }, 120_000);
});
