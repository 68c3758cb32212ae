/**
 * The Goverse stack as its code runs it (facts and sources in goverse-upstream.ts):
 *
 * - etcd: three members with stable names (etcd-0..2) that find each other through the headless
 *   Service (etcd-N.etcd-headless), configured with the ETCD_* variables the repository's manifest
 *   sets (k8s/etcd/statefulset.yaml:28-48). Probes connect to the client port instead of GET
 *   /health: /health fails until a quorum has formed, and the members start one after another
 *   (a StatefulSet starts etcd-1 only once etcd-0 is ready), so /health would hold etcd-0 back
 *   forever. An etcdctl snapshot is saved to a volume on a schedule.
 * - The nodes read everything from /etc/goverse/config.yaml (`--config`) and their own entry in its
 *   `nodes` list (`--node-id`, the instance name node-N): the file lists one entry per replica with
 *   its per-instance address node-N.node-headless:50051. It holds the PostgreSQL password (the
 *   program reads it from the file only), so it is a secret assembled at deploy time.
 * - Only the first etcd endpoint is used (config.go:216-222): it is the `etcd` Service, which
 *   reaches whichever member answers.
 * - Gates run from flags (gateconfig.go:128-150): with `--config` the gate needs an entry per gate
 *   id, which a Deployment's random pod names cannot have. Their id defaults to the advertised
 *   address (the pod IP). The shard count is then the default 8192 (gateserver.go:36), so the
 *   nodes' file says 8192 too.
 * - The inspector runs from flags too: with `--config`, --static-dir is refused and the default is
 *   relative (inspectorconfig.go:19, :71-73, :95), so the web UI the image keeps in /app/web would
 *   not be found.
 * - Docker Swarm: etcd, the nodes (addressed by instance name) and the gates (their arguments carry
 *   their identity) run one service per instance (swarm-instances.ts). etcd's image has no tool for
 *   its TCP check there, so etcd's services have no health check; the plan says so.
 * - `pgadmin init` creates the schema the nodes refuse to start without; it is idempotent (CREATE
 *   ... IF NOT EXISTS, util/postgres/db.go:81-131) and retried by the platform until PostgreSQL
 *   answers (pgadmin itself does not retry).
 */
import { defineStack, type Component, type OneShotJob, type ScheduledJob, type StackModel } from './model';
import { goverseValuesSchema, type GoverseValues } from './goverse';
import {
  ETCD_CLIENT_PORT,
  ETCD_PEER_PORT,
  etcdImage,
  GATE_GRPC_PORT,
  GATE_HTTP_PORT,
  GATE_OPS_PORT,
  GOVERSE_CONFIG_PATH,
  goverseContracts,
  goverseGate,
  goverseInspector,
  goverseNode,
  INSPECTOR_GRPC_PORT,
  INSPECTOR_HTTP_PORT,
  INSPECTOR_STATIC_DIR,
  NODE_GRPC_PORT,
  NODE_HTTP_PORT,
  POSTGRES_PORT,
} from './goverse-upstream';
import {
  DB,
  ETCD_SERVICE,
  GOVERSE_SECRET,
  goverseConfigFile,
  INSPECTOR_ADDRESS,
  instanceHost,
  PASSWORD,
} from './goverse-config';
import { goverseSignals } from './goverse-signals';

export { GOVERSE_SECRET, goverseConfigFile } from './goverse-config';
import { postgresComponent } from './postgres-component';

/** The nodes' configuration file, assembled from GOVERSE_SECRET at deploy time. */
export const GOVERSE_CONFIG_SECRET = 'goverse-config';
export const ETCD_MEMBERS = 3;
export const SNAPSHOT_VOLUME = 'etcd-snapshots';
export const SNAPSHOT_PATH = '/backup/etcd-snapshot.db';
const user = { uid: 1000, gid: 1000 };

/** The image a value names; the schema refuses values without it. */
function built(v: { image?: string }, what: string): string {
  if (v.image === undefined) throw new Error(`${what}.image: no image given`);
  return v.image;
}

function etcd(values: GoverseValues): Component {
  const tcp = { type: 'tcp' as const, port: ETCD_CLIENT_PORT };
  const members = Array.from(
    { length: ETCD_MEMBERS },
    (_, i) => `etcd-${i}=http://${instanceHost('etcd', i)}:${ETCD_PEER_PORT}`,
  );
  return {
    name: 'etcd',
    image: values.etcd.image,
    tools: etcdImage.tools,
    ports: [
      { name: 'client', port: ETCD_CLIENT_PORT },
      { name: 'peer', port: ETCD_PEER_PORT },
    ],
    identityEnv: [{ name: 'ETCD_NAME', field: 'instanceName' }],
    secretEnv: [],
    // k8s/etcd/statefulset.yaml:33-48, with the stack's short names.
    env: [
      { name: 'ETCD_INITIAL_CLUSTER', value: members.join(',') },
      { name: 'ETCD_INITIAL_CLUSTER_STATE', value: 'new' },
      { name: 'ETCD_INITIAL_CLUSTER_TOKEN', value: 'goverse-etcd-cluster' },
      { name: 'ETCD_LISTEN_CLIENT_URLS', value: `http://0.0.0.0:${ETCD_CLIENT_PORT}` },
      { name: 'ETCD_LISTEN_PEER_URLS', value: `http://0.0.0.0:${ETCD_PEER_PORT}` },
      { name: 'ETCD_ADVERTISE_CLIENT_URLS', value: `http://$(ETCD_NAME).etcd-headless:${ETCD_CLIENT_PORT}` },
      { name: 'ETCD_INITIAL_ADVERTISE_PEER_URLS', value: `http://$(ETCD_NAME).etcd-headless:${ETCD_PEER_PORT}` },
      { name: 'ETCD_DATA_DIR', value: '/var/lib/etcd' },
    ],
    mounts: [],
    stateful: true,
    // Members find each other as etcd-N.etcd-headless (ETCD_INITIAL_CLUSTER).
    namedInstances: true,
    data: {
      mountPath: '/var/lib/etcd',
      size: values.etcd.storage.size,
      storageClass: values.etcd.storage.storageClass,
    },
    probes: {
      liveness: { check: tcp, periodSeconds: 10, failureThreshold: 6 },
      readiness: { check: tcp, periodSeconds: 5 },
      startup: { check: tcp, periodSeconds: 5, failureThreshold: 60 },
    },
    replicas: ETCD_MEMBERS,
    // k8s/etcd/statefulset.yaml:52-58.
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    // A quorum of three is two.
    disruptionBudget: { minAvailable: 2 },
    acceptsFrom: ['etcd', 'node', 'gate', 'inspector', 'etcd-snapshot'],
    metrics: { path: '/metrics', port: ETCD_CLIENT_PORT },
    stopGracePeriodSeconds: 30,
  };
}

function postgres(values: GoverseValues): Component {
  // User and database as k8s/postgres/statefulset.yaml:26-43 sets them.
  return postgresComponent({
    image: values.postgres.image,
    user: DB.user,
    database: DB.database,
    password: PASSWORD,
    storage: values.postgres.storage,
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } },
    acceptsFrom: ['node', 'migrate'],
  });
}

function node(values: GoverseValues): Component {
  const http = (path: string) => ({ type: 'http' as const, path, port: NODE_HTTP_PORT });
  const replicas = values.node.replicas;
  return {
    name: 'node',
    image: built(values.node, 'node'),
    tools: goverseNode.tools,
    // Only --config and --node-id with --config (serverconfig.go:66-89); Kubernetes expands $(POD_NAME).
    args: [`--config=${GOVERSE_CONFIG_PATH}`, '--node-id=$(POD_NAME)'],
    ports: [
      { name: 'grpc', port: NODE_GRPC_PORT },
      { name: 'http', port: NODE_HTTP_PORT },
    ],
    // k8s/nodes/statefulset.yaml:35-42.
    identityEnv: [
      { name: 'POD_NAME', field: 'instanceName' },
      { name: 'POD_NAMESPACE', field: 'namespace' },
    ],
    secretEnv: [],
    env: [],
    files: [{ secret: GOVERSE_CONFIG_SECRET, key: 'config.yaml', path: GOVERSE_CONFIG_PATH }],
    mounts: [],
    stateful: true,
    // The config file's nodes advertise node-N.node-headless (goverse-config.ts).
    namedInstances: true,
    data: {
      mountPath: '/var/lib/goverse',
      size: values.node.storage.size,
      storageClass: values.node.storage.storageClass,
    },
    security: { user, readOnlyRoot: { writable: ['/tmp'] } },
    probes: {
      // server.go:308 and :315: /healthz always, /ready once the cluster is ready; no /health.
      liveness: { check: http('/healthz'), periodSeconds: 10, failureThreshold: 3 },
      readiness: { check: http('/ready'), periodSeconds: 5, failureThreshold: 3 },
      // The HTTP server starts after the node joined (server.go:294-304).
      startup: { check: http('/healthz'), periodSeconds: 5, failureThreshold: 60 },
    },
    replicas,
    // k8s/nodes/statefulset.yaml:61-67.
    resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '2Gi' } },
    disruptionBudget: replicas >= 2 ? { minAvailable: replicas - 1 } : undefined,
    connectsTo: [
      { component: 'etcd', ports: [ETCD_CLIENT_PORT] },
      { component: 'postgres', ports: [POSTGRES_PORT] },
      // Nodes call each other (cluster/nodeconnections/nodeconnections.go:97) and report to the inspector (node/inspectormanager/inspectormanager.go:271).
      { component: 'node', ports: [NODE_GRPC_PORT] },
      { component: 'inspector', ports: [INSPECTOR_GRPC_PORT] },
    ],
    metrics: { path: '/metrics', port: NODE_HTTP_PORT },
    stopGracePeriodSeconds: 30,
  };
}

function gate(values: GoverseValues): Component {
  const ops = (path: string) => ({ type: 'http' as const, path, port: GATE_OPS_PORT });
  const replicas = values.gate.replicas;
  return {
    name: 'gate',
    image: built(values.gate, 'gate'),
    tools: goverseGate.tools,
    // cmd/gate/gateconfig/gateconfig.go:43-51; the id defaults to the advertised address (:128-131).
    args: [
      `--listen=0.0.0.0:${GATE_GRPC_PORT}`,
      `--advertise=$(POD_IP):${GATE_GRPC_PORT}`,
      `--http-listen=0.0.0.0:${GATE_HTTP_PORT}`,
      `--ops-listen=0.0.0.0:${GATE_OPS_PORT}`,
      `--etcd=${ETCD_SERVICE}`,
      `--etcd-prefix=${values.cluster.prefix}`,
      `--inspector-address=${INSPECTOR_ADDRESS}`,
    ],
    ports: [
      { name: 'grpc', port: GATE_GRPC_PORT },
      { name: 'http', port: GATE_HTTP_PORT },
      { name: 'ops', port: GATE_OPS_PORT },
    ],
    // k8s/gates/deployment.yaml:35-42, and the pod IP the gate advertises.
    identityEnv: [
      { name: 'POD_NAME', field: 'instanceName' },
      { name: 'POD_NAMESPACE', field: 'namespace' },
      { name: 'POD_IP', field: 'instanceIp' },
    ],
    secretEnv: [],
    env: [],
    mounts: [],
    stateful: false,
    security: { user, readOnlyRoot: { writable: ['/tmp'] } },
    probes: {
      liveness: { check: ops('/healthz'), periodSeconds: 10 },
      readiness: { check: ops('/ready'), periodSeconds: 5 },
    },
    replicas,
    // k8s/gates/deployment.yaml:56-62.
    resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    disruptionBudget: replicas >= 2 ? { minAvailable: 1 } : undefined,
    connectsTo: [
      { component: 'etcd', ports: [ETCD_CLIENT_PORT] },
      { component: 'node', ports: [NODE_GRPC_PORT] },
      { component: 'inspector', ports: [INSPECTOR_GRPC_PORT] },
    ],
    metrics: { path: '/metrics', port: GATE_OPS_PORT },
    stopGracePeriodSeconds: 30,
  };
}

function inspector(values: GoverseValues): Component {
  const http = (path: string) => ({ type: 'http' as const, path, port: INSPECTOR_HTTP_PORT });
  return {
    name: 'inspector',
    image: built(values.inspector, 'inspector'),
    tools: goverseInspector.tools,
    // inspectorconfig.go:41-46; the image's own CMD passes --static-dir /app/web (Dockerfile.inspector:59).
    args: [
      `--grpc-addr=0.0.0.0:${INSPECTOR_GRPC_PORT}`,
      `--http-addr=0.0.0.0:${INSPECTOR_HTTP_PORT}`,
      `--static-dir=${INSPECTOR_STATIC_DIR}`,
      `--etcd-addr=${ETCD_SERVICE}`,
      `--etcd-prefix=${values.cluster.prefix}`,
    ],
    ports: [
      { name: 'grpc', port: INSPECTOR_GRPC_PORT },
      { name: 'http', port: INSPECTOR_HTTP_PORT },
    ],
    identityEnv: [],
    secretEnv: [],
    env: [],
    mounts: [],
    stateful: false,
    security: { user, readOnlyRoot: { writable: ['/tmp'] } },
    probes: {
      liveness: { check: http('/healthz'), periodSeconds: 10 },
      readiness: { check: http('/ready'), periodSeconds: 5 },
    },
    replicas: 1,
    // k8s/inspector/deployment.yaml:39-45.
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    connectsTo: [{ component: 'etcd', ports: [ETCD_CLIENT_PORT] }],
    stopGracePeriodSeconds: 15,
  };
}

function migrate(values: GoverseValues): OneShotJob {
  return {
    name: 'migrate',
    image: built(values.migrate, 'migrate'),
    // cmd/pgadmin/main.go:51-57 and :89-94 (the command last). With --config it reads host, port, user,
    // password and database from the nodes' file (:98-127): the password never is an argument, and
    // Swarm, which cannot put a secret into arguments, runs it the same way.
    args: [`--config=${GOVERSE_CONFIG_PATH}`, 'init'],
    env: [],
    secretEnv: [],
    files: [{ secret: GOVERSE_CONFIG_SECRET, key: 'config.yaml', path: GOVERSE_CONFIG_PATH }],
    mounts: [],
    user,
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    // PostgreSQL may still be starting; pgadmin does not wait for it.
    retries: 6,
    connectsTo: [{ component: 'postgres', ports: [POSTGRES_PORT] }],
    description: 'Creates the Goverse tables in PostgreSQL (pgadmin init); the nodes refuse to start without them',
  };
}

function snapshot(values: GoverseValues): ScheduledJob {
  return {
    name: 'etcd-snapshot',
    image: values.etcd.image,
    tools: etcdImage.tools,
    schedule: values.etcd.snapshot.schedule,
    command: ['etcdctl', `--endpoints=http://${ETCD_SERVICE}`, 'snapshot', 'save', SNAPSHOT_PATH],
    env: [],
    secretEnv: [],
    mounts: [{ volume: SNAPSHOT_VOLUME, mountPath: '/backup', readOnly: false }],
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    description: `Saves an etcd snapshot to ${SNAPSHOT_PATH} on the ${SNAPSHOT_VOLUME} volume (the latest one is kept)`,
  };
}

export function buildGoverse(values: GoverseValues): StackModel {
  return {
    components: [etcd(values), postgres(values), node(values), gate(values), inspector(values)],
    tasks: [migrate(values)],
    jobs: [snapshot(values)],
    volumes: [
      {
        name: SNAPSHOT_VOLUME,
        type: 'claim',
        size: values.etcd.snapshot.storage.size,
        storageClass: values.etcd.snapshot.storage.storageClass,
        readOnly: false,
      },
    ],
    secrets: [
      { name: GOVERSE_SECRET, keys: [{ key: 'database-password', generated: true }] },
      {
        name: GOVERSE_CONFIG_SECRET,
        keys: [{ key: 'config.yaml', generated: false, template: goverseConfigFile(values) }],
      },
    ],
  };
}

export const goverse = defineStack({
  name: 'goverse',
  title: 'Goverse',
  description:
    'Goverse distributed object runtime: your nodes, gates and the inspector, with a 3-member etcd cluster ' +
    '(snapshots on a schedule) and PostgreSQL for persistent objects. Its images are not published: build them first.',
  schema: goverseValuesSchema,
  build: buildGoverse,
  contracts: goverseContracts,
  signals: goverseSignals,
  needs: {
    nasExport: 'no',
    s3Profile: 'no',
    images: [
      { component: 'node' },
      { component: 'gate' },
      { component: 'inspector' },
      { component: 'migrate' },
      { component: 'etcd', reference: 'quay.io/coreos/etcd:v3.5.17' },
      { component: 'postgres', reference: 'postgres:16-alpine' },
    ],
  },
});
