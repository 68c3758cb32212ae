import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../../sandbox/index';
import { loadKubeconfig } from '../clusters/kubeconfig';
import { resolveConnection } from '../kube/kube-connection';
import { createKubeGateway, type KubeGateway } from '../kube/kube-gateway';
import { createDeployClient } from './client';
import { createDeployEngine, type DeployEngine } from './engine';
import { recordRevision, revisionSecretName } from './revisions';
import { createFixtureCatalog, FIXTURE_STACK } from './testing/fixture-stack';

let sandbox: Sandbox;
let gateway: KubeGateway;
let engine: DeployEngine;

const ns = 'plans';
const ref = { context: SANDBOX_CONTEXT, namespace: ns, stack: FIXTURE_STACK };
const v1 = { replicas: 1, image: 'nginx:1.27', adminUser: 'admin', extraConfig: true };
const v2 = { ...v1, image: 'nginx:1.28', adminUser: 'operator-7f3a' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-plan-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  const conn = await resolveConnection(
    await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]),
    SANDBOX_CONTEXT,
  );
  gateway = createKubeGateway(conn);
  let n = 0;
  engine = createDeployEngine({
    openGateway: async () => createKubeGateway(conn),
    catalog: createFixtureCatalog(),
    now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, n++)),
    author: () => ({ manager: 'homeport', host: 'desk-7', user: 'ana' }),
  });
});

afterAll(async () => {
  gateway?.close();
  await sandbox?.close();
});

describe('readable plans and confirmed rollbacks against the sandbox', () => {
  it('a first plan says every value is new; later plans show the values diff and the objects as masked YAML', async () => {
    const first = await engine.plan({ ...ref, values: v1 });
    expect(first.values).toEqual({ changes: [] });
    await engine.apply({ ...ref, values: v1, prune: true });

    const plan = await engine.plan({ ...ref, values: v2 });
    expect(plan.values).toEqual({
      from: 1,
      changes: [
        // The admin user name is stored in a Secret: it is masked like a password.
        { path: 'adminUser', before: '(secret)', after: '(secret, changed)' },
        { path: 'image', before: 'nginx:1.27', after: 'nginx:1.28' },
      ],
    });
    const web = plan.items.find((i) => i.kind === 'Deployment' && i.name === 'demo-web');
    expect(web?.action).toBe('update');
    expect(web?.live).toContain('image: nginx:1.27');
    expect(web?.desired).toContain('image: nginx:1.28');
    // Server bookkeeping is not part of what the user reviews.
    for (const noise of ['managedFields', 'resourceVersion', 'uid:', 'status:', 'creationTimestamp'])
      expect(web?.desired).not.toContain(noise);
    // Unchanged objects carry no YAML: the plan folds them.
    for (const i of plan.items.filter((x) => x.action === 'unchanged')) expect(i.live ?? i.desired).toBeUndefined();

    // The Secret's keys show, its values never: the changed one reads "(secret, changed)".
    const secret = plan.items.find((i) => i.kind === 'Secret' && i.name === 'demo-secrets');
    expect(secret?.action).toBe('update');
    expect(secret?.live).toMatch(/username: \(secret\)/);
    expect(secret?.desired).toMatch(/username: \(secret, changed\)/);
    expect(secret?.desired).toMatch(/db-password: \(secret\)\n/);
    const live = await gateway.getJson<{ data: Record<string, string> }>(
      `/api/v1/namespaces/${ns}/secrets/demo-secrets`,
    );
    const text = JSON.stringify(plan);
    // The generated credentials, as stored and decoded (the user name is a value of the stack's values).
    for (const key of ['db-password', 'api-key']) {
      const value = live.data[key] as string;
      expect(value.length).toBeGreaterThan(8);
      expect(text).not.toContain(value);
      expect(text).not.toContain(Buffer.from(value, 'base64').toString('utf8'));
    }
    for (const value of ['operator-7f3a', b64('operator-7f3a'), b64('admin')]) expect(text).not.toContain(value);
  });

  it('plans a rollback without applying it, then rolls back recording exactly one revision', async () => {
    await engine.apply({ ...ref, values: v2, prune: true });
    const before = await engine.revisions(ref);
    expect(before.map((r) => r.revision)).toEqual([2, 1]);

    const plan = await engine.rollbackPlan({ ...ref, revision: 1 });
    expect(plan.rollbackTo).toBe(1);
    expect(plan.revision).toBe(3);
    expect(plan.values?.changes).toContainEqual({ path: 'image', before: 'nginx:1.28', after: 'nginx:1.27' });
    const web = plan.items.find((i) => i.kind === 'Deployment' && i.name === 'demo-web');
    expect(web?.live).toContain('nginx:1.28');
    expect(web?.desired).toContain('nginx:1.27');
    expect((await engine.revisions(ref)).map((r) => r.revision)).toEqual([2, 1]);
    const deploy = await gateway.getJson<{ spec: { template: { spec: { containers: { image: string }[] } } } }>(
      `/apis/apps/v1/namespaces/${ns}/deployments/demo-web`,
    );
    expect(deploy.spec.template.spec.containers[0]?.image).toBe('nginx:1.28');

    await engine.rollback({ ...ref, revision: 1 });
    const after = await engine.revisions(ref);
    expect(after.map((r) => r.revision)).toEqual([3, 2, 1]);
    expect(after[0]).toMatchObject({
      rollbackOf: 1,
      manager: 'homeport',
      host: 'desk-7',
      user: 'ana',
      summary: 'rollback to 1: adminUser: (secret) → (secret, changed); image: nginx:1.28 → nginx:1.27',
    });
    expect(after[1]?.summary).toBe('adminUser: (secret) → (secret, changed); image: nginx:1.27 → nginx:1.28');
    expect(JSON.stringify(after.map((r) => r.summary))).not.toContain('operator-7f3a');
    expect(after[2]?.summary).toBe('first revision');
  });

  it('records how the newest revision rolled out, once', async () => {
    expect((await engine.revisions(ref))[0]?.rollout).toBeUndefined();
    expect(await engine.recordRollout({ ...ref, outcome: 'failed' })).toBe(true);
    expect(await engine.recordRollout({ ...ref, outcome: 'healthy' })).toBe(false);
    const list = await engine.revisions(ref);
    expect(list[0]?.rollout).toBe('failed');
    expect(list[1]?.rollout).toBeUndefined();
  });

  it('lists revisions recorded by earlier versions, without who and rollout, and still sums up what changed', async () => {
    const old = { ...ref, namespace: 'older' };
    await engine.apply({ ...old, values: v1, prune: true });
    // A revision as earlier versions recorded it: no author, rollout or rollback annotations.
    await recordRevision(createDeployClient(gateway), FIXTURE_STACK, 'older', {
      revision: 2,
      appliedAt: '2025-06-01T00:00:00.000Z',
      values: { ...v1, replicas: 2 },
      manifest: [],
    });
    const secret = await gateway.getJson<{ metadata: { annotations: Record<string, string> } }>(
      `/api/v1/namespaces/older/secrets/${revisionSecretName(FIXTURE_STACK, 2)}`,
    );
    expect(Object.keys(secret.metadata.annotations)).toEqual(['homeport.dev/applied-at']);
    const [newest] = await engine.revisions(old);
    expect(newest).toMatchObject({ revision: 2, summary: 'replicas: 1 → 2' });
    expect(newest?.manager ?? newest?.host ?? newest?.rollout).toBeUndefined();
  });
});
