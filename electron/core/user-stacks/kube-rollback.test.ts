/**
 * On Kubernetes (the simulated sandbox): a user stack's revision records the version it was
 * deployed with, a rollback re-applies that revision (so the old version's images), and the
 * revision records are what "deployed where" finds.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../../sandbox/index';
import { loadKubeconfig } from '../clusters/kubeconfig';
import { createDeployEngine } from '../deploy/engine';
import { resolveConnection, type KubeConnection } from '../kube/kube-connection';
import { createKubeGateway } from '../kube/kube-gateway';
import { builtinStacks, createStackCatalog } from '../stacks/catalog';
import { kubeRevisionRecords } from '../targets/deployed-where-sources';
import { createUserStacks } from './service';
import { createUserStackStore } from './store';
import { webInput } from './testing/compose-files';
import { composeLibrary } from './testing/compose-library';

let sandbox: Sandbox;
let conn: KubeConnection;
const dir = mkdtempSync(join(tmpdir(), 'homeport-user-kube-'));

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  const kubeconfig = join(dir, 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  conn = await resolveConnection(await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]), SANDBOX_CONTEXT);
});
afterAll(async () => {
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a user stack on Kubernetes', () => {
  it('rolls back to the version its revision was deployed with, and is found where it is deployed', async () => {
    const catalog = createStackCatalog(builtinStacks, { define: composeLibrary.userStackDefinition });
    const userStacks = createUserStacks({
      store: createUserStackStore({ dataDir: join(dir, 'data'), reserved: () => ['revenge'] }),
      catalog,
      compose: composeLibrary,
    });
    const engine = createDeployEngine({ openGateway: async () => createKubeGateway(conn), catalog });
    const ref = { context: SANDBOX_CONTEXT, namespace: 'pics', stack: 'photos' };
    const values = {
      volumes: { media: { nas: { host: 'box', export: 'media' }, server: '10.0.0.2', path: '/srv/m' } },
    };
    const image = async () => {
      const d = await createKubeGateway(conn).getJson<{
        spec: { template: { spec: { containers: { image: string }[] } } };
      }>('/apis/apps/v1/namespaces/pics/deployments/web');
      return d.spec.template.spec.containers[0]?.image;
    };

    await userStacks.save(webInput('busybox:1.36'));
    await engine.apply({ ...ref, values, prune: true });
    await userStacks.save(webInput('busybox:1.37'));
    await engine.apply({ ...ref, values, prune: true });
    expect(await image()).toBe('busybox:1.37');
    const revisions = await engine.revisions(ref);
    expect(revisions.map((r) => (r.values as { stackVersion: number }).stackVersion)).toEqual([2, 1]);

    const back = await engine.rollback({ ...ref, revision: 1 });
    expect(back.revision).toBe(3);
    expect(await image()).toBe('busybox:1.36');
    expect(((await engine.revisions(ref))[0]?.values as { stackVersion: number }).stackVersion).toBe(1);

    const found = await kubeRevisionRecords(createKubeGateway(conn));
    expect(new Set(found.map((r) => `${r.namespace}/${r.stack}`))).toEqual(new Set(['pics/photos']));
  });
});
