/**
 * Credentials that rotate keep working, as they do for kubectl (which reads them afresh each run):
 * on a 401 Homeport runs the exec plugin again (also when it gave no expiry) and re-reads the
 * tokenFile, once, then retries; credentials are attached per request, so a cached gateway, the
 * Metrics code and long-lived watches all pick the new token up without a restart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PodSummary } from '@shared/kube-schemas';
import { homeport, kubectl, tmp, tokenPlugin, writeKubeconfig } from '../clusters/testing/kubectl';
import { createMetricsService } from '../metrics/dashboards';
import { createMetricsSettings } from '../metrics/settings';
import { createStackCatalog } from '../stacks/catalog';
import { createSecretStore } from '../secrets/secret-store';
import { createTestPki, type TestPki } from '../../testing/tls';
import { createGatewayCache } from './gateway-cache';
import { createKubeService, type KubeService } from './kube-service';
import { fakePod, type FakeKubeServer, startFakeKubeServer } from './testing/fake-kube-server';
import { createView, testTuning, waitFor } from './testing/harness';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const PODS = '/api/v1/pods';

let pki: TestPki;
let server: FakeKubeServer;
let dir: string;
let kube: KubeService | undefined;

beforeEach(async () => {
  pki ??= createTestPki();
  server = await startFakeKubeServer({ tls: pki, token: 'one' });
  server.put('pods', fakePod('media', 'before'));
  dir = tmp('homeport-rotation-');
});
afterEach(async () => {
  kube?.close();
  kube = undefined;
  await server.close();
});

const cluster = () => ({ 'certificate-authority-data': b64(pki.caCert) });
const tokensSeen = () => server.requests.length;

type Setup = { kubeconfig: string; rotate: () => void; runs?: () => number };

function withTokenFile(): Setup {
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'one\n');
  const kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), {
    server: server.url,
    cluster: cluster(),
    user: { tokenFile },
  });
  return {
    kubeconfig,
    rotate: () => {
      server.setToken('two');
      writeFileSync(tokenFile, 'two\n');
    },
  };
}

function withPlugin(): Setup {
  const source = join(dir, 'plugin-token');
  writeFileSync(source, 'one');
  const runs = join(dir, 'runs');
  writeFileSync(runs, '');
  const exec = {
    apiVersion: 'client.authentication.k8s.io/v1',
    command: tokenPlugin(dir, source, runs),
    interactiveMode: 'Never',
  };
  const kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), {
    server: server.url,
    cluster: cluster(),
    user: { exec },
  });
  return {
    kubeconfig,
    rotate: () => {
      server.setToken('two');
      writeFileSync(source, 'two');
    },
    runs: () => readFileSync(runs, 'utf8').split('\n').filter(Boolean).length,
  };
}

describe.each([
  ['a tokenFile', withTokenFile],
  ['an exec plugin that gives no expiry', withPlugin],
] as const)('a rotated token from %s', (_name, make) => {
  it('reaches kubectl and a cached gateway alike, with one retry after the 401', async () => {
    const setup = make();
    const clusters = homeport(setup.kubeconfig);
    if (setup.runs) await clusters.allowExec('c');
    const cache = createGatewayCache((context) => clusters.openGateway(context));
    await (await cache.get('c')).listAll(PODS);
    setup.rotate();

    const k = await kubectl(setup.kubeconfig, ['get', '--raw', PODS]);
    expect(k.stdout).toContain('"before"');
    const from = tokensSeen();
    const runsBefore = setup.runs?.() ?? 0;
    const list = await (await cache.get('c')).listAll<{ metadata: { name: string } }>(PODS);
    expect(list.items.map((p) => p.metadata.name)).toEqual(['before']);
    // The refused request and its retry; nothing more.
    expect(server.requests.slice(from).map((r) => r.path)).toEqual([PODS, PODS]);
    // The plugin ran once more, after the 401 (kubectl ran it too: it reads credentials afresh each run).
    if (setup.runs) expect(setup.runs() - runsBefore).toBe(1);
    cache.close();
  });

  it('reaches the Metrics code, which shares the cached gateway', async () => {
    const setup = make();
    const clusters = homeport(setup.kubeconfig);
    if (setup.runs) await clusters.allowExec('c');
    const cache = createGatewayCache((context) => clusters.openGateway(context));
    const metricsDir = tmp('homeport-metrics-');
    const metrics = createMetricsService({
      settings: createMetricsSettings({ dataDir: metricsDir, secrets: createSecretStore({ dataDir: metricsDir }) }),
      gatewayFor: (context) => cache.get(context),
      stacks: createStackCatalog(),
    });
    expect((await metrics.source('c')).kind).toBe('metrics-server');
    setup.rotate();
    const after = await metrics.source('c');
    expect(after.notes.join(' ')).not.toContain('401');
    expect(after.kind).toBe('metrics-server');
    cache.close();
  });

  it('reaches a long-lived watch, which stays live and shows pods created after the rotation', async () => {
    const setup = make();
    const clusters = homeport(setup.kubeconfig);
    if (setup.runs) await clusters.allowExec('c');
    kube = createKubeService({ openGateway: (c) => clusters.openGateway(c), batchMs: 10, tuning: testTuning });
    const view = createView<PodSummary>();
    kube.subscribePods({ context: 'c' }, view.emit);
    await waitFor(() => view.items.has('media/before') && view.status?.state === 'live', 'the first list');
    setup.rotate();
    // The server drops the watch (as an API server restart does); its reconnect meets a 401.
    server.dropWatches();
    server.put('pods', fakePod('media', 'after'));
    await waitFor(() => view.items.has('media/after'), 'the pod created after the rotation', 8_000);
    expect(view.status?.state).toBe('live');
  });
});
