/**
 * The readiness scorecard of stacks deployed to the sandbox, read through each stack's signals:
 * Revenge (one stateful API replica, configuration in a templated config file, its leader in a
 * database table) healthy and with one thing broken at a time, and a stateless test stack (two
 * replicas, a Lease leader) to show the same checks follow another stack's signals.
 */
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
import { builtinStacks, createStackCatalog } from '../stacks/catalog';
import { kubernetesTarget } from '../targets/kubernetes';
import { createStackDeployments } from '../targets/stack-deployments';
import { createTargets } from '../targets/target';
import { createReadiness, type Readiness } from './readiness';
import { WEB_LEASE, webStack } from './testing/web-stack';

let sandbox: Sandbox;
let conn: KubeConnection;
let gateway: KubeGateway;
let engine: DeployEngine;
let readiness: Readiness;
const catalog = createStackCatalog([...builtinStacks, webStack]);

const ref = (namespace: string, stack = 'revenge') => ({ context: SANDBOX_CONTEXT, namespace, stack });
/** Observed only with Prometheus and a service proxy that sends headers. */
const OPTIONAL = ['distributed.request-id', 'observability.prometheus-up'];
/** Revenge's leader is a row of a database table: not read without a way to run psql in its pod. */
const UNKNOWN = ['state.leader-election', ...OPTIONAL];
/** Avatar URLs browsers can load: the bundled object store at an address outside the cluster. */
const PUBLIC = { objectStore: { mode: 'bundled', publicEndpoint: 'http://nas.lan:9000' } };

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

async function deployHealthy(namespace: string, values: unknown = PUBLIC, stack = 'revenge') {
  await engine.apply({ ...ref(namespace, stack), values, prune: false });
  await until(
    () => engine.rolloutStatus(ref(namespace, stack)),
    (s) => s.state === 'healthy',
  );
}

function patch(path: string, body: unknown, type = 'application/strategic-merge-patch+json') {
  return gateway.request(path, { method: 'PATCH', body, contentType: type });
}
const deployment = (ns: string, name = 'revenge') => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;

beforeAll(async () => {
  sandbox = await startSandbox({ speed: 0.05 });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'homeport-readiness-')), 'kubeconfig');
  await sandbox.writeKubeconfig(kubeconfig);
  conn = await resolveConnection(await loadKubeconfig([{ path: kubeconfig, origin: 'sandbox' }]), SANDBOX_CONTEXT);
  gateway = createKubeGateway(conn);
  engine = createDeployEngine({ openGateway: async () => createKubeGateway(conn), catalog });
  readiness = createReadiness({
    openGateway: async () => createKubeGateway(conn),
    stacks: catalog,
    revisions: (r) => engine.revisions(r),
    // A verified backup taken just now: a missing one is a warning (backup-check.test.ts).
    backups: async () => ({ lastSuccess: new Date().toISOString(), unverified: 0 }),
  });
  await Promise.all([
    deployHealthy('ready'),
    deployHealthy('noprobe'),
    deployHealthy('internal', {}),
    deployHealthy('sticky', { ...PUBLIC, api: { replicas: 2 } }),
    deployHealthy('plainenv'),
    deployHealthy('web', {}, 'webapp'),
    deployHealthy('web1', { web: { replicas: 1 } }, 'webapp'),
  ]);
}, 90_000);

afterAll(async () => {
  gateway?.close();
  await sandbox?.close();
});

describe('readiness of Revenge on the sandbox', () => {
  it('scores 100 when everything is right; the table leader, request IDs and Prometheus are unknown', async () => {
    const r = await until(
      () => readiness.report(ref('ready')),
      (x) => x.score === 100,
    );
    expect(readinessReportSchema.parse(r)).toEqual(r);
    expect(r.target).toBe(`namespace ready of context ${SANDBOX_CONTEXT}`);
    expect(r.checks.filter((c) => c.verdict === 'unknown').map((c) => c.id)).toEqual(UNKNOWN);
    expect(r.checks.filter((c) => !UNKNOWN.includes(c.id)).every((c) => c.verdict === 'pass')).toBe(true);
    expect(r.categories.every((c) => c.score === 100)).toBe(true);
    // The sandbox has no service proxy, so the request-ID round trip cannot be made.
    expect(check(r, 'distributed.request-id').evidence[0]?.value).toMatch(
      /no service proxy for revenge:8096 \(HTTP \d{3}/,
    );
    expect(check(r, 'observability.prometheus-up').summary).toMatch(/Prometheus was not found/);
    expect(check(r, 'storage.backup').verdict).toBe('pass');
    expect(check(r, 'state.leader-election').summary).toMatch(
      /table public\.river_leader in the database revenge of the component 'postgres': Homeport cannot run commands/,
    );
    expect(check(r, 'storage.media').summary).toContain('nas.local:/export/media');
    // database.url is only in the config file: read from the Secret's template, never its value.
    expect(check(r, 'state.sessions-cache').evidence).toContainEqual({
      object: 'Deployment/revenge',
      field: 'setting database.url (config file /app/config/config.yaml (Secret revenge-config key config.yaml))',
      value: 'host postgres',
    });
    expect(check(r, 'distributed.replicas').summary).toMatch(
      /^Deployment\/revenge runs one replica: playback sessions/,
    );
    expect(check(r, 'observability.metrics-endpoint').summary).toBe(
      'Metrics at :9096/metrics (container port metrics)',
    );
    expect(r.checks.every((c) => c.fix === undefined)).toBe(true);
    // Secrets are named with their keys, never their values.
    const secretEvidence = JSON.stringify(check(r, 'configuration.secret-env').evidence);
    expect(secretEvidence).toContain('revenge-secrets');
    expect(secretEvidence).toContain('jwt-secret');
    expect(secretEvidence).toContain('/app/config/config.yaml (Secret revenge-config key config.yaml) of revenge');
  });

  it('a removed readiness probe drops only distributed, naming Deployment/revenge and the probe', async () => {
    await patch(deployment('noprobe'), {
      spec: { template: { spec: { containers: [{ name: 'revenge', readinessProbe: null }] } } },
    });
    const r = await until(
      () => readiness.report(ref('noprobe')),
      (x) => failing(x).join() === 'distributed.probes' && othersFull(x, 'distributed'),
    );
    expect(scoreOf(r, 'distributed')).toBeLessThan(100);
    const probes = check(r, 'distributed.probes');
    expect(probes.verdict).toBe('fail');
    expect(probes.evidence).toEqual([
      {
        object: 'Deployment/revenge',
        field: 'spec.template.spec.containers[revenge].readinessProbe',
        value: 'missing',
      },
    ]);
    expect(probes.fix).toEqual({ label: expect.stringMatching(/Re-apply/), values: {} });
  });

  it('warns when avatars go to the object store at an address only the cluster resolves', async () => {
    const r = await until(
      () => readiness.report(ref('internal')),
      (x) => check(x, 'state.avatars-s3').verdict !== 'pass' && failing(x).join() === 'state.avatars-s3',
    );
    const files = check(r, 'state.avatars-s3');
    expect(files.verdict).toBe('warn');
    expect(files.summary).toContain('http://objectstore:9000');
    expect(files.remediation).toContain('storage.s3.endpoint');
    expect(files.remediation).toContain('lusoris/revenge@');
    expect(scoreOf(r, 'state')).toBeLessThan(100);
  });

  it('two replicas of the one-replica API warn with sticky sessions and fail without them', async () => {
    let r = await until(
      () => readiness.report(ref('sticky')),
      (x) =>
        check(x, 'distributed.replicas').verdict === 'warn' &&
        check(x, 'distributed.probes-passing').verdict === 'pass',
    );
    expect(check(r, 'distributed.replicas').summary).toMatch(/runs 2 replicas with sticky sessions: playback sessions/);
    expect(check(r, 'distributed.replicas').fix).toBeUndefined();
    expect(check(r, 'distributed.pdb').verdict).toBe('pass');
    await patch(`/api/v1/namespaces/sticky/services/revenge`, { spec: { sessionAffinity: 'None' } });
    r = await until(
      () => readiness.report(ref('sticky')),
      (x) => check(x, 'distributed.replicas').verdict === 'fail',
    );
    const replicas = check(r, 'distributed.replicas');
    expect(replicas.evidence).toContainEqual({
      object: 'Service/revenge',
      field: 'spec.sessionAffinity',
      value: 'None',
    });
    // Homeport renders ClientIP affinity for more than one replica: re-applying restores it.
    expect(replicas.fix).toEqual({ label: 'Re-apply the stack', values: {} });
  });

  it('a secret in plain env drops configuration, naming the variable but not its value', async () => {
    const value = 'plain-text-hunter2';
    await patch(deployment('plainenv'), {
      spec: {
        template: { spec: { containers: [{ name: 'revenge', env: [{ name: 'REVENGE_ADMIN_PASSWORD', value }] }] } },
      },
    });
    const r = await until(
      () => readiness.report(ref('plainenv')),
      (x) => failing(x).join() === 'configuration.secret-env' && othersFull(x, 'configuration'),
    );
    const c = check(r, 'configuration.secret-env');
    expect(c.summary).toContain('REVENGE_ADMIN_PASSWORD');
    expect(c.evidence[0]).toMatchObject({
      object: 'Deployment/revenge',
      field: expect.stringContaining('REVENGE_ADMIN_PASSWORD'),
    });
    expect(c.evidence[0]?.value).toContain('container revenge');
    expect(JSON.stringify(r)).not.toContain(value);
    expect(scoreOf(r, 'configuration')).toBeLessThan(100);
  });

  it('with Prometheus, backups and a service proxy, those checks are observed on the primary', async () => {
    const queries: string[] = [];
    const calls: { service: string; path: string; headers: Record<string, string> }[] = [];
    const full = createReadiness({
      openGateway: async () => createKubeGateway(conn),
      stacks: catalog,
      revisions: (r) => engine.revisions(r),
      now: () => new Date('2026-02-05T12:00:00Z'),
      prometheus: async () => ({
        query: async (q: string) => {
          queries.push(q);
          return [{ value: 1, labels: { pod: 'revenge-x' } }];
        },
      }),
      backups: async () => ({ lastSuccess: '2026-02-05T03:00:00Z', unverified: 0 }),
      serviceProxy: async (_ref, service, path, headers) => {
        calls.push({ service, path, headers });
        return { status: 200, headers: { 'x-request-id': headers['X-Request-ID'] } };
      },
    });
    // A fixed clock dates the backup; only the three optional checks are looked at here.
    const r = await full.report(ref('ready'));
    for (const id of OPTIONAL) expect(check(r, id).verdict).toBe('pass');
    expect(queries[0]).toMatch(/^up\{namespace="ready",pod=~"revenge-/);
    expect(check(r, 'observability.prometheus-up').evidence[0]?.query).toBe(queries[0]);
    expect(calls).toEqual([
      { service: 'revenge:8096', path: '/healthz', headers: { 'X-Request-ID': expect.any(String) } },
    ]);

    const stale = createReadiness({
      openGateway: async () => createKubeGateway(conn),
      stacks: catalog,
      revisions: (r) => engine.revisions(r),
      prometheus: async () => ({ query: async () => [{ value: 0, labels: { pod: 'revenge-x' } }] }),
      backups: async () => ({ lastSuccess: '2020-01-01T00:00:00Z', unverified: 1 }),
      serviceProxy: async () => ({ status: 200, headers: {} }),
    });
    const s = await stale.report(ref('ready'));
    for (const id of OPTIONAL) expect(check(s, id).verdict).toBe('fail');
  });

  it('the live scorecard emits the first report and again when a verdict changes', async () => {
    const seen: ReadinessReport[] = [];
    const deployments = createStackDeployments({
      catalog,
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
      await patch(deployment('ready'), { metadata: { labels: { touched: 'yes' } } }, 'application/merge-patch+json');
      await new Promise((r) => setTimeout(r, 400));
      expect(seen.length).toBe(1);
      await patch(deployment('ready'), {
        spec: { template: { spec: { containers: [{ name: 'revenge', livenessProbe: null }] } } },
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

describe('readiness of another stack, by its own signals', () => {
  it('a stateless primary with two replicas, a PodDisruptionBudget and a held Lease passes', async () => {
    const r = await until(
      () => readiness.report(ref('web', 'webapp')),
      (x) =>
        check(x, 'state.leader-election').verdict === 'pass' &&
        check(x, 'distributed.probes-passing').verdict === 'pass',
    );
    expect(failing(r)).toEqual([]);
    expect(check(r, 'distributed.replicas').summary).toBe('Deployment/web runs 2 replicas');
    expect(check(r, 'state.leader-election').summary).toMatch(new RegExp(`^Lease/${WEB_LEASE} is held by web-`));
    expect(check(r, 'observability.metrics-endpoint').summary).toBe('Metrics at :3000/metrics (container port http)');
    for (const id of ['state.avatars-s3', 'storage.database', 'storage.media'])
      expect(check(r, id).verdict).toBe('unknown');
  });

  it('a Lease nobody renews fails leader election, naming the Lease', async () => {
    await patch(
      deployment('web', 'web'),
      { spec: { template: { metadata: { annotations: { 'homeport.dev/leader-election': null } } } } },
      'application/merge-patch+json',
    );
    const r = await until(
      () => readiness.report(ref('web', 'webapp')),
      (x) =>
        /expired|has no holder/.test(check(x, 'state.leader-election').summary) &&
        check(x, 'distributed.probes-passing').verdict === 'pass',
    );
    const le = check(r, 'state.leader-election');
    expect(le.summary).toMatch(new RegExp(`Lease/${WEB_LEASE} (expired|has no holder)`));
    expect(le.evidence.some((e) => e.object === `Lease/${WEB_LEASE}`)).toBe(true);
    expect(failing(r)).toEqual(['state.leader-election']);
    expect(le.fix).toEqual({ label: 'Re-apply the stack', values: {} });
  });

  it('one replica of a stateless primary fails replicas and PDB with the fix its values path gives', async () => {
    const r = await until(
      () => readiness.report(ref('web1', 'webapp')),
      (x) => failing(x).length === 2 && check(x, 'state.leader-election').verdict === 'pass',
    );
    expect(failing(r)).toEqual(['distributed.replicas', 'distributed.pdb']);
    expect(check(r, 'distributed.replicas').evidence).toContainEqual({
      object: 'Deployment/web',
      field: 'spec.replicas',
      value: '1',
    });
    const fix = { label: 'Run 2 replicas of web', values: { web: { replicas: 2 } } };
    expect(check(r, 'distributed.replicas').fix).toEqual(fix);
    expect(check(r, 'distributed.pdb').fix).toEqual(fix);
  });
});
