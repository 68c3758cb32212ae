/**
 * Finding table leaders on Kubernetes: Revenge deployed to the sandbox (a simulated API server) is
 * found by its StatefulSet in whatever namespace it is in, and psql is sent to its running postgres
 * pod. The sandbox has no pods/exec (its containers are simulated), so the reading is unknown and
 * says so in the API server's words; a stack whose leader is a Lease is not listed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackTableLeadersSchema } from '@shared/leader-schemas';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../../sandbox/index';
import { loadKubeconfig } from '../clusters/kubeconfig';
import { createDeployEngine } from '../deploy/engine';
import { createRunInWorkload } from '../exec/command';
import { kubernetesCommands } from '../exec/kubernetes-exec';
import { resolveConnection } from '../kube/kube-connection';
import { createKubeGateway } from '../kube/kube-gateway';
import { webStack } from '../readiness/testing/web-stack';
import { builtinStacks, createStackCatalog } from '../stacks/catalog';
import { createStackLeaders, type StackLeaders } from './stack-leaders';

let sandbox: Sandbox;
let leaders: StackLeaders;
const catalog = createStackCatalog([...builtinStacks, webStack]);

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-leaders-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  const conn = await resolveConnection(
    await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]),
    SANDBOX_CONTEXT,
  );
  const openGateway = async () => createKubeGateway(conn);
  const engine = createDeployEngine({ openGateway, catalog });
  const deploy = async (namespace: string, stack: string) => {
    const ref = { context: SANDBOX_CONTEXT, namespace, stack };
    await engine.apply({ ...ref, values: {}, prune: false });
    for (const end = Date.now() + 30_000; (await engine.rolloutStatus(ref)).state !== 'healthy';) {
      if (Date.now() > end) throw new Error(`${stack} in ${namespace} did not become healthy`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await Promise.all([deploy('jobs', 'revenge'), deploy('web', 'webapp')]);
  leaders = createStackLeaders({
    openGateway,
    openClient: () => Promise.reject(new Error('no swarm here')),
    stacks: catalog,
    runInWorkload: createRunInWorkload({
      kubernetes: (t) => kubernetesCommands(t, { openGateway }),
      swarm: () => {
        throw new Error('no swarm here');
      },
    }),
  });
}, 90_000);
afterAll(async () => {
  await sandbox?.close();
});

describe('table leaders of stacks deployed to a Kubernetes context', () => {
  it('finds Revenge by its postgres StatefulSet and runs psql in its running pod', async () => {
    const found = await leaders.list({ kind: 'kubernetes', context: SANDBOX_CONTEXT });
    expect(stackTableLeadersSchema.parse({ leaders: found })).toEqual({ leaders: found });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      stack: 'revenge',
      title: 'Revenge',
      target: { kind: 'kubernetes', context: SANDBOX_CONTEXT, namespace: 'jobs' },
      workload: expect.stringMatching(/^pod postgres-0 in namespace jobs/),
      table: 'public.river_leader in the database revenge',
      reading: {
        state: 'unknown',
        cause: 'exec-failed',
        message: expect.stringMatching(/^pod postgres-0 \(container postgres\) in namespace jobs of context /),
      },
    });
  });

  it('without a running pod of the component, says so', async () => {
    const read = await leaders.read({ kind: 'kubernetes', context: SANDBOX_CONTEXT, namespace: 'web' }, 'revenge');
    expect(read?.reading).toEqual({
      state: 'unknown',
      cause: 'exec-failed',
      message: `No pod of the component 'postgres' of revenge runs in namespace web of context '${SANDBOX_CONTEXT}'`,
    });
  });
});
