import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeconfig } from '../core/clusters/kubeconfig';
import { resolveConnection } from '../core/kube/kube-connection';
import { createKubeGateway, type KubeGateway } from '../core/kube/kube-gateway';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from './index';
import { PROXY_TARGET_ANNOTATION } from './service-proxy';

let sandbox: Sandbox;
let gateway: KubeGateway;
let backend: http.Server;
let backendUrl = '';
let seen = '';

beforeAll(async () => {
  backend = http.createServer((req, res) => {
    seen = `${req.url} auth=${req.headers.authorization ?? 'none'}`;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', path: req.url }));
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  sandbox = await startSandbox({ speed: 0.05 });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-sandbox-proxy-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  gateway = createKubeGateway(
    await resolveConnection(await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]), SANDBOX_CONTEXT),
  );
  const service = (name: string, target?: string) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, annotations: target ? { [PROXY_TARGET_ANNOTATION]: target } : {} },
    spec: { ports: [{ name: 'web', port: 9090 }] },
  });
  await gateway.request('/api/v1/namespaces/default/services', { method: 'POST', body: service('prom', backendUrl) });
  await gateway.request('/api/v1/namespaces/default/services', { method: 'POST', body: service('bare') });
});

afterAll(async () => {
  gateway?.close();
  await sandbox?.close();
  await new Promise((r) => backend.close(r));
});

describe('sandbox service proxy and metrics.k8s.io', () => {
  it('forwards GET services/<name>:<port>/proxy/<path> with the query, without the API token', async () => {
    for (const ref of ['prom:9090', 'prom:web', 'http:prom:9090']) {
      const body = await gateway.getJson<{ path: string }>(
        `/api/v1/namespaces/default/services/${ref}/proxy/api/v1/query?query=up`,
      );
      expect(body.path).toBe('/api/v1/query?query=up');
    }
    expect(seen).toBe('/api/v1/query?query=up auth=none');
  });

  it('answers 503 without endpoints and 404 for unknown services, like Kubernetes', async () => {
    await expect(gateway.getJson('/api/v1/namespaces/default/services/bare:9090/proxy/')).rejects.toMatchObject({
      status: 503,
      message: expect.stringContaining('no endpoints available for service "bare"'),
    });
    await expect(gateway.getJson('/api/v1/namespaces/default/services/prom:8080/proxy/')).rejects.toMatchObject({
      status: 503,
    });
    await expect(gateway.getJson('/api/v1/namespaces/default/services/nope:80/proxy/')).rejects.toMatchObject({
      status: 404,
    });
  });

  it('serves PodMetricsList for running pods and NodeMetricsList, and 404 once metrics-server is gone', async () => {
    await sandbox.admin.createPods('metrics-test', 2, { running: true });
    const groups = await gateway.getJson<{ groups: { name: string }[] }>('/apis');
    expect(groups.groups.map((g) => g.name)).toContain('metrics.k8s.io');
    const pods = await gateway.getJson<{
      kind: string;
      apiVersion: string;
      items: {
        metadata: { name: string; namespace: string };
        window: string;
        containers: { usage: Record<string, string> }[];
      }[];
    }>('/apis/metrics.k8s.io/v1beta1/namespaces/metrics-test/pods');
    expect(pods.kind).toBe('PodMetricsList');
    expect(pods.apiVersion).toBe('metrics.k8s.io/v1beta1');
    expect(pods.items.map((i) => i.metadata.name).sort()).toEqual(['bulk-0', 'bulk-1']);
    expect(pods.items[0]!.containers[0]!.usage.cpu).toMatch(/^\d+n$/);
    expect(pods.items[0]!.containers[0]!.usage.memory).toMatch(/^\d+Ki$/);
    const nodes = await gateway.getJson<{ kind: string; items: unknown[] }>('/apis/metrics.k8s.io/v1beta1/nodes');
    expect(nodes.kind).toBe('NodeMetricsList');
    expect(nodes.items).toHaveLength(3);
    sandbox.faults.setMetricsServer(false);
    await expect(gateway.getJson('/apis/metrics.k8s.io/v1beta1/pods')).rejects.toMatchObject({ status: 404 });
    sandbox.faults.setMetricsServer(true);
  });
});
