/** Revenge with a saved S3 profile and NAS export, deployed to the sandbox: the keys live in one Secret only. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../../sandbox/index';
import { loadKubeconfig } from '../clusters/kubeconfig';
import { resolveConnection } from '../kube/kube-connection';
import { createKubeGateway, type KubeGateway } from '../kube/kube-gateway';
import { resolveStackReferences, type ProvidedSecrets, type ReferenceLookups } from '../references/resolve';
import { createStackCatalog } from '../stacks/catalog';
import { createDeployEngine, type DeployEngine } from './engine';

let sandbox: Sandbox;
let gateway: KubeGateway;
let engine: DeployEngine;
const ref = { context: SANDBOX_CONTEXT, namespace: 'media', stack: 'revenge' };

const ACCESS = 'AKIAPROVIDEDKEY0001';
let secretKey = 'first-secret-key-9f8e7d6c5b4a';
const lookups: ReferenceLookups = {
  nasExport: async () => ({ server: '192.168.1.20', path: '/srv/media' }),
  s3Profile: async () => ({
    endpoint: 'https://s3.nas.lan:9000',
    region: 'garage',
    pathStyle: true,
    accessKeyId: ACCESS,
    secretAccessKey: secretKey,
  }),
};
const referenced = {
  api: { replicas: 1, autoscale: { enabled: false } },
  frontend: { replicas: 1 },
  nfs: { nas: { host: 'box', export: 'media' } },
  objectStore: { mode: 'profile', profile: 'garage', bucket: 'avatars' },
};

type Obj = {
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: unknown;
};
const credsPath = '/api/v1/namespaces/media/secrets/revenge-s3-credentials';
const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

/** Everything the revision Secret holds, unzipped, as text. */
async function revisionText(n: number): Promise<string> {
  const rev = await gateway.getJson<Obj>(`/api/v1/namespaces/media/secrets/homeport-rev-revenge-${n}`);
  return Object.values(rev.data ?? {})
    .map((v) => gunzipSync(Buffer.from(v, 'base64')).toString('utf8'))
    .join('\n');
}

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-provided-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  const conn = await resolveConnection(
    await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]),
    SANDBOX_CONTEXT,
  );
  gateway = createKubeGateway(conn);
  engine = createDeployEngine({ openGateway: async () => createKubeGateway(conn), catalog: createStackCatalog() });
});

afterAll(async () => {
  gateway?.close();
  await sandbox?.close();
});

describe('provided secrets on the sandbox', () => {
  it('puts the profile keys into a Secret the API reads, and nowhere else', async () => {
    const { values, provided } = await resolveStackReferences('revenge', referenced, lookups);

    // Without the provided keys nothing is sent.
    await expect(engine.plan({ ...ref, values })).rejects.toThrow(
      /revenge-s3-credentials\/access-key-id, revenge-s3-credentials\/secret-access-key/,
    );

    const plan = await engine.plan({ ...ref, values, provided });
    expect(plan.items).toContainEqual(
      expect.objectContaining({ kind: 'Secret', name: 'revenge-s3-credentials', action: 'create' }),
    );
    expect(JSON.stringify(plan)).not.toContain(ACCESS);

    const first = await engine.apply({ ...ref, values, provided, prune: true });
    expect(JSON.stringify(first)).not.toContain(ACCESS);
    expect(JSON.stringify(first)).not.toContain(secretKey);

    const creds = await gateway.getJson<Obj>(credsPath);
    expect(Object.fromEntries(Object.entries(creds.data ?? {}).map(([k, v]) => [k, decode(v)]))).toEqual({
      'access-key-id': ACCESS,
      'secret-access-key': secretKey,
    });
    expect(creds.metadata.annotations).toMatchObject({
      'homeport.dev/provided-by': 'homeport',
      'homeport.dev/provided-keys': 'access-key-id,secret-access-key',
    });
    expect(creds.metadata.labels).toMatchObject({
      'homeport.dev/stack': 'revenge',
      'app.kubernetes.io/managed-by': 'homeport',
    });

    // The API reads the keys through its config file, assembled from the provided Secret.
    const config = await gateway.getJson<Obj>('/api/v1/namespaces/media/secrets/revenge-config');
    const yaml = decode(config.data?.['config.yaml'] ?? '');
    expect(yaml).toContain(`access_key_id: "${ACCESS}"`);
    expect(yaml).toContain(`secret_access_key: "${secretKey}"`);
    const api = await gateway.getJson<Obj>('/apis/apps/v1/namespaces/media/deployments/revenge');
    const template = (api.spec as { template: { metadata: { annotations: Record<string, string> } } }).template;
    expect(template.metadata.annotations['homeport.dev/provided-hash']).toMatch(/^[0-9a-f]{16}$/);
    const pv = await gateway.getJson<Obj>('/api/v1/persistentvolumes/media-revenge-media');
    expect((pv.spec as { nfs: unknown }).nfs).toEqual({ server: '192.168.1.20', path: '/srv/media', readOnly: true });

    // The revision records the references and the Secret's shape, no key value.
    const recorded = await revisionText(1);
    expect(recorded).toContain('"profile":"garage"');
    expect(recorded).toContain('revenge-s3-credentials');
    expect(recorded).not.toContain(ACCESS);
    expect(recorded).not.toContain(secretKey);
    expect(recorded).not.toContain(Buffer.from(secretKey).toString('base64'));
    const revisions = await engine.revisions(ref);
    expect(JSON.stringify(revisions)).not.toContain(ACCESS);

    // The same provided keys again: nothing changes.
    const again = await engine.plan({ ...ref, values, provided });
    expect(again.items.filter((i) => i.action !== 'unchanged')).toEqual([]);
    const second = await engine.apply({ ...ref, values, provided, prune: true });
    expect(second.plan.items.filter((i) => i.action !== 'unchanged')).toEqual([]);
    expect(second.pruned).toEqual([]);

    // A rotated secret key: the credentials Secret and the config file made from it change, and the
    // hash of the provided values on the API's pod template, so its pods restart with the new key.
    secretKey = 'rotated-secret-key-1a2b3c4d5e6f';
    const rotated = await resolveStackReferences('revenge', referenced, lookups);
    expect(rotated.values).toEqual(values);
    const third = await engine.apply({ ...ref, values: rotated.values, provided: rotated.provided, prune: true });
    // The plan shows each object's YAML, with the keys' values masked.
    expect(JSON.stringify(third.plan)).not.toContain(secretKey);
    expect(JSON.stringify(third.plan)).not.toContain(ACCESS);
    const changed = third.plan.items
      .filter((i) => i.action !== 'unchanged')
      .map(({ live: _live, desired: _desired, ...item }) => item);
    expect(changed).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        name: 'revenge-config',
        namespace: 'media',
        action: 'update',
        changedFields: ['data["config.yaml"]'],
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        name: 'revenge-s3-credentials',
        namespace: 'media',
        action: 'update',
        changedFields: ['data.secret-access-key'],
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'revenge',
        namespace: 'media',
        action: 'update',
        changedFields: ['spec.template.metadata.annotations["homeport.dev/provided-hash"]'],
      },
    ]);
    expect(decode((await gateway.getJson<Obj>(credsPath)).data?.['secret-access-key'] ?? '')).toBe(secretKey);
    expect(await revisionText(3)).not.toContain(secretKey);

    // Rollback needs the keys again (the revision holds only the profile name).
    await expect(engine.rollback({ ...ref, revision: 1 })).rejects.toThrow(/revenge-s3-credentials\/access-key-id/);
    const back = await engine.rollback({ ...ref, revision: 1, provided: rotated.provided });
    expect(back.plan.items.filter((i) => i.action !== 'unchanged')).toEqual([]);
  });

  it('renders a Secret for a provided secret the stack does not declare, and keeps it while it is provided', async () => {
    const { values, provided } = await resolveStackReferences('revenge', referenced, lookups);
    const extra: ProvidedSecrets = { ...provided, 'revenge-extra': { token: 'extra-token-value' } };
    const plan = await engine.plan({ ...ref, values, provided: extra });
    expect(plan.items.filter((i) => i.action !== 'unchanged')).toEqual([
      expect.objectContaining({ kind: 'Secret', name: 'revenge-extra', action: 'create' }),
    ]);
    await engine.apply({ ...ref, values, provided: extra, prune: true });
    const x = await gateway.getJson<Obj>('/api/v1/namespaces/media/secrets/revenge-extra');
    expect(decode(x.data?.token ?? '')).toBe('extra-token-value');
    expect(x.metadata.annotations?.['homeport.dev/provided-keys']).toBe('token');
    const kept = await engine.apply({ ...ref, values, provided: extra, prune: true });
    expect(kept.pruned).toEqual([]);

    // No longer provided: it is pruned like anything the stack stops rendering.
    const dropped = await engine.apply({ ...ref, values, provided, prune: true });
    expect(dropped.pruned).toEqual(['Secret/revenge-extra']);
  });
});
