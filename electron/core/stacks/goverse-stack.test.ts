/**
 * The Goverse stack: its values (images without defaults), the model it builds and the Kubernetes
 * objects rendered from it, key by key where it matters (ports, probes, env, the config file, the
 * disruption budgets, the snapshot CronJob), against what Goverse's code does (goverse-upstream.ts).
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { builtinStacks, createStackCatalog, stackInfo } from './catalog';
import { checkKubernetes, checkSwarm } from './contract-check';
import { goverseValuesSchema } from './goverse';
import { buildGoverse, goverse, GOVERSE_CONFIG_SECRET } from './goverse-stack';
import { goverseContracts } from './goverse-upstream';
import type { Component } from './model';
import type { SwarmServiceSpec, SwarmStack } from './swarm';
import { validateKubeObjects } from './testing/kube-schema';
import type { KubeObject } from './types';

export const GOVERSE_IMAGES = {
  node: { image: 'goverse-node:dev' },
  gate: { image: 'goverse-gate:dev' },
  inspector: { image: 'goverse-inspector:dev' },
  migrate: { image: 'goverse-pgadmin:dev' },
};

const catalog = createStackCatalog();
const kube = (values: Record<string, unknown> = {}) =>
  catalog.renderKubernetes('goverse', { ...GOVERSE_IMAGES, ...values }, { namespace: 'gv' }).objects;
const model = (values: Record<string, unknown> = {}) =>
  buildGoverse(goverseValuesSchema.parse({ ...GOVERSE_IMAGES, ...values }));
const component = (name: string, values?: Record<string, unknown>): Component => {
  const c = model(values).components.find((x) => x.name === name);
  if (!c) throw new Error(`no component ${name}`);
  return c;
};

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  volumeMounts?: { mountPath: string; subPath?: string; readOnly?: boolean }[];
  livenessProbe?: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
  startupProbe?: Record<string, unknown>;
}
type Workload = KubeObject & {
  spec: { replicas: number; serviceName?: string; template: { spec: { containers: Container[] } } };
};
const find = (objects: KubeObject[], kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name} among ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
};
const container = (objects: KubeObject[], kind: string, name: string) =>
  (find(objects, kind, name) as Workload).spec.template.spec.containers[0] as Container;
const envOf = (c: Container) =>
  Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom?.fieldRef?.fieldPath]));

describe('Goverse values', () => {
  it('refuses {} with one error per unpublished image, naming what to build', () => {
    const r = catalog.validate('goverse', {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([
      { path: 'node.image', message: expect.stringContaining('build docker/Dockerfile.node') },
      { path: 'gate.image', message: expect.stringContaining('build docker/Dockerfile.gate') },
      { path: 'inspector.image', message: expect.stringContaining('build docker/Dockerfile.inspector') },
      { path: 'migrate.image', message: expect.stringContaining('build cmd/pgadmin') },
    ]);
  });

  it('is listed with the defaults of every field that has one', () => {
    const info = stackInfo(builtinStacks.find((s) => s.name === 'goverse') ?? goverse);
    expect(info.defaults).toMatchObject({
      node: { replicas: 3 },
      gate: { replicas: 2 },
      etcd: { image: 'quay.io/coreos/etcd:v3.5.17', snapshot: { schedule: '0 2 * * *' } },
      postgres: { image: 'postgres:16-alpine' },
    });
    expect((info.defaults as { node: object }).node).not.toHaveProperty('image');
    expect(catalog.list().map((s) => s.name)).toContain('goverse');
  });

  it('says which images the user must build', () => {
    expect(goverse.needs?.images.filter((i) => i.reference === undefined).map((i) => i.component)).toEqual([
      'node',
      'gate',
      'inspector',
      'migrate',
    ]);
  });
});

describe('Goverse on Kubernetes', () => {
  it('renders objects the Kubernetes API accepts, faithful to the images’ contracts', () => {
    for (const values of [
      {},
      { node: { ...GOVERSE_IMAGES.node, replicas: 5 }, gate: { ...GOVERSE_IMAGES.gate, replicas: 1 } },
    ]) {
      const objects = kube(values);
      validateKubeObjects(objects);
      expect(checkKubernetes(objects, goverseContracts)).toEqual([]);
    }
  });

  it('runs etcd as three members that find each other by their stable names', () => {
    const objects = kube();
    const sts = find(objects, 'StatefulSet', 'etcd') as Workload;
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.serviceName).toBe('etcd-headless');
    expect(find(objects, 'Service', 'etcd-headless').spec).toMatchObject({ clusterIP: 'None' });
    const c = container(objects, 'StatefulSet', 'etcd');
    expect(c.ports?.map((p) => [p.name, p.containerPort])).toEqual([
      ['client', 2379],
      ['peer', 2380],
    ]);
    const env = envOf(c);
    expect(env).toMatchObject({
      ETCD_NAME: 'metadata.name',
      ETCD_INITIAL_CLUSTER:
        'etcd-0=http://etcd-0.etcd-headless:2380,etcd-1=http://etcd-1.etcd-headless:2380,etcd-2=http://etcd-2.etcd-headless:2380',
      ETCD_INITIAL_CLUSTER_STATE: 'new',
      ETCD_LISTEN_CLIENT_URLS: 'http://0.0.0.0:2379',
      ETCD_LISTEN_PEER_URLS: 'http://0.0.0.0:2380',
      ETCD_ADVERTISE_CLIENT_URLS: 'http://$(ETCD_NAME).etcd-headless:2379',
      ETCD_INITIAL_ADVERTISE_PEER_URLS: 'http://$(ETCD_NAME).etcd-headless:2380',
      ETCD_DATA_DIR: '/var/lib/etcd',
    });
    // ETCD_NAME is defined before the variables that reference it.
    expect(c.env?.[0]?.name).toBe('ETCD_NAME');
    expect(c.volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/var/lib/etcd' }));
    // A TCP check: /health needs a quorum, which a member started alone cannot have.
    expect(c.readinessProbe).toMatchObject({ tcpSocket: { port: expect.anything() } });
    expect(find(objects, 'PodDisruptionBudget', 'etcd').spec).toMatchObject({ minAvailable: 2 });
  });

  it('saves an etcd snapshot on a schedule to its own volume', () => {
    const objects = kube({ etcd: { snapshot: { schedule: '15 4 * * *' } } });
    const cron = find(objects, 'CronJob', 'etcd-snapshot') as KubeObject & {
      spec: { schedule: string; jobTemplate: { spec: { template: { spec: { containers: Container[] } } } } };
    };
    expect(cron.spec.schedule).toBe('15 4 * * *');
    const c = cron.spec.jobTemplate.spec.template.spec.containers[0];
    expect(c?.image).toBe('quay.io/coreos/etcd:v3.5.17');
    expect(c?.command).toEqual([
      'etcdctl',
      '--endpoints=http://etcd:2379',
      'snapshot',
      'save',
      '/backup/etcd-snapshot.db',
    ]);
    expect(c?.volumeMounts).toEqual([expect.objectContaining({ mountPath: '/backup', readOnly: false })]);
    expect(find(objects, 'PersistentVolumeClaim', 'goverse-etcd-snapshots')).toBeTruthy();
  });

  it('starts each node from the config file with its instance name as node id', () => {
    const objects = kube();
    const c = container(objects, 'StatefulSet', 'node');
    expect(c.image).toBe('goverse-node:dev');
    expect(c.args).toEqual(['--config=/etc/goverse/config.yaml', '--node-id=$(POD_NAME)']);
    expect(envOf(c)).toEqual({ POD_NAME: 'metadata.name', POD_NAMESPACE: 'metadata.namespace' });
    expect(c.ports?.map((p) => [p.name, p.containerPort])).toEqual([
      ['grpc', 50051],
      ['http', 8080],
    ]);
    expect(c.volumeMounts).toContainEqual({
      name: 'file-goverse-config',
      mountPath: '/etc/goverse/config.yaml',
      subPath: 'config.yaml',
      readOnly: true,
    });
    // server.go:308, :315: /healthz and /ready; the node serves no /health.
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/ready', port: 'http' } });
    expect(c.startupProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
    const sts = find(objects, 'StatefulSet', 'node') as Workload & {
      spec: { template: { metadata: { annotations: Record<string, string> } } };
    };
    expect(sts.spec.serviceName).toBe('node-headless');
    expect(sts.spec.template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8080',
      'prometheus.io/path': '/metrics',
    });
    expect(find(objects, 'PodDisruptionBudget', 'node').spec).toMatchObject({ minAvailable: 2 });
  });

  it('writes the config file Goverse loads, one node entry per replica, the password from the secret', () => {
    const objects = kube({ node: { ...GOVERSE_IMAGES.node, replicas: 2 }, cluster: { prefix: '/game' } });
    const secret = find(objects, 'Secret', GOVERSE_CONFIG_SECRET);
    const templates = JSON.parse(secret.metadata.annotations?.['homeport.dev/templates'] ?? '{}') as Record<
      string,
      string
    >;
    const config = parseYaml(templates['config.yaml'] ?? '') as Record<string, unknown>;
    expect(config).toEqual({
      version: 1,
      cluster: {
        shards: 8192,
        provider: 'etcd',
        etcd: { endpoints: ['etcd:2379'], prefix: '/game' },
        cluster_state_stability_duration: '10s',
      },
      postgres: {
        host: 'postgres',
        port: 5432,
        user: 'goverse',
        password: '{{goverse-secrets/database-password}}',
        database: 'goverse',
        sslmode: 'disable',
      },
      inspector: { grpc_addr: '0.0.0.0:8081', http_addr: '0.0.0.0:8080', advertise_addr: 'inspector:8081' },
      nodes: [0, 1].map((i) => ({
        id: `node-${i}`,
        grpc_addr: '0.0.0.0:50051',
        advertise_addr: `node-${i}.node-headless:50051`,
        http_addr: '0.0.0.0:8080',
      })),
      gates: [],
    });
    expect(JSON.stringify(secret)).not.toMatch(/password: "[A-Za-z0-9_-]{20,}"/);
  });

  it('runs the gates from flags, advertising their pod address, with probes on the ops port', () => {
    const objects = kube();
    const c = container(objects, 'Deployment', 'gate');
    expect(c.args).toEqual([
      '--listen=0.0.0.0:60051',
      '--advertise=$(POD_IP):60051',
      '--http-listen=0.0.0.0:8080',
      '--ops-listen=0.0.0.0:9090',
      '--etcd=etcd:2379',
      '--etcd-prefix=/goverse',
      '--inspector-address=inspector:8081',
    ]);
    expect(envOf(c)).toEqual({
      POD_NAME: 'metadata.name',
      POD_NAMESPACE: 'metadata.namespace',
      POD_IP: 'status.podIP',
    });
    expect(c.ports?.map((p) => [p.name, p.containerPort])).toEqual([
      ['grpc', 60051],
      ['http', 8080],
      ['ops', 9090],
    ]);
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'ops' } });
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/ready', port: 'ops' } });
    expect(find(objects, 'PodDisruptionBudget', 'gate').spec).toMatchObject({ minAvailable: 1 });
  });

  it('runs the inspector from flags so it finds its web UI', () => {
    const c = container(kube(), 'Deployment', 'inspector');
    expect(c.args).toEqual([
      '--grpc-addr=0.0.0.0:8081',
      '--http-addr=0.0.0.0:8080',
      '--static-dir=/app/web',
      '--etcd-addr=etcd:2379',
      '--etcd-prefix=/goverse',
    ]);
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/ready', port: 'http' } });
  });

  it('lets only the nodes, gates, inspector and snapshots reach etcd, and only nodes and the migration PostgreSQL', () => {
    const objects = kube();
    const from = (name: string) =>
      (
        find(objects, 'NetworkPolicy', name).spec as {
          ingress: { from: { podSelector: { matchExpressions: { values: string[] }[] } }[] }[];
        }
      ).ingress[0]?.from[0]?.podSelector.matchExpressions[0]?.values;
    expect(from('etcd')).toEqual(['etcd', 'etcd-snapshot', 'gate', 'inspector', 'node']);
    expect(from('postgres')).toEqual(['migrate', 'node']);
  });
});

describe('Goverse model', () => {
  it('migrates with pgadmin init reading the nodes’ config file, retried until PostgreSQL answers', () => {
    const [task] = model().tasks ?? [];
    // With --config pgadmin takes host, port, user, password and database from the file
    // (cmd/pgadmin/main.go:98-127): no password among the arguments, on either target.
    expect(task).toMatchObject({
      name: 'migrate',
      image: 'goverse-pgadmin:dev',
      args: ['--config=/etc/goverse/config.yaml', 'init'],
      secretEnv: [],
      files: [{ secret: GOVERSE_CONFIG_SECRET, key: 'config.yaml', path: '/etc/goverse/config.yaml' }],
      connectsTo: [{ component: 'postgres', ports: [5432] }],
    });
    expect(task?.retries).toBeGreaterThanOrEqual(3);
    const job = kube().find((o) => o.kind === 'Job') as KubeObject & {
      spec: { template: { spec: { containers: Container[]; volumes: unknown[] } } };
    };
    const pod = job.spec.template.spec;
    expect(pod.containers[0]?.args).toEqual(['--config=/etc/goverse/config.yaml', 'init']);
    expect(pod.containers[0]?.env).toBeUndefined();
    expect(pod.containers[0]?.volumeMounts).toEqual([
      { name: 'file-goverse-config', mountPath: '/etc/goverse/config.yaml', subPath: 'config.yaml', readOnly: true },
    ]);
    expect(pod.volumes).toEqual([{ name: 'file-goverse-config', secret: { secretName: GOVERSE_CONFIG_SECRET } }]);
  });

  it('lets the nodes connect only to etcd, PostgreSQL, other nodes and the inspector', () => {
    expect(component('node').connectsTo).toEqual([
      { component: 'etcd', ports: [2379] },
      { component: 'postgres', ports: [5432] },
      { component: 'node', ports: [50051] },
      { component: 'inspector', ports: [8081] },
    ]);
    expect(component('gate').connectsTo).toEqual([
      { component: 'etcd', ports: [2379] },
      { component: 'node', ports: [50051] },
      { component: 'inspector', ports: [8081] },
    ]);
    expect(component('inspector').connectsTo).toEqual([{ component: 'etcd', ports: [2379] }]);
  });

  it('keeps one node up less than the replicas during drains, and no budget for a single node', () => {
    expect(component('node', { node: { ...GOVERSE_IMAGES.node, replicas: 4 } }).disruptionBudget).toEqual({
      minAvailable: 3,
    });
    expect(component('node', { node: { ...GOVERSE_IMAGES.node, replicas: 1 } }).disruptionBudget).toBeUndefined();
  });

  it('serves metrics where the code serves them', () => {
    expect(component('node').metrics).toEqual({ path: '/metrics', port: 8080 });
    expect(component('gate').metrics).toEqual({ path: '/metrics', port: 9090 });
    expect(component('etcd').metrics).toEqual({ path: '/metrics', port: 2379 });
  });
});

describe('Goverse on Docker Swarm', () => {
  const swarm = (values: Record<string, unknown> = {}) =>
    catalog.renderSwarm('goverse', { ...GOVERSE_IMAGES, ...values }, { stack: 'goverse' });
  const service = (spec: SwarmStack, name: string) => {
    const found = spec.services.find((x) => x.Name === name);
    if (!found) throw new Error(`no service ${name} among ${spec.services.map((x) => x.Name).join(', ')}`);
    return found;
  };
  const envMap = (svc: SwarmServiceSpec) =>
    Object.fromEntries(
      svc.TaskTemplate.ContainerSpec.Env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    );

  it('runs etcd, the nodes and the gates one service per instance, the rest as one service each', () => {
    const spec = swarm();
    expect(spec.services.map((x) => x.Name).filter((n) => !n.startsWith('goverse_migrate-'))).toEqual([
      'goverse_etcd-0',
      'goverse_etcd-1',
      'goverse_etcd-2',
      'goverse_postgres',
      'goverse_node-0',
      'goverse_node-1',
      'goverse_node-2',
      'goverse_gate-0',
      'goverse_gate-1',
      'goverse_inspector',
    ]);
    for (const name of ['goverse_etcd-1', 'goverse_node-2', 'goverse_gate-0']) {
      expect(service(spec, name).Mode).toEqual({ Replicated: { Replicas: 1 } });
    }
    expect(service(spec, 'goverse_node-1').Labels).toMatchObject({
      'homeport.dev/component': 'node',
      'homeport.dev/instance': '1',
    });
    expect(service(spec, 'goverse_postgres').Labels['homeport.dev/instance']).toBeUndefined();
    // Names of an instance resolve to its task, as a headless Service's do.
    expect(service(spec, 'goverse_etcd-0').EndpointSpec).toEqual({ Mode: 'dnsrr' });
    expect(service(spec, 'goverse_postgres').EndpointSpec).toEqual({ Mode: 'vip' });
    expect(checkSwarm(spec, goverseContracts)).toEqual([]);
  });

  it('gives each etcd member its name, its peers’ names and its own data volume', () => {
    const spec = swarm();
    const etcd1 = service(spec, 'goverse_etcd-1');
    expect(envMap(etcd1)).toMatchObject({
      ETCD_NAME: 'etcd-1',
      ETCD_INITIAL_CLUSTER:
        'etcd-0=http://etcd-0.etcd-headless:2380,etcd-1=http://etcd-1.etcd-headless:2380,etcd-2=http://etcd-2.etcd-headless:2380',
      ETCD_ADVERTISE_CLIENT_URLS: 'http://etcd-1.etcd-headless:2379',
      ETCD_INITIAL_ADVERTISE_PEER_URLS: 'http://etcd-1.etcd-headless:2380',
    });
    // Every network where etcd answers to its name, and the members' own network.
    const nets = etcd1.TaskTemplate.Networks;
    expect(nets.length).toBeGreaterThan(1);
    for (const n of nets) expect(n.Aliases).toEqual(['etcd-1', 'etcd-1.etcd-headless', 'etcd']);
    expect(nets.map((n) => n.Target)).toContain('goverse_etcd-peers');
    expect(spec.networks?.map((n) => n.Name)).toContain('goverse_etcd-peers');
    expect(etcd1.TaskTemplate.ContainerSpec.Mounts).toContainEqual(
      expect.objectContaining({ Type: 'volume', Source: 'goverse_etcd-1-data', Target: '/var/lib/etcd' }),
    );
    expect(spec.volumes.map((v) => v.Name)).toEqual(
      expect.arrayContaining(['goverse_etcd-0-data', 'goverse_etcd-1-data', 'goverse_etcd-2-data']),
    );
    expect(spec.volumes.map((v) => v.Name)).not.toContain('goverse_etcd-data');
  });

  it('runs etcd without a health check, which it could not pass before its quorum, and says so', () => {
    const spec = swarm();
    expect(service(spec, 'goverse_etcd-0').TaskTemplate.ContainerSpec.Healthcheck.Test).toEqual(['NONE']);
    expect(spec.notes).toContainEqual(expect.stringMatching(/^'etcd' has no health check on Swarm: .*no nc/));
    expect(spec.notes).toContainEqual(
      expect.stringMatching(/^'etcd' runs one service per instance \(goverse_etcd-0, goverse_etcd-1, goverse_etcd-2\)/),
    );
  });

  it('starts each node with its instance name as node id, checked by the liveness endpoint', () => {
    const spec = swarm();
    const node2 = service(spec, 'goverse_node-2');
    expect(node2.TaskTemplate.ContainerSpec.Args).toEqual(['--config=/etc/goverse/config.yaml', '--node-id=node-2']);
    expect(envMap(node2)).toMatchObject({ POD_NAME: 'node-2', POD_NAMESPACE: 'goverse' });
    expect(node2.TaskTemplate.ContainerSpec.Healthcheck.Test).toEqual([
      'CMD',
      'wget',
      '-q',
      '-O',
      '/dev/null',
      'http://127.0.0.1:8080/healthz',
    ]);
    // The config file lists node-2.node-headless:50051 as its advertised address: an alias of it.
    expect(node2.TaskTemplate.Networks.flatMap((n) => n.Aliases)).toContain('node-2.node-headless');
    expect(node2.TaskTemplate.Networks.map((n) => n.Target)).toContain('goverse_node-peers');
    expect(node2.TaskTemplate.ContainerSpec.Secrets).toContainEqual(
      expect.objectContaining({ File: expect.objectContaining({ Name: '/etc/goverse/config.yaml' }) }),
    );
  });

  it('advertises each gate by its instance name, which Swarm resolves to it', () => {
    const spec = swarm();
    const gate1 = service(spec, 'goverse_gate-1');
    expect(gate1.TaskTemplate.ContainerSpec.Args).toContain('--advertise=gate-1:60051');
    expect(envMap(gate1).POD_IP).toBe('gate-1');
    // The address resolves wherever the gate is: on each of its networks.
    for (const n of gate1.TaskTemplate.Networks) expect(n.Aliases).toEqual(['gate-1', 'gate-1.gate-headless']);
    // Gates do not call each other: no network of their own.
    expect(spec.networks?.map((n) => n.Name)).not.toContain('goverse_gate-peers');
    expect(spec.notes).toContainEqual(expect.stringMatching(/'gate'.*POD_IP holds the instance's DNS name/));
  });

  it('leaves out the etcd snapshot schedule, which needs a shell the etcd image has not, and says so', () => {
    const spec = swarm();
    expect(spec.services.some((x) => x.Labels['homeport.dev/component'] === 'etcd-snapshot')).toBe(false);
    expect(spec.volumes.map((v) => v.Name)).not.toContain('goverse_etcd-snapshots');
    expect(spec.notes).toContainEqual(
      "Scheduled job 'etcd-snapshot' does not run on Swarm: its image has no shell for the service that waits " +
        'for its times (it has etcd, etcdctl); it runs on Kubernetes as a CronJob.',
    );
  });

  it('runs the migration from the config file, no password in its arguments', () => {
    const job = swarm().services.find((x) => x.Name.startsWith('goverse_migrate-'));
    expect(job?.TaskTemplate.ContainerSpec.Args).toEqual(['--config=/etc/goverse/config.yaml', 'init']);
    expect(job?.TaskTemplate.ContainerSpec.Secrets.map((x) => x.File.Name)).toContain('/etc/goverse/config.yaml');
  });

  it('follows the node count', () => {
    const spec = swarm({ node: { ...GOVERSE_IMAGES.node, replicas: 1 } });
    expect(spec.services.filter((x) => x.Labels['homeport.dev/component'] === 'node').map((x) => x.Name)).toEqual([
      'goverse_node-0',
    ]);
  });
});
