import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '@shared/contract';
import type { LiveValues } from '@shared/deploy-form-schemas';
import type { Plan } from '@shared/deploy-schemas';
import { asReferences } from '../core/references/as-references';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../sandbox/index';
import { createApi } from './create-api';

const run = promisify(execFile);

/** What the Deploy form starts from on a cluster: the values of the live revision, none before. */
describe('deploy:liveValues on the sandbox', () => {
  let sandbox: Sandbox;
  let api: ReturnType<typeof createApi>;
  let kubeconfig: string;
  const ref = { target: { kind: 'kubernetes', context: SANDBOX_CONTEXT, namespace: 'form' }, stack: 'revenge' };

  async function call<T>(channel: string, input: unknown): Promise<T> {
    const envelope = (await api.dispatch(channel, input)) as Envelope<T>;
    if (!envelope.ok) throw new Error(`${envelope.error.code}: ${envelope.error.message}`);
    return envelope.value;
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ speed: 0.05 });
    const dir = mkdtempSync(join(tmpdir(), 'homeport-form-'));
    kubeconfig = join(dir, 'sandbox.kubeconfig');
    await sandbox.writeKubeconfig(kubeconfig);
    api = createApi({
      dataDir: join(dir, 'data'),
      mode: 'web',
      sandboxKubeconfig: kubeconfig,
      env: { HOME: dir, KUBECONFIG: '/nonexistent/kubeconfig' },
    });
  }, 60_000);

  afterAll(async () => {
    api?.services.close();
    await sandbox?.close();
  });

  const changed = {
    api: { image: 'ghcr.io/lusoris/revenge:1.4.0', replicas: 3 },
    logging: { level: 'debug' },
    nfs: { server: '10.0.0.20', path: '/srv/media' },
  };

  it('has no live values before the first apply', async () => {
    expect(await call<LiveValues>('deploy:liveValues', ref)).toEqual({ live: null });
  });

  it('gives the newest revision its values, which plan to no change and hold no secret value', async () => {
    await call('deploy:apply', { ...ref, values: changed, prune: false });
    const { live } = await call<LiveValues>('deploy:liveValues', ref);
    expect(live?.revision).toBe(1);
    expect(live?.values).toMatchObject({
      api: { image: 'ghcr.io/lusoris/revenge:1.4.0', replicas: 3 },
      logging: { level: 'debug' },
      nfs: { server: '10.0.0.20', path: '/srv/media' },
    });

    // Planned as they are, they change nothing: the form can start from them.
    const plan = await call<Plan>('deploy:plan', { ...ref, values: live?.values });
    expect(plan.items.filter((i) => i.action !== 'unchanged')).toEqual([]);

    // The stack's generated Secret values (database password, ...) are in the cluster, not here.
    const secrets = JSON.parse(
      (await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'secrets', '-n', 'form', '-o', 'json'])).stdout,
    ) as { items: { type?: string; data?: Record<string, string> }[] };
    const secretValues = secrets.items
      .filter((s) => s.type !== 'homeport.dev/stack-revision')
      .flatMap((s) => Object.values(s.data ?? {}).map((v) => Buffer.from(v, 'base64').toString()))
      .filter((v) => v.length >= 16);
    expect(secretValues.length).toBeGreaterThan(0);
    const sent = JSON.stringify(live);
    for (const value of secretValues) expect(sent).not.toContain(value);
  }, 60_000);

  it('follows a new apply and an uninstall', async () => {
    await call('deploy:apply', { ...ref, values: { ...changed, api: { ...changed.api, replicas: 2 } }, prune: false });
    const { live } = await call<LiveValues>('deploy:liveValues', ref);
    expect(live?.revision).toBe(2);
    expect(live?.values).toMatchObject({ api: { replicas: 2 } });
    await call('deploy:uninstall', { ...ref, deleteData: true });
    expect(await call<LiveValues>('deploy:liveValues', ref)).toEqual({ live: null });
  }, 60_000);

  it('refuses a namespace Kubernetes would refuse, naming the rule', async () => {
    const envelope = (await api.dispatch('deploy:liveValues', {
      ...ref,
      target: { ...ref.target, namespace: 'Bad_NS' },
    })) as Envelope<unknown>;
    expect(envelope).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(!envelope.ok && envelope.error.message).toContain('lowercase letters');
  });
});

describe('recorded values given back as the user typed them', () => {
  it('turns a resolved S3 profile and NAS exports back into references', () => {
    const recorded = {
      nfs: { enabled: true, nas: { host: 'box', export: 'media' }, server: '10.0.0.5', path: '/srv/m', size: '1Ti' },
      backup: { inCluster: { nfs: { nas: { host: 'box', export: 'dumps' }, server: '10.0.0.5', path: '/srv/d' } } },
      objectStore: {
        mode: 'external',
        endpoint: 'http://s3.lan:9000',
        region: 'garage',
        bucket: 'avatars',
        usePathStyle: true,
        credentialsSecret: 'revenge-s3-credentials',
        profile: 'garage',
      },
    };
    expect(asReferences(recorded)).toEqual({
      nfs: { enabled: true, nas: { host: 'box', export: 'media' }, size: '1Ti' },
      backup: { inCluster: { nfs: { nas: { host: 'box', export: 'dumps' } } } },
      objectStore: { mode: 'profile', profile: 'garage', bucket: 'avatars' },
    });
  });

  it('leaves values without references as they are', () => {
    const plain = {
      nfs: { server: 'nas.lan', path: '/export/media' },
      objectStore: { mode: 'external', endpoint: 'https://s3.example.com', credentialsSecret: 'mine' },
    };
    expect(asReferences(plain)).toEqual(plain);
  });
});
