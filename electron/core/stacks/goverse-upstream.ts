/**
 * What Goverse's programs really do, read from their source: xiaonanln/goverse at 542b6c71
 * (2026-05-04). References are `<repository>@<commit>:<file>:<line>`.
 *
 * Facts that shape the stack (goverse-stack.ts), where the repository's own k8s/ manifests and
 * plans disagree with the code (the code wins):
 *
 * - No program reads an environment variable: the manifests' NODE_ID, GRPC_ADDR, CONFIG_FILE, ...
 *   (k8s/nodes/statefulset.yaml:43-52) are read by nothing. Every setting is a flag
 *   (node/serverconfig/serverconfig.go:43-50, cmd/gate/gateconfig/gateconfig.go:43-51,
 *   cmd/inspector/inspectorconfig/inspectorconfig.go:41-46, cmd/pgadmin/main.go:51-57) or a key of
 *   the YAML file `--config` names (config/config.go:89-98).
 * - With `--config`, the node takes its addresses from the `nodes` entry whose id is `--node-id`
 *   (serverconfig.go:66-105), and every other flag is refused (serverconfig.go:72-89).
 * - Only the first etcd endpoint is used (config.go:216-222).
 * - The node serves /healthz, /ready (cluster ready) and /metrics on its `http_addr`
 *   (server/server.go:308-328): there is no /health. The gate serves them on its ops address
 *   (gate/gateserver/http_handler.go:84-91, :542-546), the inspector /healthz and /ready on its
 *   HTTP address (cmd/inspector/inspectserver/inspectserver.go:218-221).
 * - A node configured with PostgreSQL refuses to start until `pgadmin init` created the schema
 *   (server/server.go:79-85, :229-241).
 * - There is no node program in the repository: a node is the user's own Go program built with
 *   docker/Dockerfile.node (its lines 3-7), which reads the flags of node/serverconfig. No image
 *   of any Goverse program is published, and cmd/pgadmin has no Dockerfile at all.
 */
import { postgresImage } from './revenge-upstream';
import type { ImageContract } from './upstream';

const GOVERSE = 'xiaonanln/goverse@542b6c71';
export const GOVERSE_REF = GOVERSE;

/** Where the stack mounts the configuration file (`--config`); the manifests mount /etc/goverse (k8s/nodes/statefulset.yaml:51-58). */
export const GOVERSE_CONFIG_PATH = '/etc/goverse/config.yaml';

/** Ports as the Dockerfiles expose them: node 50051/8080 (Dockerfile.node:61), gate 60051/8080 (Dockerfile.gate:46). */
export const NODE_GRPC_PORT = 50051;
export const NODE_HTTP_PORT = 8080;
export const GATE_GRPC_PORT = 60051;
export const GATE_HTTP_PORT = 8080;
/** The gate's ops endpoints (health, readiness, metrics) as the manifest runs them (k8s/gates/deployment.yaml:32, :49-50). */
export const GATE_OPS_PORT = 9090;
/** Inspector: gRPC 8081 and HTTP 8080, its flag defaults (inspectorconfig.go:15-16) and Dockerfile.inspector:51. */
export const INSPECTOR_GRPC_PORT = 8081;
export const INSPECTOR_HTTP_PORT = 8080;
/** etcd's client and peer ports (k8s/etcd/statefulset.yaml:23-27). */
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
export const POSTGRES_PORT = 5432;
/** Where Dockerfile.inspector puts the web UI (:42); the default --static-dir is relative (inspectorconfig.go:19). */
export const INSPECTOR_STATIC_DIR = '/app/web';
/** The image user of Dockerfile.node/gate/inspector (:45-46, :57-58). */
const GOVERSE_USER = { uid: 1000, gid: 1000 };

/** The configuration file's keys Homeport writes (config/config.go:11-98); unknown keys are ignored (yaml.Unmarshal, config.go:108). */
const configKnown = [
  { key: 'version', required: true, ref: `${GOVERSE}:config/config.go:121` },
  { key: 'cluster.provider', required: true, ref: `${GOVERSE}:config/config.go:125` },
  { key: 'cluster.shards', required: true, ref: `${GOVERSE}:config/config.go:133` },
  { key: 'cluster.etcd.endpoints', required: true, ref: `${GOVERSE}:config/config.go:137` },
  { key: 'cluster.etcd.prefix', required: true, ref: `${GOVERSE}:config/config.go:141` },
  { key: 'postgres.password', secret: true, ref: `${GOVERSE}:config/config.go:53` },
];

const configFile = {
  path: GOVERSE_CONFIG_PATH,
  format: 'yaml' as const,
  arg: '--config',
  ref: `${GOVERSE}:node/serverconfig/serverconfig.go:43`,
};

const noEnv = { kind: 'exact' as const };
/** Go's flag package reads `--name=value` (serverconfig.go:60). */
const flagArgs = (ref: string) => ({ supported: true, ref });

export const goverseNode: ImageContract = {
  component: 'node',
  // The names the repository's docs build them as (docker/README.md:241, :312).
  images: ['goverse-node', 'docker.io/library/goverse-node'],
  ports: [
    { port: NODE_GRPC_PORT, protocol: 'tcp', ref: `${GOVERSE}:docker/Dockerfile.node:61` },
    { port: NODE_HTTP_PORT, protocol: 'http', ref: `${GOVERSE}:docker/Dockerfile.node:61` },
  ],
  http: [
    { port: NODE_HTTP_PORT, path: '/healthz', roles: ['liveness', 'health'], ref: `${GOVERSE}:server/server.go:308` },
    { port: NODE_HTTP_PORT, path: '/ready', roles: ['readiness'], ref: `${GOVERSE}:server/server.go:315` },
    { port: NODE_HTTP_PORT, path: '/metrics', roles: ['metrics'], ref: `${GOVERSE}:server/server.go:328` },
  ],
  settings: {
    env: noEnv,
    fileVariables: { supported: false, ref: `${GOVERSE}:config/config.go:101` },
    configFile,
    args: flagArgs(`${GOVERSE}:node/serverconfig/serverconfig.go:43`),
    known: configKnown,
  },
  expects: [],
  // Alpine with wget (Dockerfile.node:39-42).
  tools: ['sh', 'wget'],
  user: { ...GOVERSE_USER, ref: `${GOVERSE}:docker/Dockerfile.node:45` },
  writes: [],
};

export const goverseGate: ImageContract = {
  component: 'gate',
  images: ['goverse-gate', 'xiaonanln/goverse-gate', 'docker.io/xiaonanln/goverse-gate'],
  ports: [
    { port: GATE_GRPC_PORT, protocol: 'tcp', ref: `${GOVERSE}:docker/Dockerfile.gate:46` },
    { port: GATE_HTTP_PORT, protocol: 'http', ref: `${GOVERSE}:gate/gateserver/http_handler.go:520` },
    { port: GATE_OPS_PORT, protocol: 'http', ref: `${GOVERSE}:gate/gateserver/http_handler.go:542` },
  ],
  http: [
    {
      port: GATE_OPS_PORT,
      path: '/healthz',
      roles: ['liveness', 'health'],
      ref: `${GOVERSE}:gate/gateserver/http_handler.go:85`,
    },
    { port: GATE_OPS_PORT, path: '/ready', roles: ['readiness'], ref: `${GOVERSE}:gate/gateserver/http_handler.go:88` },
    { port: GATE_OPS_PORT, path: '/metrics', roles: ['metrics'], ref: `${GOVERSE}:gate/gateserver/http_handler.go:91` },
  ],
  settings: {
    env: noEnv,
    fileVariables: { supported: false, ref: `${GOVERSE}:cmd/gate/gateconfig/gateconfig.go:43` },
    args: flagArgs(`${GOVERSE}:cmd/gate/gateconfig/gateconfig.go:43`),
    known: [],
  },
  expects: [],
  tools: ['sh', 'wget'],
  user: { ...GOVERSE_USER, ref: `${GOVERSE}:docker/Dockerfile.gate:30` },
  writes: [],
};

export const goverseInspector: ImageContract = {
  component: 'inspector',
  images: ['goverse-inspector', 'xiaonanln/goverse-inspector', 'docker.io/xiaonanln/goverse-inspector'],
  ports: [
    {
      port: INSPECTOR_GRPC_PORT,
      protocol: 'tcp',
      ref: `${GOVERSE}:cmd/inspector/inspectorconfig/inspectorconfig.go:15`,
    },
    {
      port: INSPECTOR_HTTP_PORT,
      protocol: 'http',
      ref: `${GOVERSE}:cmd/inspector/inspectorconfig/inspectorconfig.go:16`,
    },
  ],
  http: [
    {
      port: INSPECTOR_HTTP_PORT,
      path: '/healthz',
      roles: ['liveness', 'health'],
      ref: `${GOVERSE}:cmd/inspector/inspectserver/inspectserver.go:218`,
    },
    {
      port: INSPECTOR_HTTP_PORT,
      path: '/ready',
      roles: ['readiness'],
      ref: `${GOVERSE}:cmd/inspector/inspectserver/inspectserver.go:221`,
    },
    {
      port: INSPECTOR_HTTP_PORT,
      path: '/',
      roles: [],
      ref: `${GOVERSE}:cmd/inspector/inspectserver/inspectserver.go:187`,
    },
  ],
  settings: {
    env: noEnv,
    fileVariables: { supported: false, ref: `${GOVERSE}:cmd/inspector/inspectorconfig/inspectorconfig.go:41` },
    args: flagArgs(`${GOVERSE}:cmd/inspector/inspectorconfig/inspectorconfig.go:41`),
    known: [],
  },
  expects: [],
  tools: ['sh', 'wget'],
  user: { ...GOVERSE_USER, ref: `${GOVERSE}:docker/Dockerfile.inspector:32` },
  writes: [],
};

/** cmd/pgadmin: `pgadmin [options] init|verify|reset|status` (cmd/pgadmin/main.go:61-67, :83-94). */
export const goversePgadmin: ImageContract = {
  component: 'migrate',
  images: ['goverse-pgadmin'],
  ports: [],
  http: [],
  settings: {
    env: noEnv,
    fileVariables: { supported: false, ref: `${GOVERSE}:cmd/pgadmin/main.go:51` },
    args: flagArgs(`${GOVERSE}:cmd/pgadmin/main.go:51`),
    known: [],
  },
  expects: [],
  tools: [],
};

/**
 * etcd as the repository runs it: quay.io/coreos/etcd (docker-compose.yml:3, k8s/etcd/statefulset.yaml:22),
 * configured through its ETCD_* variables (k8s/etcd/statefulset.yaml:28-48), /health on the client port
 * (:59-70).
 */
export const etcdImage: ImageContract = {
  component: 'etcd',
  images: ['quay.io/coreos/etcd', 'gcr.io/etcd-development/etcd'],
  ports: [
    { port: ETCD_CLIENT_PORT, protocol: 'http', ref: `${GOVERSE}:k8s/etcd/statefulset.yaml:24` },
    { port: ETCD_PEER_PORT, protocol: 'tcp', ref: `${GOVERSE}:k8s/etcd/statefulset.yaml:26` },
  ],
  http: [
    {
      port: ETCD_CLIENT_PORT,
      path: '/health',
      roles: ['liveness', 'readiness', 'health'],
      ref: `${GOVERSE}:k8s/etcd/statefulset.yaml:60`,
    },
    { port: ETCD_CLIENT_PORT, path: '/metrics', roles: ['metrics'], ref: 'etcd.io/docs/v3.5/op-guide/monitoring' },
  ],
  settings: {
    env: { kind: 'exact' },
    fileVariables: { supported: false, ref: `${GOVERSE}:k8s/etcd/statefulset.yaml:28` },
    known: [
      { key: 'ETCD_NAME', default: 'default', ref: `${GOVERSE}:k8s/etcd/statefulset.yaml:29` },
      { key: 'ETCD_INITIAL_CLUSTER', ref: `${GOVERSE}:k8s/etcd/statefulset.yaml:33` },
      { key: 'ETCD_DATA_DIR', ref: `${GOVERSE}:k8s/etcd/statefulset.yaml:47` },
    ],
  },
  expects: [],
  // The compose file starts /usr/local/bin/etcd (docker-compose.yml:5); etcdctl is next to it.
  tools: ['etcd', 'etcdctl'],
};

export const goverseContracts: readonly ImageContract[] = [
  goverseNode,
  goverseGate,
  goverseInspector,
  goversePgadmin,
  etcdImage,
  postgresImage,
];
