import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '@shared/contract';
import { startSshd, type TestSshd } from '../core/ssh/testing/sshd';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../sandbox/index';
import S3rver from 's3rver';
import { createApi } from './create-api';

const run = promisify(execFile);

/**
 * The whole path a user takes: save a NAS host and an S3 profile, create an export, then deploy
 * a stack whose values only name them. The cluster gets the export's server and path and the
 * profile's keys in a Secret; nothing secret comes back through the API.
 */
describe('stack values naming a NAS export and an S3 profile', () => {
  let sandbox: Sandbox;
  let sshd: TestSshd;
  let api: ReturnType<typeof createApi>;
  let kubeconfig: string;
  let s3: S3rver;
  let s3Endpoint: string;
  const exportDir = `/srv/homeport-refs-${process.pid}`;

  async function call<T>(channel: string, input: unknown): Promise<T> {
    const envelope = (await api.dispatch(channel, input)) as Envelope<T>;
    if (!envelope.ok) throw new Error(`${envelope.error.code}: ${envelope.error.message}`);
    return envelope.value;
  }
  const kubectl = async (args: string[]) => (await run('kubectl', ['--kubeconfig', kubeconfig, ...args])).stdout;

  beforeAll(async () => {
    sandbox = await startSandbox({ speed: 0.05 });
    sshd = await startSshd();
    const dir = mkdtempSync(join(tmpdir(), 'homeport-refs-'));
    // s3rver knows one key id; the secret key Homeport signs with stays this test's own (never shown).
    mkdirSync(join(dir, 's3'));
    s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      directory: join(dir, 's3'),
      silent: true,
      allowMismatchedSignatures: true,
    });
    s3Endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
    kubeconfig = join(dir, 'sandbox.kubeconfig');
    await sandbox.writeKubeconfig(kubeconfig);
    const keyFile = join(dir, 'id');
    writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 });
    api = createApi({
      dataDir: join(dir, 'data'),
      mode: 'web',
      sandboxKubeconfig: kubeconfig,
      env: { HOME: dir, KUBECONFIG: '/nonexistent/kubeconfig' },
    });
    await call('nas:add', { name: 'box', address: sshd.host, port: sshd.port, user: sshd.user, auth: 'key', keyFile });
    const probe = await call<{ status: string; hostKey?: { fingerprint: string } }>('nas:probe', { name: 'box' });
    await call('nas:acceptHostKey', { name: 'box', fingerprint: probe.hostKey?.fingerprint ?? '' });
    await call('nas:createExport', {
      host: 'box',
      name: 'media',
      path: exportDir,
      clients: ['127.0.0.1'],
      readOnly: true,
      squash: 'root_squash',
    });
    await call('s3:add', {
      name: 'garage',
      endpoint: s3Endpoint,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'never-shown-secret-key',
    });
  }, 60_000);

  afterAll(async () => {
    await call('nas:removeExport', { host: 'box', name: 'media' }).catch(() => undefined);
    await rm(exportDir, { recursive: true, force: true });
    api?.services.close();
    await sshd?.close();
    await sandbox?.close();
    await s3?.close();
  });

  const values = {
    nfs: { nas: { host: 'box', export: 'media' } },
    objectStore: { mode: 'profile', profile: 'garage', bucket: 'avatars' },
  };
  const target = { target: { kind: 'kubernetes', context: SANDBOX_CONTEXT, namespace: 'refs' }, stack: 'revenge' };

  it('deploys with the export and the profile resolved, keys only in the cluster', async () => {
    const result = await call<{ plan: { items: { kind: string; name: string }[] } }>('deploy:apply', {
      ...target,
      values,
      prune: false,
    });
    expect(result.plan.items).toContainEqual(
      expect.objectContaining({ kind: 'Secret', name: 'revenge-s3-credentials' }),
    );
    expect(JSON.stringify(result)).not.toContain('never-shown-secret-key');

    const pv = JSON.parse(await kubectl(['get', 'pv', '-l', 'homeport.dev/stack=revenge', '-o', 'json'])) as {
      items: { spec: { nfs?: { server: string; path: string } } }[];
    };
    expect(pv.items.map((p) => p.spec.nfs)).toContainEqual({ server: sshd.host, path: exportDir, readOnly: true });
    const secret = await kubectl([
      'get',
      'secret',
      'revenge-s3-credentials',
      '-n',
      'refs',
      '-o',
      'jsonpath={.data.secret-access-key}',
    ]);
    expect(Buffer.from(secret, 'base64').toString()).toBe('never-shown-secret-key');
    const env = await kubectl([
      'get',
      'deploy',
      'revenge',
      '-n',
      'refs',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].env}',
    ]);
    expect(env).toContain(s3Endpoint);
    // The bucket the values name exists after the deploy: Revenge only warns when it is missing.
    const buckets = await call<{ buckets: { name: string }[] }>('s3:listBuckets', { profile: 'garage' });
    expect(buckets.buckets.map((b) => b.name)).toContain('avatars');
    expect(env).not.toContain('never-shown-secret-key');

    const revisions = await call<{ revisions: unknown[] }>('deploy:revisions', target);
    expect(JSON.stringify(revisions)).not.toContain('never-shown-secret-key');
  }, 60_000);

  it('names the field of a reference that does not resolve', async () => {
    const envelope = (await api.dispatch('deploy:plan', {
      ...target,
      values: { ...values, objectStore: { mode: 'profile', profile: 'nowhere', bucket: 'avatars' } },
    })) as Envelope<unknown>;
    expect(envelope).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(!envelope.ok && envelope.error.message).toContain('objectStore.profile');
    const noExport = (await api.dispatch('deploy:plan', {
      ...target,
      values: { ...values, nfs: { nas: { host: 'box', export: 'films' } } },
    })) as Envelope<unknown>;
    expect(!noExport.ok && noExport.error.message).toContain("'nfs.nas.export': no export 'films' on NAS host 'box'");
  }, 30_000);
});
