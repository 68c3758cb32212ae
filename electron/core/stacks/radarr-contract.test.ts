/**
 * radarr-mvp and Revenge's Radarr integration against what the programs really do
 * (radarr-upstream.ts, revenge-upstream.ts).
 */
import { describe, expect, it } from 'vitest';
import { createStackCatalog } from './catalog';
import { checkKubernetes, checkSwarm } from './contract-check';
import { radarrContracts } from './radarr-upstream';
import { revengeContracts } from './revenge-upstream';
import { startProblems, answersHttp, type ContainerInputs } from './upstream';
import { radarrApp } from './radarr-upstream';
import { TEMPLATES_ANNOTATION, type KubeObject } from './types';

const catalog = createStackCatalog();
const IMAGE = 'radarr-mvp:dev';
const scenarios: Record<string, unknown> = {
  'an image only': { app: { image: IMAGE } },
  'TMDB, autoscaling, ingress and the nightly dump': {
    app: { image: IMAGE, autoscale: { enabled: true } },
    tmdb: { apiKeySecret: 'tmdb' },
    ingress: { enabled: true },
    backup: { inCluster: { enabled: true, nfs: { server: '10.0.0.5', path: '/srv/backups' } } },
  },
};

describe('radarr-mvp follows its program', () => {
  for (const [name, values] of Object.entries(scenarios)) {
    it(`on Kubernetes and Swarm: ${name}`, () => {
      const kube = catalog.renderKubernetes('radarr-mvp', values, { namespace: 'radarr' }).objects;
      expect(checkKubernetes(kube, radarrContracts)).toEqual([]);
      // The backup job runs pg_dump in the database image; the image's contract describes its server.
      const swarm = checkSwarm(catalog.renderSwarm('radarr-mvp', values, { stack: 'radarr' }), radarrContracts);
      expect(swarm.filter((p) => !p.startsWith('Service radarr_postgres-backup:'))).toEqual([]);
    });
  }

  const inputs = (env: Record<string, string>): ContainerInputs => ({
    env,
    args: [],
    files: {},
    hosts: new Set(['postgres']),
  });
  const url = 'postgresql://radarr:pw@postgres:5432/radarr';

  it('refuses to start without its API key, and with the default database URL (localhost)', () => {
    expect(startProblems(radarrApp, inputs({ DATABASE_URL: url, RADARR_API_KEY: 'k'.repeat(43) }))).toEqual([]);
    expect(startProblems(radarrApp, inputs({ DATABASE_URL: url }))).toEqual(['RADARR_API_KEY is required']);
    expect(startProblems(radarrApp, inputs({ RADARR_API_KEY: 'k'.repeat(43) }))).toEqual([
      'DATABASE_URL must name postgres:5432, not localhost:5432',
    ]);
    expect(
      startProblems(radarrApp, { ...inputs({ DATABASE_URL: url, RADARR_API_KEY: 'x' }), hosts: new Set() }),
    ).toEqual([expect.stringMatching(/cannot resolve host 'postgres'/)]);
  });

  it('answers /health and /health/detailed, not /ready nor the plan metrics port', () => {
    expect(answersHttp(radarrApp, 7878, '/health')).toBe(true);
    expect(answersHttp(radarrApp, 7878, '/health/detailed')).toBe(true);
    expect(answersHttp(radarrApp, 7878, '/ready')).toBe(false);
    expect(answersHttp(radarrApp, 8080, '/metrics')).toBe(false);
  });
});

type Env = { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } };
const revengeEnv = (values: unknown): Env[] => {
  const objects = catalog.renderKubernetes('revenge', values, { namespace: 'media' }).objects;
  const api = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'revenge') as KubeObject & {
    spec: { template: { spec: { containers: { env: Env[] }[] } } };
  };
  return api.spec.template.spec.containers[0]?.env ?? [];
};
const radarrVars = (env: Env[]) => env.filter((e) => e.name.startsWith('REVENGE_INTEGRATIONS_RADARR_'));

describe("Revenge's Radarr integration", () => {
  it('is off by default: no Radarr settings', () => {
    expect(radarrVars(revengeEnv({}))).toEqual([]);
  });

  it("points Revenge at radarr's Service in its namespace, the key from a Secret into its config file", () => {
    expect(radarrVars(revengeEnv({ integrations: { radarr: { enabled: true } } }))).toEqual([
      { name: 'REVENGE_INTEGRATIONS_RADARR_ENABLED', value: 'true' },
      { name: 'REVENGE_INTEGRATIONS_RADARR_BASE_URL', value: 'http://radarr.radarr-mvp:7878' },
    ]);
    const other = revengeEnv({ integrations: { radarr: { enabled: true, namespace: 'films', apiKeySecret: 'rk' } } });
    expect(radarrVars(other).map((e) => e.value)).toEqual(['true', 'http://radarr.films:7878']);
    const template = (values: unknown) => {
      const objects = catalog.renderKubernetes('revenge', values, { namespace: 'media' }).objects;
      const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'revenge-config');
      return (JSON.parse(secret?.metadata.annotations?.[TEMPLATES_ANNOTATION] ?? '{}') as Record<string, string>)[
        'config.yaml'
      ];
    };
    expect(template({})).not.toContain('integrations:');
    expect(template({ integrations: { radarr: { enabled: true, apiKeySecret: 'rk' } } })).toContain(
      'integrations:\n  radarr:\n    api_key: "{{rk/api-key}}"\n',
    );
  });

  it('takes a base URL (Docker Swarm: a node and the published port)', () => {
    const values = { integrations: { radarr: { enabled: true, baseUrl: 'http://node1.lan:7878' } } };
    expect(radarrVars(revengeEnv(values)).find((e) => e.name.endsWith('BASE_URL'))?.value).toBe(
      'http://node1.lan:7878',
    );
    expect(catalog.validate('revenge', { integrations: { radarr: { baseUrl: 'radarr' } } }).ok).toBe(false);
  });

  it("renders settings Revenge's code reads, on both targets", () => {
    const values = { integrations: { radarr: { enabled: true } } };
    const kube = catalog.renderKubernetes('revenge', values, { namespace: 'media' }).objects;
    expect(checkKubernetes(kube, revengeContracts)).toEqual([]);
    expect(checkSwarm(catalog.renderSwarm('revenge', values, { stack: 'revenge' }), revengeContracts)).toEqual([]);
  });
});
