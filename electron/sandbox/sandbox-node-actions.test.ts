import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index';

/** Cordon, drain (evictions against a PodDisruptionBudget) and apply conflicts, judged by real kubectl. */
const run = promisify(execFile);
let sandbox: Sandbox;
let kubeconfig: string;
let dir: string;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 });
  return stdout;
}

/** kubectl that is expected to fail: its exit and everything it printed. */
async function kubectlFails(...args: string[]): Promise<string> {
  try {
    await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    expect(e.code).not.toBe(0);
    return `${e.stdout ?? ''}\n${e.stderr ?? ''}`;
  }
  throw new Error(`kubectl ${args.join(' ')} succeeded; it was expected to fail`);
}

function manifest(name: string, yaml: string): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const deployment = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: default}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: main, image: 'registry.lan/demo/${name}:1'}]
`;

/** "name node" of every pod of an app, once all of them are Running and Ready. */
async function readyPods(app: string, count: number): Promise<string[][]> {
  const out = await eventually(
    () =>
      kubectl(
        'get',
        'pods',
        '-l',
        `app=${app}`,
        '-o',
        'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.conditions[?(@.type=="Ready")].status} {.metadata.deletionTimestamp}{"\\n"}{end}',
      ),
    (o) => {
      const lines = o.trim().split('\n').filter(Boolean);
      return lines.length === count && lines.every((l) => /^\S+ \S+ True\s*$/.test(l));
    },
  );
  return out
    .trim()
    .split('\n')
    .map((l) => l.split(' ').slice(0, 2));
}

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05, contracts: [] });
  dir = mkdtempSync(join(tmpdir(), 'homeport-sandbox-nodes-'));
  kubeconfig = join(dir, 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
});

afterAll(() => sandbox?.close());

describe('node maintenance, judged by real kubectl', () => {
  it('cordon shows SchedulingDisabled and keeps new pods off the node; uncordon lifts it', async () => {
    expect(await kubectl('cordon', 'sandbox-agent-1')).toContain('node/sandbox-agent-1 cordoned');
    expect(await kubectl('get', 'nodes')).toMatch(/sandbox-agent-1\s+Ready,SchedulingDisabled\s/);
    await kubectl('apply', '-f', manifest('spread.yaml', deployment('spread', 6)));
    const pods = await readyPods('spread', 6);
    expect(pods.map(([, node]) => node)).not.toContain('sandbox-agent-1');
    expect(new Set(pods.map(([, node]) => node))).toEqual(new Set(['sandbox-server-0', 'sandbox-agent-2']));
    expect(await kubectl('uncordon', 'sandbox-agent-1')).toContain('node/sandbox-agent-1 uncordoned');
    expect(await kubectl('get', 'nodes')).toMatch(/sandbox-agent-1\s+Ready\s+<none>/);
    await kubectl('delete', 'deployment', 'spread');
  }, 90_000);

  it('drain --ignore-daemonsets evicts through the Eviction API, held back by a PodDisruptionBudget', async () => {
    // Only sandbox-agent-2 takes pods while the workloads start.
    await kubectl('cordon', 'sandbox-server-0', 'sandbox-agent-1');
    await kubectl('apply', '-f', manifest('guarded.yaml', deployment('guarded', 1)));
    await kubectl('apply', '-f', manifest('web.yaml', deployment('web', 2)));
    await kubectl(
      'apply',
      '-f',
      manifest(
        'pdb.yaml',
        `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: guarded-pdb, namespace: default}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: guarded}}
`,
      ),
    );
    await kubectl(
      'apply',
      '-f',
      manifest(
        'ds.yaml',
        `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: 'registry.lan/demo/agent:1'}]}
`,
      ),
    );
    const dsUid = (await kubectl('get', 'ds', 'agent', '-o', 'jsonpath={.metadata.uid}')).trim();
    await kubectl(
      'apply',
      '-f',
      manifest(
        'ds-pod.yaml',
        `apiVersion: v1
kind: Pod
metadata:
  name: agent-x7k2p
  namespace: default
  labels: {app: agent}
  ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: ${dsUid}, controller: true}]
spec:
  nodeName: sandbox-agent-2
  containers: [{name: agent, image: 'registry.lan/demo/agent:1'}]
`,
      ),
    );
    const [[guarded]] = (await readyPods('guarded', 1)) as [[string, string]];
    await readyPods('web', 2);
    await readyPods('agent', 1);
    await kubectl('uncordon', 'sandbox-server-0', 'sandbox-agent-1');

    // The budget needs the one guarded pod: its eviction is refused (429) until kubectl gives up.
    const refused = await kubectlFails('drain', 'sandbox-agent-2', '--ignore-daemonsets', '--timeout=3s');
    expect(refused).toContain('node/sandbox-agent-2 cordoned');
    expect(refused).toContain('Warning: ignoring DaemonSet-managed Pods: default/agent-x7k2p');
    expect(refused).toContain(
      `error when evicting pods/"${guarded}" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`,
    );
    expect(await kubectl('get', 'nodes')).toMatch(/sandbox-agent-2\s+Ready,SchedulingDisabled\s/);
    // The web pods were evicted and come back elsewhere; the guarded one stays.
    const web = await readyPods('web', 2);
    expect(web.map(([, node]) => node)).not.toContain('sandbox-agent-2');
    expect(await kubectl('get', 'pod', guarded, '-o', 'jsonpath={.spec.nodeName}')).toBe('sandbox-agent-2');

    // With a second guarded replica Ready elsewhere the budget allows one disruption.
    await kubectl('scale', 'deployment', 'guarded', '--replicas=2');
    await readyPods('guarded', 2);
    const drained = await kubectl('drain', 'sandbox-agent-2', '--ignore-daemonsets', '--timeout=20s');
    expect(drained).toContain(`pod/${guarded} evicted`);
    expect(drained).toContain('node/sandbox-agent-2 drained');
    const left = await kubectl(
      'get',
      'pods',
      '--field-selector',
      'spec.nodeName=sandbox-agent-2',
      '-o',
      'jsonpath={.items[*].metadata.name}',
    );
    expect(left.trim()).toBe('agent-x7k2p');
    expect(await kubectl('uncordon', 'sandbox-agent-2')).toContain('node/sandbox-agent-2 uncordoned');
  }, 120_000);
});

describe('server-side apply conflicts, judged by real kubectl', () => {
  it('refuses to overwrite a field another manager owns, names it, and takes it when forced', async () => {
    await kubectl('apply', '-f', manifest('owned.yaml', deployment('owned', 1)));
    const mine = manifest('owned-3.yaml', deployment('owned', 3));
    const conflict = await kubectlFails('apply', '--server-side', '--field-manager=homeport', '-f', mine);
    expect(conflict).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    );
    expect(await kubectl('get', 'deployment', 'owned', '-o', 'jsonpath={.spec.replicas}')).toBe('1');
    // The same values conflict with nobody: they become shared.
    expect(
      await kubectl(
        'apply',
        '--server-side',
        '--field-manager=homeport',
        '-f',
        manifest('same.yaml', deployment('owned', 1)),
      ),
    ).toContain('deployment.apps/owned serverside-applied');
    expect(
      await kubectl('apply', '--server-side', '--field-manager=homeport', '--force-conflicts', '-f', mine),
    ).toContain('deployment.apps/owned serverside-applied');
    expect(await kubectl('get', 'deployment', 'owned', '-o', 'jsonpath={.spec.replicas}')).toBe('3');
    const fields = JSON.parse(
      await kubectl('get', 'deployment', 'owned', '--show-managed-fields', '-o', 'jsonpath={.metadata.managedFields}'),
    ) as { manager: string; fieldsV1: { 'f:spec'?: Record<string, unknown> } }[];
    expect(fields.find((f) => f.manager === 'kubectl-client-side-apply')?.fieldsV1['f:spec']).not.toHaveProperty(
      'f:replicas',
    );
    expect(fields.find((f) => f.manager === 'homeport')?.fieldsV1['f:spec']).toHaveProperty('f:replicas');
  }, 60_000);
});
