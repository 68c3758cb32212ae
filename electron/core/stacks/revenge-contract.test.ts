/**
 * The Revenge stack against what its images really do (revenge-upstream.ts). Each negative case
 * puts back one mistake of an earlier shape and shows the check names it.
 */
import { describe, expect, it } from 'vitest';
import { createStackCatalog } from './catalog';
import { checkKubernetes, checkSwarm } from './contract-check';
import { revengeContracts } from './revenge-upstream';
import type { SwarmStack } from './swarm';
import type { KubeObject } from './types';
import oldShape from './testing/revenge-v1.kubernetes.json';
import oldSwarm from './testing/revenge-v1.swarm.json';

const catalog = createStackCatalog();
const kube = (values: unknown = {}) => catalog.renderKubernetes('revenge', values, { namespace: 'media' }).objects;
const swarm = (values: unknown = {}) => catalog.renderSwarm('revenge', values, { stack: 'revenge' });

const scenarios: Record<string, unknown> = {
  defaults: {},
  'three replicas and the ingress': { api: { replicas: 3 }, ingress: { enabled: true, host: 'revenge.home.lan' } },
  'an external store with an existing Secret': {
    objectStore: {
      mode: 'external',
      endpoint: 'https://s3.lan',
      region: 'eu',
      bucket: 'avatars',
      credentialsSecret: 's3',
    },
  },
  'a resolved S3 profile': {
    objectStore: {
      mode: 'external',
      endpoint: 'https://s3.lan',
      bucket: 'avatars',
      profile: 'garage',
      usePathStyle: true,
    },
  },
  'no media': { nfs: { enabled: false } },
};

const deployment = (objects: KubeObject[], name: string) => {
  const o = objects.find((x) => x.kind === 'Deployment' && x.metadata.name === name);
  if (!o) throw new Error(`no Deployment/${name}`);
  return o as KubeObject & {
    spec: {
      template: {
        metadata: { annotations: Record<string, string> };
        spec: {
          containers: {
            env?: { name: string; value?: string }[];
            startupProbe?: { httpGet: { path: string } };
            volumeMounts?: { mountPath: string }[];
          }[];
        };
      };
    };
  };
};

describe.each(Object.entries(scenarios))('Revenge with %s follows its images', (_name, values) => {
  it('on Kubernetes', () => expect(checkKubernetes(kube(values), revengeContracts)).toEqual([]));
  it('on Docker Swarm', () => expect(checkSwarm(swarm(values), revengeContracts)).toEqual([]));
});

describe('a mistake of an earlier shape fails the check, naming the component and the reason', () => {
  it('a probe on a path the API does not serve', () => {
    const objects = kube();
    const api = deployment(objects, 'revenge').spec.template.spec.containers[0]!;
    api.startupProbe!.httpGet.path = '/health/startup';
    expect(checkKubernetes(objects, revengeContracts)).toEqual([
      'Deployment/revenge container revenge startupProbe: GET :8096/health/startup answers 404 in revenge (it serves /healthz, /readyz, /startupz on 8096)',
    ]);
  });

  it('metrics scraped on the API port', () => {
    const objects = kube();
    deployment(objects, 'revenge').spec.template.metadata.annotations['prometheus.io/port'] = '8096';
    expect(checkKubernetes(objects, revengeContracts)).toEqual([
      'Deployment/revenge container revenge: Prometheus would scrape :8096/metrics, where revenge serves no metrics',
    ]);
  });

  it('a setting name Revenge does not read', () => {
    const objects = kube();
    deployment(objects, 'revenge').spec.template.spec.containers[0]!.env!.push({
      name: 'REVENGE_JWT_SECRET',
      value: 'x',
    });
    expect(checkKubernetes(objects, revengeContracts)).toContainEqual(
      expect.stringContaining("REVENGE_JWT_SECRET sets 'jwt.secret', which revenge does not read"),
    );
  });

  it('the API Service under another name than the frontend proxies to', () => {
    const objects = kube().map((o) =>
      o.kind === 'Service' && o.metadata.name === 'revenge' ? { ...o, metadata: { ...o.metadata, name: 'api' } } : o,
    );
    expect(checkKubernetes(objects, revengeContracts)).toContainEqual(
      expect.stringMatching(/Deployment\/frontend .*would not start: cannot resolve host 'revenge'/),
    );
  });

  it('no config file where Revenge reads it', () => {
    const objects = kube();
    const c = deployment(objects, 'revenge').spec.template.spec.containers[0]!;
    c.volumeMounts = c.volumeMounts?.filter((m) => m.mountPath !== '/app/config/config.yaml');
    const problems = checkKubernetes(objects, revengeContracts);
    expect(problems).toContainEqual(
      expect.stringContaining('database.url must name postgres:5432, not localhost:5432'),
    );
    expect(problems).toContainEqual(expect.stringContaining('storage.s3.access_key_id is required'));
  });

  it('secrets as _FILE variables on Swarm, which neither Revenge nor Typesense reads', () => {
    const spec = swarm();
    const svc = (name: string) => spec.services.find((s) => s.Name === `revenge_${name}`)!.TaskTemplate.ContainerSpec;
    svc('revenge').Env.push('REVENGE_DATABASE_PASSWORD_FILE=/run/secrets/revenge-secrets_database-password');
    svc('typesense').Args = [];
    svc('typesense').Env.push('TYPESENSE_API_KEY_FILE=/run/secrets/revenge-secrets_search-api-key');
    const problems = checkSwarm(spec, revengeContracts);
    expect(problems).toContainEqual(
      expect.stringContaining('REVENGE_DATABASE_PASSWORD_FILE: revenge reads no _FILE variables'),
    );
    expect(problems).toContainEqual(
      expect.stringContaining('TYPESENSE_API_KEY_FILE: typesense reads no _FILE variables'),
    );
    expect(problems).toContainEqual('Service revenge_typesense: would not start: api-key is required');
  });

  it('a health check with a tool the image lacks, or on a path it does not serve', () => {
    const spec = swarm();
    const hc = (name: string) => spec.services.find((s) => s.Name === `revenge_${name}`)!.TaskTemplate.ContainerSpec;
    hc('typesense').Healthcheck.Test = ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8108/health'];
    hc('revenge').Healthcheck.Test = ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8096/health/ready'];
    hc('dragonfly').Args = ['--cache_mode=true'];
    expect(checkSwarm(spec, revengeContracts)).toEqual([
      'Service revenge_revenge Healthcheck: GET :8096/health/ready answers 404 in revenge',
      expect.stringContaining('Service revenge_dragonfly: missing argument --cluster_mode=emulated'),
      'Service revenge_typesense Healthcheck: wget is not in the typesense image (it has sh, curl)',
    ]);
  });

  it('the whole earlier shape: every mistake the issue lists is found', () => {
    const k = checkKubernetes((oldShape as { objects: KubeObject[] }).objects, revengeContracts);
    expect(k).toContainEqual(expect.stringContaining('GET :8096/health/startup answers 404 in revenge'));
    expect(k).toContainEqual(expect.stringContaining("REVENGE_JWT_SECRET sets 'jwt.secret'"));
    expect(k).toContainEqual(expect.stringContaining('Prometheus would scrape :8096/metrics'));
    expect(k).toContainEqual(expect.stringContaining("cannot resolve host 'revenge'"));
    expect(k).toContainEqual(expect.stringContaining('missing argument --cluster_mode=emulated'));
    const s = checkSwarm((oldSwarm as { spec: SwarmStack }).spec, revengeContracts);
    expect(s).toContainEqual(expect.stringContaining('revenge reads no _FILE variables'));
    expect(s).toContainEqual(expect.stringContaining('typesense reads no _FILE variables'));
  });
});
