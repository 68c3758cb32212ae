import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeconfig } from '../core/clusters/kubeconfig';
import { resolveConnection } from '../core/kube/kube-connection';
import { createKubeGateway, type KubeGateway } from '../core/kube/kube-gateway';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from './index';

const run = promisify(execFile);
let sandbox: Sandbox;
let gateway: KubeGateway;
let kubeconfig: string;

const kubectl = async (...args: string[]) =>
  (await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 20_000 })).stdout;

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`not reached; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-sandbox-api-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  const config = await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]);
  gateway = createKubeGateway(await resolveConnection(config, SANDBOX_CONTEXT));
});

afterAll(async () => {
  gateway?.close();
  await sandbox?.close();
});

describe('sandbox API semantics', () => {
  it('sends bookmarks, and answers an expired resourceVersion with 410 in-stream or as the HTTP status', async () => {
    const { metadata } = await gateway.getJson<{ metadata: { resourceVersion: string } }>('/api/v1/namespaces');
    const path = `/api/v1/namespaces?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=${metadata.resourceVersion}`;
    let text = '';
    await gateway.stream(path, (t) => (text += t));
    expect(text).toContain('"type":"BOOKMARK"');

    await kubectl('create', 'namespace', 'gone-test');
    sandbox.faults.expireHistory();
    text = '';
    await gateway.stream(path, (t) => (text += t));
    const events = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; object: { code?: number } });
    expect(events).toEqual([{ type: 'ERROR', object: expect.objectContaining({ code: 410, reason: 'Expired' }) }]);

    sandbox.faults.expireHistory({ asHttpStatus: true });
    const err = await gateway.stream(path, () => {}).catch((e: { status?: number }) => e);
    expect(err).toMatchObject({ status: 410 });
  });

  it('patches with strategic merge (containers by name) and JSON merge, and serves the status subresource', async () => {
    await kubectl('create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=1');
    await kubectl(
      'patch',
      'deployment',
      'web',
      '--type=strategic',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.28"}]}}}}',
    );
    const containers = JSON.parse(
      await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers}'),
    ) as { name: string; image: string }[];
    expect(containers).toEqual([expect.objectContaining({ name: 'nginx', image: 'nginx:1.28' })]);
    await kubectl('patch', 'deployment', 'web', '--type=merge', '-p', '{"metadata":{"labels":{"tier":"front"}}}');
    expect(await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.metadata.labels.tier}')).toBe('front');
    const status = await until(
      () => kubectl('get', 'deployment', 'web', '--subresource=status', '-o', 'jsonpath={.status.readyReplicas}'),
      (v) => v === '1',
    );
    expect(status).toBe('1');
  });

  it('runs a Job to completion', async () => {
    await kubectl('create', 'job', 'backup', '--image=busybox:1.36');
    const out = await until(
      () => kubectl('get', 'job', 'backup', '--no-headers'),
      (o) => o.includes('Complete'),
    );
    expect(out).toMatch(/backup\s+Complete\s+1\/1/);
  });

  it('a NotReady node takes its pods out of Ready', async () => {
    await kubectl('create', 'deployment', 'spread', '--image=busybox:1.36', '--replicas=3');
    await until(
      () => kubectl('get', 'pods', '-l', 'app=spread', '--no-headers'),
      (o) => (o.match(/1\/1\s+Running/g) ?? []).length === 3,
    );
    const node = (await kubectl('get', 'pods', '-l', 'app=spread', '-o', 'jsonpath={.items[0].spec.nodeName}')).trim();
    sandbox.faults.setNodeReady(node, false);
    expect(await kubectl('get', 'node', node, '--no-headers')).toMatch(/NotReady/);
    await until(
      () =>
        kubectl(
          'get',
          'pods',
          '-l',
          'app=spread',
          '-o',
          `jsonpath={.items[?(@.spec.nodeName=="${node}")].status.conditions[?(@.type=="Ready")].status}`,
        ),
      (o) => o.trim() !== '' && !o.includes('True'),
    );
  });
});
