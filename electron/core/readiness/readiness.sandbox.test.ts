/** The readiness scorecard of Revenge deployed to the sandbox: healthy, and with one thing broken at a time. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadinessReport } from '@shared/readiness-schemas';
import { readinessReportSchema } from '@shared/readiness-schemas';
import { SANDBOX_CONTEXT, startSandbox, type Sandbox } from '../../sandbox/index';
import { loadKubeconfig } from '../clusters/kubeconfig';
import { createDeployEngine, type DeployEngine } from '../deploy/engine';
import { resolveConnection, type KubeConnection } from '../kube/kube-connection';
import { createKubeGateway, type KubeGateway } from '../kube/kube-gateway';
import { createStackCatalog } from '../stacks/catalog';
import { kubernetesTarget } from '../targets/kubernetes';
import { createStackDeployments } from '../targets/stack-deployments';
import { createTargets } from '../targets/target';
import { createReadiness, type Readiness } from './readiness';

let sandbox: Sandbox;
let conn: KubeConnection;
let gateway: KubeGateway;
let engine: DeployEngine;
let readiness: Readiness;

const ref = (namespace: string) => ({ context: SANDBOX_CONTEXT, namespace, stack: 'revenge' });
const UNKNOWN = ['distributed.request-id', 'observability.prometheus-up', 'storage.backup'];

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`not reached; last: ${JSON.stringify(v, null, 1)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const scoreOf = (r: ReadinessReport, category: string) => r.categories.find((c) => c.category === category)?.score;
const check = (r: ReadinessReport, id: string) => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};
const failing = (r: ReadinessReport) =>
  r.checks.filter((c) => c.verdict !== 'pass' && c.verdict !== 'unknown').map((c) => c.id);
const othersFull = (r: ReadinessReport, except: string) =>
  r.categories.filter((c) => c.category !== except).every((c) => c.score === 100);

async function deployHealthy(namespace: string, values: unknown = {}) {
  await engine.apply({ ...ref(namespace), values, prune: false });
  await until(
    () => engine.rolloutStatus(ref(namespace)),
    (s) => s.state === 'healthy',
  );
}

function patch(path: string, body: unknown, type = 'application/strategic-merge-patch+json') {
  return gateway.request(path, { method: 'PATCH', body, contentType: type });
}
const apiPath = (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments/api`;

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-readiness-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  conn = await resolveConnection(await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]), SANDBOX_CONTEXT);
  gateway = createKubeGateway(conn);
  engine = createDeployEngine({
    openGateway: async () => createKubeGateway(conn),
    catalog: createStackCatalog(),
  });
  readiness = createReadiness({
    openGateway: async () => createKubeGateway(conn),
    revisions: (r) => engine.revisions(r),
  });
  await Promise.all([
    deployHealthy('ready'),
    deployHealthy('noprobe'),
    deployHealthy('single', { api: { autoscale: { enabled: false }, replicas: 1 } }),
    deployHealthy('nolease'),
    deployHealthy('plainenv'),
  ]);
}, 60_000);

afterAll(async () => {
  gateway?.close();
  await sandbox?.close();
});

describe('readiness of Revenge on the sandbox', () => {
  it('scores 100 when everything is right; request IDs, Prometheus and backups are unknown', async () => {
    const r = await until(
      () => readiness.report(ref('ready')),
      (x) => x.score === 100,
    );
    expect(readinessReportSchema.parse(r)).toEqual(r);
    expect(r.target).toBe(`namespace ready of context ${SANDBOX_CONTEXT}`);
    expect(r.checks.filter((c) => c.verdict === 'unknown').map((c) => c.id)).toEqual(UNKNOWN);
    expect(r.checks.filter((c) => !UNKNOWN.includes(c.id)).every((c) => c.verdict === 'pass')).toBe(true);
    expect(r.categories.every((c) => c.score === 100)).toBe(true);
    // The sandbox has no service proxy, so the X-Request-ID round trip cannot be made.
    expect(check(r, 'distributed.request-id').evidence[0]?.value).toMatch(/no service proxy for api:8096 \(HTTP \d{3}/);
    expect(check(r, 'observability.prometheus-up').summary).toMatch(/Prometheus was not found/);
    expect(check(r, 'storage.backup').summary).toMatch(/No backups are known/);
    expect(check(r, 'state.leader-election').summary).toMatch(/^Lease\/revenge-jobs is held by api-/);
    expect(check(r, 'storage.media').summary).toContain('nas.local:/export/media');
    expect(r.checks.every((c) => c.fix === undefined)).toBe(true);
    // Secrets are named with their keys, never their values.
    const secretEvidence = JSON.stringify(check(r, 'configuration.secret-env').evidence);
    expect(secretEvidence).toContain('revenge-secrets');
    expect(secretEvidence).toContain('jwt-secret');
  });

  it('a removed readiness probe drops only distributed, naming Deployment/api and the probe', async () => {
    const dep = await gateway.getJson<{ spec: { template: { spec: { containers: { name: string }[] } } } }>(
      apiPath('noprobe'),
    );
    expect(dep.spec.template.spec.containers[0]?.name).toBe('api');
    await patch(apiPath('noprobe'), {
      spec: { template: { spec: { containers: [{ name: 'api', readinessProbe: null }] } } },
    });
    const r = await until(
      () => readiness.report(ref('noprobe')),
      (x) => failing(x).join() === 'distributed.probes' && othersFull(x, 'distributed'),
    );
    expect(scoreOf(r, 'distributed')).toBeLessThan(100);
    const probes = check(r, 'distributed.probes');
    expect(probes.verdict).toBe('fail');
    expect(probes.evidence).toEqual([
      { object: 'Deployment/api', field: 'spec.template.spec.containers[api].readinessProbe', value: 'missing' },
    ]);
    expect(probes.fix).toEqual({ label: expect.stringMatching(/Re-apply/), values: {} });
  });

  it('one API replica fails the replicas and PDB checks and offers the fix', async () => {
    const r = await until(
      () => readiness.report(ref('single')),
      (x) => othersFull(x, 'distributed') && failing(x).length === 2,
    );
    expect(failing(r)).toEqual(['distributed.replicas', 'distributed.pdb']);
    expect(scoreOf(r, 'distributed')).toBeLessThan(100);
    expect(check(r, 'distributed.replicas').evidence).toContainEqual({
      object: 'Deployment/api',
      field: 'spec.replicas',
      value: '1',
    });
    expect(check(r, 'distributed.replicas').fix?.values).toEqual({ api: { replicas: 2 } });
    expect(check(r, 'distributed.pdb').fix?.values).toEqual({ api: { replicas: 2 } });
  });

  it('a lease nobody holds fails leader election, naming the Lease', async () => {
    await patch(
      apiPath('nolease'),
      { spec: { template: { metadata: { annotations: { 'homeport.dev/leader-election': null } } } } },
      'application/merge-patch+json',
    );
    const r = await until(
      () => readiness.report(ref('nolease')),
      (x) =>
        /expired|has no holder/.test(check(x, 'state.leader-election').summary) &&
        check(x, 'distributed.probes-passing').verdict === 'pass',
    );
    const le = check(r, 'state.leader-election');
    expect(le.summary).toMatch(/Lease\/revenge-jobs (expired|has no holder)/);
    expect(le.evidence.some((e) => e.object === 'Lease/revenge-jobs')).toBe(true);
    expect(failing(r)).toEqual(['state.leader-election']);
    expect(othersFull(r, 'state')).toBe(true);
    expect(scoreOf(r, 'state')).toBeLessThan(100);
  });

  it('a secret in plain env drops configuration, naming the variable but not its value', async () => {
    const value = 'plain-text-hunter2';
    await patch(apiPath('plainenv'), {
      spec: { template: { spec: { containers: [{ name: 'api', env: [{ name: 'REVENGE_ADMIN_PASSWORD', value }] }] } } },
    });
    const r = await until(
      () => readiness.report(ref('plainenv')),
      (x) => failing(x).join() === 'configuration.secret-env' && othersFull(x, 'configuration'),
    );
    const c = check(r, 'configuration.secret-env');
    expect(c.summary).toContain('REVENGE_ADMIN_PASSWORD');
    expect(c.evidence[0]).toMatchObject({
      object: 'Deployment/api',
      field: expect.stringContaining('REVENGE_ADMIN_PASSWORD'),
    });
    expect(c.evidence[0]?.value).toContain('container api');
    expect(JSON.stringify(r)).not.toContain(value);
    expect(scoreOf(r, 'configuration')).toBeLessThan(100);
  });

  it('with Prometheus, backups and a service proxy, those checks are observed too', async () => {
    const queries: string[] = [];
    const full = createReadiness({
      openGateway: async () => createKubeGateway(conn),
      revisions: (r) => engine.revisions(r),
      now: () => new Date('2026-02-05T12:00:00Z'),
      prometheus: async () => ({
        query: async (q: string) => {
          queries.push(q);
          return [{ value: 1, labels: { pod: 'api-x' } }];
        },
      }),
      backups: async () => ({ lastSuccess: '2026-02-05T03:00:00Z' }),
      serviceProxy: async (_ref, _svc, _path, headers) => ({
        status: 200,
        headers: { 'x-request-id': headers['X-Request-ID'] },
      }),
    });
    // A fixed clock dates the backup; only the three optional checks are looked at here.
    const r = await full.report(ref('ready'));
    for (const id of UNKNOWN) expect(check(r, id).verdict).toBe('pass');
    expect(queries[0]).toMatch(/^up\{namespace="ready",pod=~"api-/);
    expect(check(r, 'observability.prometheus-up').evidence[0]?.query).toBe(queries[0]);

    const stale = createReadiness({
      openGateway: async () => createKubeGateway(conn),
      revisions: (r) => engine.revisions(r),
      prometheus: async () => ({ query: async () => [{ value: 0, labels: { pod: 'api-x' } }] }),
      backups: async () => ({ lastSuccess: '2020-01-01T00:00:00Z' }),
      serviceProxy: async () => ({ status: 200, headers: {} }),
    });
    const s = await stale.report(ref('ready'));
    for (const id of UNKNOWN) expect(check(s, id).verdict).toBe('fail');
  });

  it('the live scorecard emits the first report and again when a verdict changes', async () => {
    const seen: ReadinessReport[] = [];
    const deployments = createStackDeployments({
      catalog: createStackCatalog(),
      targets: createTargets({
        kubernetes: (t) => kubernetesTarget(t, { engine, readiness }),
        swarm: () => {
          throw new Error('no swarm here');
        },
      }),
      resolveReferences: async (_stack, values) => ({ values, provided: {} }),
      readinessPollMs: 100,
    });
    const target = { kind: 'kubernetes', context: SANDBOX_CONTEXT, namespace: 'ready' } as const;
    const stop = deployments.watchReadiness({ target, stack: 'revenge' }, (x) => seen.push(x));
    try {
      await until(
        async () => seen.length,
        (n) => n >= 1,
      );
      // A label change alters no verdict: nothing is emitted for it.
      await patch(apiPath('ready'), { metadata: { labels: { touched: 'yes' } } }, 'application/merge-patch+json');
      await new Promise((r) => setTimeout(r, 400));
      expect(seen.length).toBe(1);
      await patch(apiPath('ready'), {
        spec: { template: { spec: { containers: [{ name: 'api', livenessProbe: null }] } } },
      });
      await until(
        async () => seen.map((x) => check(x, 'distributed.probes').verdict),
        (v) => v.includes('fail'),
      );
    } finally {
      stop();
    }
  });
});
