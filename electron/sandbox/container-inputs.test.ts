import { describe, expect, it } from 'vitest';
import { postgresImage, revengeApi, typesenseImage } from '../core/stacks/revenge-upstream';
import { containerInputs, expand, mountProblem, type ContainerSpec } from './container-inputs';
import { runProbe } from './probes';
import { RESOURCES, type ResourceType } from './resources';
import { Store, type KObject } from './store';

const R = (plural: string) => RESOURCES.find((r) => r.plural === plural) as ResourceType;
const b64 = (s: string) => Buffer.from(s).toString('base64');

function fixture() {
  const store = new Store();
  store.create(R('secrets'), {
    metadata: { name: 'app', namespace: 'media' },
    data: { password: b64('pw'), 'config.yaml': b64('a: 1\n'), 'bad key': b64('x') },
  });
  store.create(R('configmaps'), { metadata: { name: 'settings', namespace: 'media' }, data: { LEVEL: 'debug' } });
  store.create(R('services'), {
    metadata: { name: 'postgres', namespace: 'media' },
    spec: { clusterIP: '10.43.0.7', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] },
  });
  store.create(R('services'), {
    metadata: { name: 'dns', namespace: 'kube-system' },
    spec: { clusterIP: '10.43.0.10', ports: [{ port: 53, protocol: 'UDP' }] },
  });
  const pod: KObject = {
    metadata: { name: 'api-0', namespace: 'media', uid: 'u1', labels: { app: 'api' } },
    spec: {
      volumes: [
        { name: 'whole', secret: { secretName: 'app' } },
        { name: 'picked', secret: { secretName: 'app', items: [{ key: 'password', path: 'db/pw' }] } },
        { name: 'cm', configMap: { name: 'settings' } },
      ],
    },
    status: { podIP: '10.42.1.2' },
  };
  return { store, pod };
}

describe('container inputs, as a kubelet builds them', () => {
  it('expands $(VAR) from earlier variables only, keeping $$ and unknown references literal', () => {
    expect(expand('a$(X)b$$(X)c$(Y)$', { X: '1' })).toBe('a1b$(X)c$(Y)$');
  });

  it('builds the environment from Service links, envFrom, env, Secret and ConfigMap keys and the downward API', () => {
    const { store, pod } = fixture();
    const c: ContainerSpec = {
      name: 'api',
      image: 'ghcr.io/lusoris/revenge:1',
      envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'CM_' }, { secretRef: { name: 'app' } }],
      env: [
        { name: 'PW', valueFrom: { secretKeyRef: { name: 'app', key: 'password' } } },
        { name: 'URL', value: 'postgres://u:$(PW)@postgres/$(LATER)' },
        { name: 'LATER', value: 'x' },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'GONE', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } },
      ],
      args: ['--url=$(URL)'],
      command: ['/bin/server', '--verbose'],
    };
    const inputs = containerInputs(store, pod, c);
    expect(inputs.env).toMatchObject({
      CM_LEVEL: 'debug',
      password: 'pw',
      PW: 'pw',
      URL: 'postgres://u:pw@postgres/$(LATER)',
      POD: 'api-0',
      NS: 'media',
      IP: '10.42.1.2',
      APP: 'api',
      POSTGRES_SERVICE_HOST: '10.43.0.7',
      POSTGRES_SERVICE_PORT_PG: '5432',
      POSTGRES_PORT: 'tcp://10.43.0.7:5432',
    });
    expect(inputs.env).not.toHaveProperty('GONE');
    expect(inputs.env).not.toHaveProperty('bad key');
    expect(inputs.args).toEqual(['--verbose', '--url=postgres://u:pw@postgres/$(LATER)']);
    expect([...inputs.hosts].sort()).toEqual(
      [
        'localhost',
        'api-0',
        'postgres',
        'postgres.media',
        'postgres.media.svc',
        'postgres.media.svc.cluster.local',
        'dns.kube-system',
        'dns.kube-system.svc',
        'dns.kube-system.svc.cluster.local',
      ].sort(),
    );
  });

  it('mounts a whole volume as one file per key, items at their paths, and a subPath exactly at mountPath', () => {
    const { store, pod } = fixture();
    const inputs = containerInputs(store, pod, {
      name: 'api',
      image: 'x',
      volumeMounts: [
        { name: 'whole', mountPath: '/etc/app/' },
        { name: 'picked', mountPath: '/run/secrets' },
        { name: 'whole', mountPath: '/app/config/config.yaml', subPath: 'config.yaml' },
        { name: 'whole', mountPath: '/app/missing.yaml', subPath: 'missing.yaml' },
        { name: 'cm', mountPath: '/cm' },
      ],
    });
    expect(inputs.files).toEqual({
      '/etc/app/password': 'pw',
      '/etc/app/config.yaml': 'a: 1\n',
      '/etc/app/bad key': 'x',
      '/run/secrets/db/pw': 'pw',
      '/app/config/config.yaml': 'a: 1\n',
      '/cm/LEVEL': 'debug',
    });
  });

  it('fails like the kubelet on missing Secrets, ConfigMaps and keys', () => {
    const { store, pod } = fixture();
    const env = (ref: object) => () =>
      containerInputs(store, pod, { name: 'c', image: 'x', env: [{ name: 'V', valueFrom: ref }] });
    expect(env({ secretKeyRef: { name: 'nope', key: 'k' } })).toThrow('secret "nope" not found');
    expect(env({ secretKeyRef: { name: 'app', key: 'k' } })).toThrow("couldn't find key k in Secret media/app");
    expect(env({ configMapKeyRef: { name: 'settings', key: 'k' } })).toThrow(
      "couldn't find key k in ConfigMap media/settings",
    );
    expect(() =>
      containerInputs(store, pod, { name: 'c', image: 'x', envFrom: [{ configMapRef: { name: 'no' } }] }),
    ).toThrow('configmap "no" not found');
    const withVolume = (volume: object) => ({ ...pod, spec: { volumes: [{ name: 'v', ...volume }] } });
    expect(mountProblem(store, pod)).toBeUndefined();
    expect(mountProblem(store, withVolume({ secret: { secretName: 'gone' } }))).toBe(
      'MountVolume.SetUp failed for volume "v" : secret "gone" not found',
    );
    expect(mountProblem(store, withVolume({ secret: { secretName: 'gone', optional: true } }))).toBeUndefined();
    expect(mountProblem(store, withVolume({ secret: { secretName: 'app', items: [{ key: 'k', path: 'k' }] } }))).toBe(
      'MountVolume.SetUp failed for volume "v" : secret references non-existent secret key: k',
    );
  });
});

describe('probes, answered as the program answers them', () => {
  const c: ContainerSpec = { name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8096 }] };
  const hosts = new Set(['postgres']);
  const probe = (contract: typeof revengeApi, p: object) => runProbe(contract, c, p, '10.42.0.5', hosts);

  it('HTTP on the contract paths and ports only', () => {
    expect(probe(revengeApi, { httpGet: { path: '/readyz', port: 'http' } })).toEqual({ ok: true });
    expect(probe(revengeApi, { httpGet: { path: '/health/ready', port: 8096 } })).toMatchObject({
      message: 'HTTP probe failed with statuscode: 404',
    });
    expect(probe(revengeApi, { httpGet: { path: '/readyz', port: 8080 } })).toMatchObject({
      message: 'Get "http://10.42.0.5:8080/readyz": dial tcp 10.42.0.5:8080: connect: connection refused',
    });
    expect(probe(revengeApi, { httpGet: { path: '/readyz', port: 'web' } })).toMatchObject({ errored: true });
    expect(probe(postgresImage, { tcpSocket: { port: 5432 } })).toEqual({ ok: true });
    expect(probe(postgresImage, { tcpSocket: { port: 5433 } }).ok).toBe(false);
  });

  it('exec only with the programs in the image, each reaching what it names', () => {
    const exec = (contract: typeof revengeApi, ...command: string[]) => probe(contract, { exec: { command } });
    expect(exec(typesenseImage, 'sh', '-c', 'curl -fsS http://127.0.0.1:8108/health')).toEqual({ ok: true });
    expect(exec(typesenseImage, 'sh', '-c', 'curl -fsS http://127.0.0.1:8108/metrics')).toMatchObject({
      message: 'curl: (22) The requested URL returned error: 404',
    });
    expect(exec(revengeApi, 'sh', '-c', 'curl -f http://127.0.0.1:8096/healthz')).toMatchObject({
      message: 'sh: curl: not found',
    });
    expect(exec(revengeApi, 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8096/readyz')).toEqual({ ok: true });
    expect(exec(revengeApi, 'pg_isready', '-h', 'postgres')).toEqual({ ok: true });
    expect(exec(revengeApi, 'pg_isready', '-h', '127.0.0.1')).toMatchObject({
      message: '127.0.0.1:5432 - no response',
    });
    expect(exec(postgresImage, '/usr/bin/curl', 'x')).toMatchObject({
      errored: true,
      message: expect.stringContaining('exec: "/usr/bin/curl": stat /usr/bin/curl: no such file or directory'),
    });
  });
});
