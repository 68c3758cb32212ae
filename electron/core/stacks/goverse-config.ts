/**
 * The configuration file Goverse's nodes load (`--config`), rendered from the values: the format
 * of xiaonanln/goverse@542b6c71:config/config.go:11-98 and config/examples/multi-node.yaml. The
 * PostgreSQL password is a `{{secret/key}}` reference filled in at deploy time.
 */
import type { GoverseValues } from './goverse';
import {
  ETCD_CLIENT_PORT,
  INSPECTOR_GRPC_PORT,
  INSPECTOR_HTTP_PORT,
  NODE_GRPC_PORT,
  NODE_HTTP_PORT,
  POSTGRES_PORT,
} from './goverse-upstream';

export const GOVERSE_SECRET = 'goverse-secrets';
export const DB = { user: 'goverse', database: 'goverse' };
export const PASSWORD = { secret: GOVERSE_SECRET, key: 'database-password' };
/** The shard count every program must agree on: the gates' and inspector's default (gateserver.go:36, inspectserver.go:105). */
export const GOVERSE_SHARDS = 8192;
/** The per-instance DNS name of a stateful component's instance (its headless Service). */
export const instanceHost = (component: string, i: number) => `${component}-${i}.${component}-headless`;
/** Only the first endpoint is used (config.go:216-222): the Service, which reaches any member. */
export const ETCD_SERVICE = `etcd:${ETCD_CLIENT_PORT}`;
export const INSPECTOR_ADDRESS = `inspector:${INSPECTOR_GRPC_PORT}`;

/** config/config.go:89-98; values quoted as YAML (JSON) strings. */
export function goverseConfigFile(values: GoverseValues): string {
  const q = (s: string) => JSON.stringify(s);
  const nodes = Array.from({ length: values.node.replicas }, (_, i) =>
    [
      `  - id: ${q(`node-${i}`)}`,
      `    grpc_addr: ${q(`0.0.0.0:${NODE_GRPC_PORT}`)}`,
      `    advertise_addr: ${q(`${instanceHost('node', i)}:${NODE_GRPC_PORT}`)}`,
      `    http_addr: ${q(`0.0.0.0:${NODE_HTTP_PORT}`)}`,
    ].join('\n'),
  );
  return [
    'version: 1',
    'cluster:',
    `  shards: ${GOVERSE_SHARDS}`,
    '  provider: "etcd"',
    '  etcd:',
    `    endpoints: [${q(ETCD_SERVICE)}]`,
    `    prefix: ${q(values.cluster.prefix)}`,
    '  cluster_state_stability_duration: 10s',
    'postgres:',
    '  host: "postgres"',
    `  port: ${POSTGRES_PORT}`,
    `  user: ${q(DB.user)}`,
    `  password: "{{${PASSWORD.secret}/${PASSWORD.key}}}"`,
    `  database: ${q(DB.database)}`,
    '  sslmode: "disable"',
    'inspector:',
    `  grpc_addr: ${q(`0.0.0.0:${INSPECTOR_GRPC_PORT}`)}`,
    `  http_addr: ${q(`0.0.0.0:${INSPECTOR_HTTP_PORT}`)}`,
    `  advertise_addr: ${q(INSPECTOR_ADDRESS)}`,
    'nodes:',
    ...nodes,
    'gates: []',
    '',
  ].join('\n');
}
